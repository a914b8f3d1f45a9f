"""Checks for lab 02 (intermediate-pytorch): `from dlpractice.checks import lab02 as check`, then `check.NAME(answer)`.

Each check compares the answer with what PyTorch itself does (a DataLoader, torch.optim.SGD with momentum,
CosineAnnealingLR, autograd, an optimiser and scheduler restored from their state) on cases the notebook
did not show (a last batch smaller than the others, a model handed over in evaluation mode, a learning rate
that changes between steps, nested modules), and recognises the classic mistakes. Checks fork the random
state, so calling one never changes the numbers a notebook draws afterwards.
"""

from __future__ import annotations

import copy
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from dlpractice.checks.core import CheckFailed, exercise, expect, expect_close, expect_dtype, expect_equal
from dlpractice.checks.tensors import answer, close, expect_float, expect_tensor, isolated

__all__ = ["table_dataset", "train_epoch", "momentum_step", "cosine_lr", "derivative", "layer_gradient_norms",
           "checkpoint"]


# --------------------------------------------------------------------------- Dataset and DataLoader

@exercise("table_dataset")
@isolated
def table_dataset(cls: type) -> None:
    """cls(x, y): len = rows; item i = (float32 features of shape (d,), int64 label of shape ())."""
    rng = np.random.default_rng(0)
    cases = [("x float64 (6, 3), y int64", rng.normal(size=(6, 3)), rng.integers(0, 3, 6)),
             ("x float32 (1, 4): a single row", rng.normal(size=(1, 4)).astype(np.float32), np.array([2])),
             ("x float64 (5, 2), y int32", rng.normal(size=(5, 2)), rng.integers(0, 4, 5).astype(np.int32)),
             ("x float64 (4, 1): one feature", rng.normal(size=(4, 1)), rng.integers(0, 2, 4))]  # catches .squeeze()
    for case, x, y in cases:
        x_before, y_before = x.copy(), y.copy()
        dataset = answer(cls, x, y, case=case)
        expect(isinstance(dataset, Dataset), case,
               "expected a torch.utils.data.Dataset. Hint: class TableDataset(Dataset).")
        n = answer(len, dataset, case=f"{case}, len(dataset)")
        if n != len(x):
            hint = ("len() is the number of rows (samples), not of features" if n == x.shape[1]
                    else "return the number of rows of x")
            raise CheckFailed(f"case '{case}': len(dataset) is {n}, expected {len(x)}. Hint: {hint}.")
        for i in range(len(x)):
            where = f"{case}, dataset[{i}]"
            item = answer(dataset.__getitem__, i, case=where)
            expect(isinstance(item, (tuple, list)) and len(item) == 2, where,
                   "expected a pair (features, label). Hint: return self.x[i], self.y[i].")
            features, label = item
            for name, value in (("features", features), ("label", label)):
                expect(isinstance(value, Tensor), where, f"the {name} are a {type(value).__name__}, expected a "
                       "torch.Tensor. Hint: convert the arrays to tensors once, in __init__.")
            if features.dtype != torch.float32:
                hint = ("torch.from_numpy keeps NumPy's float64, but a model's weights are float32: convert with "
                        ".float() (or dtype=torch.float32)" if features.dtype == torch.float64
                        else "convert with .float()")
                raise CheckFailed(f"case '{where}': features of dtype {features.dtype}, expected torch.float32. "
                                  f"Hint: {hint}.")
            expect_equal(tuple(features.shape), (x.shape[1],), where, hint="index one row with an int: x[i] has shape "
                         "(d,), not (1, d); the DataLoader adds the batch axis")
            if label.dtype != torch.int64:
                kind = "floats" if label.dtype.is_floating_point else str(label.dtype)
                raise CheckFailed(f"case '{where}': label of dtype {label.dtype}, expected torch.int64. Hint: "
                                  f"CrossEntropyLoss wants class ids as int64 (long), not {kind}: use .long().")
            expect_equal(tuple(label.shape), (), where, hint="the label of one row is a scalar tensor, shape (); "
                         "the DataLoader stacks them into shape (batch,)")
            expect_close(features, x[i].astype(np.float32), where, hint="dataset[i] is row i of x")
            expect_equal(int(label), int(y[i]), where, hint="dataset[i] pairs row i of x with y[i]")
        expect(np.array_equal(x, x_before) and np.array_equal(y, y_before), case,
               "your class changed the arrays it was given.")
        xb, yb = next(iter(DataLoader(dataset, batch_size=4)))
        expect_equal((tuple(xb.shape), tuple(yb.shape)), ((min(4, len(x)), x.shape[1]), (min(4, len(x)),)),
                     f"{case}, a DataLoader batch of 4",
                     hint="batches of (features, labels) of shapes (batch, d), (batch,)")


def _epoch_problems() -> list[tuple[str, Callable[[], nn.Module], Callable, nn.Module, Dataset, int]]:
    gen = torch.Generator().manual_seed(1)
    x_reg, y_reg = torch.randn(10, 3, generator=gen), torch.randn(10, 1, generator=gen)
    x_cls, y_cls = torch.randn(13, 4, generator=gen), torch.randint(0, 3, (13,), generator=gen)
    return [
        ("regression, SGD, 10 rows in batches of 4 (the last has 2)",
         lambda: nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)), lambda p: torch.optim.SGD(p, lr=0.1),
         nn.MSELoss(), TensorDataset(x_reg, y_reg), 4),
        ("3 classes, Adam, a Dropout layer, model handed over in eval mode",
         lambda: nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3)),
         lambda p: torch.optim.Adam(p, lr=0.01), nn.CrossEntropyLoss(), TensorDataset(x_cls, y_cls), 5),
        ("one batch holds everything, SGD with momentum",
         lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)),
         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), nn.MSELoss(), TensorDataset(x_reg, y_reg), 32),
    ]


def _epoch_by(model: nn.Module, loader: DataLoader, loss_fn: Callable, optimizer: torch.optim.Optimizer, *,
              zero_grad: bool = True, train_mode: bool = True,
              step_every_batch: bool = True) -> list[tuple[float, int]]:
    """The reference epoch, and (with a flag off) a classic mistake; (loss, batch size) of each batch."""
    if train_mode:
        model.train()
    batches = []
    for x, y in loader:
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if step_every_batch:
            optimizer.step()
        batches.append((loss.item(), len(x)))
    if not step_every_batch:
        optimizer.step()
    return batches


ONE_STEP_PER_BATCH = "take one optimizer.step() per batch (mini-batch gradient descent), not one per epoch"
EPOCH_MISTAKES = {
    "zero_grad": ({"zero_grad": False}, "gradients add up across backward() calls: "
                  "call optimizer.zero_grad() before each batch's backward()"),
    "train_mode": ({"train_mode": False}, "the model came in evaluation mode (dropout off): call model.train() first"),
    "step": ({"step_every_batch": False, "zero_grad": False}, ONE_STEP_PER_BATCH),
    "step after the last batch": ({"step_every_batch": False}, ONE_STEP_PER_BATCH),
}


@exercise("train_epoch")
@isolated
def train_epoch(fn: Callable[[nn.Module, DataLoader, Callable, torch.optim.Optimizer], float]) -> None:
    """train_epoch(model, loader, loss_fn, optimizer): one step per batch in train mode; the mean loss per sample."""
    problems = [(*problem, drop_last) for problem in _epoch_problems() for drop_last in (False, True)
                if not drop_last or len(problem[4]) % problem[5] and len(problem[4]) > problem[5]]  # a short last batch
    for case, make_model, make_optimizer, loss_fn, dataset, batch_size, drop_last in problems:
        # a loader that drops its short last batch: the mean is over the rows seen, not len(loader.dataset)
        case = f"{case}, drop_last=True" if drop_last else case
        torch.manual_seed(0)
        start = make_model().eval()
        loader = DataLoader(dataset, batch_size=batch_size, drop_last=drop_last)
        runs = {}
        for name, flags in {"right": {}, **{k: v[0] for k, v in EPOCH_MISTAKES.items()}}.items():
            model = copy.deepcopy(start)
            torch.manual_seed(5)  # the same dropout masks for everyone
            runs[name] = (model, _epoch_by(model, loader, loss_fn, make_optimizer(model.parameters()), **flags))
        model = copy.deepcopy(start)
        torch.manual_seed(5)
        got = answer(fn, model, loader, loss_fn, make_optimizer(model.parameters()), case=case, changes=(0, 3))
        params = list(model.parameters())
        if not all(close(p, r) for p, r in zip(params, runs["right"][0].parameters())):
            for name, (_, hint) in EPOCH_MISTAKES.items():
                if all(close(p, r) for p, r in zip(params, runs[name][0].parameters())):
                    raise CheckFailed(f"case '{case}': the weights after your epoch are those of a known mistake. "
                                      f"Hint: {hint}.")
            if all(close(p, s) for p, s in zip(params, start.parameters())):
                raise CheckFailed(f"case '{case}': the weights did not change. Hint: for each batch: zero_grad, "
                                  "forward, loss, backward, step.")
            raise CheckFailed(f"case '{case}': the weights after your epoch differ from one step per batch of "
                              "zero_grad → forward → loss → backward → step. Hint: use the loader's batches in order.")
        got = expect_float(got, case, "return a Python float: accumulate loss.item() * len(x), divide by the rows seen")
        batches = runs["right"][1]
        expected = sum(loss * n for loss, n in batches) / sum(n for _, n in batches)
        if abs(got - expected) > 1e-5 * max(1.0, abs(expected)):
            known = {sum(loss for loss, _ in batches) / len(batches): "the last batch is smaller than the others, so "
                     "the mean of the batch means weighs its rows more: add loss.item() * len(x), divide by the rows",
                     sum(loss for loss, _ in batches): "return the mean loss per sample, not the sum over batches",
                     batches[-1][0]: "return the mean over the whole epoch, not the last batch's loss",
                     sum(loss * n for loss, n in batches): "divide the total by the number of rows seen",
                     sum(loss * n for loss, n in batches) / len(dataset): "divide by the rows the loader gave you "
                     "(with drop_last=True that is fewer than len(loader.dataset)): count them as you go"}
            for value, hint in known.items():
                if abs(got - value) <= 1e-5 * max(1.0, abs(value)) and abs(value - expected) > 1e-6:
                    raise CheckFailed(f"case '{case}': returned {got:.6g}, expected {expected:.6g}. Hint: {hint}.")
            expect_close(got, expected, case, hint="the mean loss per sample over the epoch, each batch's loss taken "
                                                   "before its step")


# --------------------------------------------------------------------------- momentum by hand

def _momentum_variants(p: Tensor, g: Tensor, v: Tensor, lr: float, m: float) -> dict[str, tuple[Tensor, Tensor]]:
    """One step of the right update and of each classic mistake: (new param, new velocity)."""
    new_v = m * v + g
    return {
        "right": (p - lr * new_v, new_v),
        "no velocity": (p - lr * g, g),
        "dampening": (p - lr * (m * v + (1 - m) * g), m * v + (1 - m) * g),
        "lr in the velocity": (p - (m * v + lr * g), m * v + lr * g),
        "old velocity": (p - lr * v, new_v),
        "uphill": (p + lr * new_v, new_v),
        "nesterov": (p - lr * (g + m * new_v), new_v),
    }


MOMENTUM_HINTS = {
    "no velocity": "the velocity must accumulate past gradients: velocity = momentum * velocity + grad (moving by the "
                   "gradient alone is plain SGD)",
    "dampening": "torch.optim.SGD does not scale the gradient by (1 - momentum) (its dampening is 0): velocity = "
                 "momentum * velocity + grad",
    "lr in the velocity": "keep the learning rate out of the velocity: velocity = momentum * velocity + grad, then "
                          "param - lr * velocity. With lr inside, the steps agree only while lr is constant; here it "
                          "changes between steps, as a scheduler does",
    "old velocity": "update the velocity first, then move the parameter with the new velocity",
    "uphill": "subtract lr * velocity: descend, do not climb",
    "nesterov": "that is Nesterov momentum (nesterov=True); plain momentum moves by lr * velocity",
}


@exercise("momentum_step")
@isolated
def momentum_step(fn: Callable[[Tensor, Tensor, Tensor, float, float], tuple[Tensor, Tensor]]) -> None:
    """momentum_step(param, grad, velocity, lr, momentum) -> (param, velocity), as torch.optim.SGD(momentum=...)."""
    cases = [("shape (3,), momentum 0.9", (3,), 0.9, [0.1, 0.1, 0.05, 0.05, 0.2, 0.01], torch.float32),
             ("shape (2, 3), momentum 0.5", (2, 3), 0.5, [0.3, 0.3, 0.3, 0.1], torch.float32),
             ("one number, momentum 0 (plain SGD)", (1,), 0.0, [0.5, 0.25], torch.float32),
             # float64 in, float64 out (an answer that rebuilds tensors with torch.tensor(list) gets float32); a
             # trailing axis of size 1 (an answer that squeezes loses it)
             ("float64, shape (4, 1), momentum 0.99", (4, 1), 0.99, [0.01, 0.02, 0.02], torch.float64)]
    for case, shape, m, lrs, dtype in cases:
        grads = [torch.randn(shape, dtype=dtype) for _ in lrs]
        grads[1].zero_()  # a step with a zero gradient: the parameter still moves, carried by the velocity
        start = torch.randn(shape, dtype=dtype)
        param = nn.Parameter(start.clone())
        optimizer = torch.optim.SGD([param], lr=lrs[0], momentum=m)
        p, v = start.clone(), torch.zeros(shape, dtype=dtype)
        for step, (lr, g) in enumerate(zip(lrs, grads), 1):
            where = f"{case}, step {step} (lr {lr:g})"
            optimizer.param_groups[0]["lr"] = lr  # what a scheduler does between steps
            param.grad = g.clone()
            optimizer.step()
            # the text allows updating param and velocity in place (as torch.optim does) or returning new tensors
            got = answer(fn, p.clone(), g.clone(), v.clone(), lr, m, case=where, changes=(0, 2))
            expect(isinstance(got, (tuple, list)) and len(got) == 2, where,
                   "expected a pair (new param, new velocity). Hint: return param, velocity.")
            p, v = got
            expect_tensor(p, where + ", new param")
            expect_tensor(v, where + ", new velocity")
            if tuple(p.shape) != shape or tuple(v.shape) != shape:
                raise CheckFailed(f"case '{where}': expected shapes {shape}, got {tuple(p.shape)} and "
                                  f"{tuple(v.shape)}. Hint: keep the parameter's shape (no squeeze, no flatten).")
            expect_dtype(p, dtype, where + ", new param")
            expect_dtype(v, dtype, where + ", new velocity")
            # with momentum 0, SGD keeps no buffer: it is grad
            buffer = optimizer.state[param].get("momentum_buffer", g)
            if close(p, param.detach(), atol=1e-6) and close(v, buffer, atol=1e-6):
                continue
            if close(v, param.detach(), atol=1e-6) and close(p, buffer, atol=1e-6):
                raise CheckFailed(f"case '{where}': the values are right but swapped. Hint: return (param, velocity).")
            for mistake, hint in MOMENTUM_HINTS.items():
                q, u = start.clone(), torch.zeros(shape, dtype=dtype)
                for lr_k, g_k in zip(lrs[:step], grads[:step]):
                    q, u = _momentum_variants(q, g_k, u, lr_k, m)[mistake]
                if close(p, q, atol=1e-6) and close(v, u, atol=1e-6):
                    raise CheckFailed(f"case '{where}': your step differs from torch.optim.SGD's. Hint: {hint}.")
            expect_close(p, param.detach(), where, atol=1e-6, hint="velocity = momentum * velocity + grad; "
                         "param = param - lr * velocity")
            expect_close(v, buffer, where + ", velocity", atol=1e-6,
                         hint="return the new velocity, momentum * velocity + grad: the next step starts from it")


# --------------------------------------------------------------------------- a schedule by hand

def _cosine(t: float, total: float, base: float, low: float) -> float:
    return low + (base - low) * (1 + math.cos(math.pi * t / total)) / 2


COSINE_MISTAKES: dict[str, tuple[Callable[[int, int, float, float], float], str]] = {
    "off by one": (lambda t, n, b, lo: _cosine(t + 1, n, b, lo), "step 0 must give base_lr (the scheduler has not "
                   "stepped yet): use cos(pi * step / total_steps), not step + 1"),
    "period": (lambda t, n, b, lo: _cosine(t, n - 1, b, lo) if n > 1 else math.nan, "the rate reaches min_lr after "
               "total_steps steps (T_max = total_steps), not total_steps - 1"),
    "no min_lr": (lambda t, n, b, lo: b * (1 + math.cos(math.pi * t / n)) / 2, "the rate goes from base_lr down to "
                  "min_lr, not to 0: min_lr + (base_lr - min_lr) * (1 + cos(...)) / 2"),
    "bare cosine": (lambda t, n, b, lo: lo + (b - lo) * math.cos(math.pi * t / n), "cos goes from 1 to -1; "
                    "(1 + cos(...)) / 2 goes from 1 to 0"),
    "full period": (lambda t, n, b, lo: _cosine(2 * t, n, b, lo), "half a cosine wave: cos(pi * step / total_steps), "
                    "not 2 * pi"),
    "linear": (lambda t, n, b, lo: b - (b - lo) * t / n, "that is a linear decay; the schedule follows a cosine"),
}


@exercise("cosine_lr")
@isolated
def cosine_lr(fn: Callable[[int, int, float, float], float]) -> None:
    """cosine_lr(step, total_steps, base_lr, min_lr): the rate of
    CosineAnnealingLR(T_max=total_steps, eta_min=min_lr)."""
    # (1000, 1.0, 0.0): near the end the rate is tiny and min_lr is 0, so a cosine computed in float32 (torch.cos
    # of torch.tensor(a Python float)) is off by about 1 %; (5, 0.01, 0.01): base_lr == min_lr, a flat schedule
    for total, base, low in [(10, 0.1, 0.001), (1, 1.0, 0.0), (7, 0.5, 0.05), (100, 3e-4, 1e-5), (1000, 1.0, 0.0),
                             (5, 0.01, 0.01)]:
        case = f"total_steps={total}, base_lr={base:g}, min_lr={low:g}"
        optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=base)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total, eta_min=low)
        expected = [base]
        for _ in range(total):
            optimizer.step()
            scheduler.step()
            expected.append(scheduler.get_last_lr()[0])
        got = [expect_float(answer(fn, t, total, base, low, case=f"{case}, step {t}"), f"{case}, step {t}",
                            "return a Python float") for t in range(total + 1)]
        if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            continue
        for rule, hint in COSINE_MISTAKES.values():
            if np.allclose(got, [rule(t, total, base, low) for t in range(total + 1)], rtol=1e-6, atol=1e-12):
                raise CheckFailed(f"case '{case}': your rates differ from CosineAnnealingLR's. Hint: {hint}.")
        worst = int(np.argmax(np.abs(np.array(got) - np.array(expected))))
        if np.allclose(got, expected, rtol=1e-2, atol=1e-7):  # right formula, float32 arithmetic
            raise CheckFailed(f"case '{case}': at step {worst} expected {expected[worst]!r}, got {got[worst]!r}: "
                              "float32 precision. Hint: compute in float64, with math.cos or np.cos "
                              "(torch.tensor of a Python float is float32).")
        raise CheckFailed(f"case '{case}': at step {worst} expected {expected[worst]:.6g}, got {got[worst]:.6g}. Hint: "
                          "min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2.")


# --------------------------------------------------------------------------- derivatives by autograd

@exercise("derivative")
@isolated
def derivative(fn: Callable[[Callable[[Tensor], Tensor], Tensor], Tensor]) -> None:
    """derivative(f, x): f'(x) at every point of x for an elementwise f, by autograd; x left as it was."""
    cases = [("torch.sigmoid at 7 points", torch.sigmoid, torch.randn(7)),
             ("x ** 3 on a (3, 4) grid", lambda t: t**3, torch.randn(3, 4)),
             ("nn.GELU() at 9 points", nn.GELU(), torch.linspace(-3, 3, 9)),
             ("torch.relu, with x exactly 0", torch.relu, torch.tensor([-1.0, 0.0, 2.0, 0.5])),
             ("softplus in float64, one point", F.softplus, torch.tensor([0.3], dtype=torch.float64))]
    hints = {"only for scalar outputs": "backward() needs a scalar: sum the outputs first; each output depends on "
                                        "its own input only, so the gradient of the sum is f'(x) at every point",
             "does not require grad": "x does not require grad: differentiate at "
                                      "x.detach().clone().requires_grad_(True)"}
    for case, f, x in cases:
        leaf = x.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(f(leaf).sum(), leaf)
        given = x.clone()
        got = answer(fn, f, given, case=case, hints=hints, plain=True)
        expect(not given.requires_grad and given.grad is None and torch.equal(given, x), case, "your function changed "
               "the caller's x. Hint: work on a copy: x.detach().clone().requires_grad_(True).")
        expect_tensor(got, case)
        expect_dtype(got, x.dtype, case)
        expect_equal(tuple(got.shape), tuple(x.shape), case, hint="one derivative per element of x")
        if close(got, expected):
            continue
        with torch.no_grad():
            values = f(x)
        if x.numel() > 1 and close(got, expected / x.numel()):
            raise CheckFailed(f"case '{case}': every derivative is {x.numel()} times too small. "
                              "Hint: take the gradient of the sum, not of the mean "
                              "(the mean divides each output by n).")
        if close(got, values):
            raise CheckFailed(f"case '{case}': you returned f(x), the values. Hint: return the gradient (leaf.grad).")
        if close(got, expected, atol=1e-2, rtol=1e-2):
            raise CheckFailed(f"case '{case}': close to f'(x) but not equal. Hint: use autograd, which is exact, "
                              "rather than finite differences.")
        expect_close(got, expected, case,
                     hint="leaf = x.detach().clone().requires_grad_(True); f(leaf).sum().backward(); leaf.grad")


# --------------------------------------------------------------------------- gradient norm per layer

class _Nested(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 6), nn.BatchNorm1d(6), nn.Tanh())
        self.head = nn.Linear(6, 2, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(x))


class _ScaledLinear(nn.Linear):
    """A subclass of nn.Linear (as libraries define them): still a Linear layer for isinstance."""

    def forward(self, x: Tensor) -> Tensor:
        return 0.5 * super().forward(x)


def _deep() -> nn.Sequential:
    """Twelve Linear layers of unequal widths: names "0" … "22", so sorting them as strings puts "10" before "2"."""
    widths = [3, 5, 4, 6, 3, 7, 2, 5, 4, 3, 6, 4, 2]
    layers: list[nn.Module] = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


@exercise("layer_gradient_norms")
@isolated
def layer_gradient_norms(fn: Callable[[nn.Module], list[float]]) -> None:
    """layer_gradient_norms(model): [‖weight.grad‖ of each nn.Linear in model.modules() order], as Python floats."""
    cases = [("Sequential of three Linear layers", lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8),
                                                                         nn.Sigmoid(), nn.Linear(8, 2)), 4),
             ("nested modules, a BatchNorm1d, a Linear without bias", _Nested, 3),
             ("the model is one nn.Linear", lambda: nn.Linear(5, 3), 5),
             ("twelve Linear layers of unequal widths", _deep, 3),
             ("a subclass of nn.Linear first", lambda: nn.Sequential(_ScaledLinear(4, 6), nn.ReLU(), nn.Linear(6, 2)),
              4)]
    for case, make, d_in in cases:
        model = make()
        (3 * model(torch.randn(16, d_in))).pow(2).mean().backward()  # scaled so that no norm is near 1
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        expected = [m.weight.grad.norm().item() for m in linears]
        got = answer(fn, model, case=case)
        expect(isinstance(got, (list, tuple)), case, f"expected a list of floats, got {type(got).__name__}.")
        if any(isinstance(v, Tensor) for v in got):
            raise CheckFailed(f"case '{case}': the list holds tensors. Hint: .item() turns a 0-d tensor into a float.")
        if len(got) != len(expected):
            with_grad = sum(p.grad is not None for p in model.parameters())
            children = sum(isinstance(m, nn.Linear) for m in model.children())
            hint = ("one number per Linear layer (its weight), not one per parameter tensor: biases and BatchNorm's "
                    "parameters are not layer weights" if len(got) == with_grad else
                    "model.modules() visits nested modules (and the model itself); model.children() only the top level"
                    if len(got) == children else "one number per nn.Linear layer, found with model.modules()")
            raise CheckFailed(f"case '{case}': {len(got)} numbers, expected {len(expected)}. Hint: {hint}.")
        got = [expect_float(v, case, "return Python floats") for v in got]
        if np.allclose(got, expected, rtol=1e-5):
            continue
        known = {  # what a classic mistake returns, and the hint for it
            "the squared norms": ([v * v for v in expected],
                                  "the norm is the square root of the sum of squares: .norm()"),
            "the norms of the weights": ([m.weight.norm().item() for m in linears], "take the norm of weight.grad, "
                                         "the gradient, not of the weight"),
            "the layers in reverse order": (expected[::-1], "list the layers from the input to the output, in the "
                                            "order model.modules() visits them"),
            "the layers sorted by name": ([v for _, v in sorted(zip([n for n, m in model.named_modules()
                                                                     if isinstance(m, nn.Linear)], expected))],
                                          "keep the order model.modules() gives; sorting names as text puts layer "
                                          "'10' before layer '2'"),
            "weight and bias gradients together": ([math.hypot(m.weight.grad.norm().item(), m.bias.grad.norm().item()
                                                               if m.bias is not None else 0.0) for m in linears],
                                                   "the norm of the weight's gradient only, without the bias"),
            "mean absolute values": ([m.weight.grad.abs().mean().item() for m in linears], "use the L2 norm, .norm()"),
        }
        for mistake, (values, hint) in known.items():
            if np.allclose(got, values, rtol=1e-5) and not np.allclose(values, expected, rtol=1e-5):
                raise CheckFailed(f"case '{case}': you returned {mistake}. Hint: {hint}.")
        expect_close(got, expected, case,
                     hint="[m.weight.grad.norm().item() for m in model.modules() if isinstance(m, nn.Linear)]")


# --------------------------------------------------------------------------- checkpoints

@contextmanager
def _recording_torch_load() -> Iterator[list[dict[str, Any]]]:
    """Record the keyword arguments of every torch.load call in the block."""
    calls: list[dict[str, Any]] = []
    original = torch.load

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(*args, **kwargs)

    torch.load = spy
    try:
        yield calls
    finally:
        torch.load = original


def _same(a: Any, b: Any) -> bool:
    """Equal state: tensors equal, dicts and lists equal item by item, anything else by ==."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return (isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape
                and torch.allclose(a.float(), b.float()))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _checkpoint_problems() -> list[tuple[str, Callable[[], nn.Module], Callable, Callable, int]]:
    """(case, model, optimizer, scheduler, epochs done before saving)."""
    return [
        ("Adam + CosineAnnealingLR", lambda: nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1)),
         lambda p: torch.optim.Adam(p, lr=0.05), lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=12), 4),
        ("SGD with momentum + StepLR", lambda: nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1)),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
         lambda o: torch.optim.lr_scheduler.StepLR(o, 2, gamma=0.5), 4),
        # batch norm keeps buffers (running mean and variance, batches seen) that are not parameters: saving
        # named_parameters() alone loses them; 3 epochs, so that an answer returning a fixed 4 fails
        ("a model with batch norm, SGD + StepLR, 3 epochs done",
         lambda: nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1)),
         lambda p: torch.optim.SGD(p, lr=0.1), lambda o: torch.optim.lr_scheduler.StepLR(o, 2, gamma=0.5), 3),
    ]


@exercise("checkpoint")
@isolated
def checkpoint(save: Callable[..., None], load: Callable[..., int]) -> None:
    """save(path, model, optimizer, scheduler, epoch) then, into fresh objects, load(path, ...) -> epoch:
    exact resume."""
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    for case, make_model, make_optimizer, make_scheduler, done in _checkpoint_problems():

        def epoch(model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any) -> float:
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            return loss.item()

        torch.manual_seed(0)
        model = make_model()
        optimizer = make_optimizer(model.parameters())
        scheduler = make_scheduler(optimizer)
        for _ in range(done):
            epoch(model, optimizer, scheduler)
        saved = copy.deepcopy((model.state_dict(), optimizer.state_dict(), scheduler.state_dict()))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "checkpoint.pt"
            answer(save, path, model, optimizer, scheduler, done, case=f"{case}, save_checkpoint")
            expect(path.is_file(), case, f"no file at {path.name} after save_checkpoint. Hint: torch.save(..., path).")
            try:
                torch.load(path, weights_only=True)
            except Exception:  # noqa: BLE001 — any failure means the file is not safe to load
                raise CheckFailed(f"case '{case}': the file does not load with torch.load(path, weights_only=True). "
                                  "Hint: save state_dict()s (tensors and plain values), not the model or optimizer "
                                  "objects themselves: unpickling objects can run code.") from None
            never_stopped = [epoch(model, optimizer, scheduler) for _ in range(4)]  # the original goes on
            torch.manual_seed(1)  # a new process: other initial weights, empty optimiser and scheduler
            model = make_model()
            optimizer = make_optimizer(model.parameters())
            scheduler = make_scheduler(optimizer)
            with _recording_torch_load() as calls:
                start = answer(load, path, model, optimizer, scheduler, case=f"{case}, load_checkpoint",
                               changes=(1, 2, 3))  # loading restores the model, optimizer and scheduler
        if any(call.get("weights_only") is False for call in calls):
            raise CheckFailed(f"case '{case}': torch.load(..., weights_only=False) unpickles anything, including "
                              "code. Hint: load with weights_only=True; "
                              "a checkpoint of state_dicts needs nothing more.")
        if isinstance(start, Tensor) and start.numel() == 1 and start.item() == done:
            raise CheckFailed(f"case '{case}': the epoch came back as a tensor, {start!r}. Hint: torch.load(..., "
                              "weights_only=True) loads plain ints too: save the epoch as the int it is.")
        expect_equal(start, done, case, hint="return the epoch stored in the checkpoint (the number of epochs done)")
        expect(isinstance(start, int) and not isinstance(start, bool), case,
               f"the epoch is a count: expected the int {done}, got {type(start).__name__} {start!r}.")
        expect(_same(model.state_dict(), saved[0]), case, "after loading, the model's weights or buffers differ from "
               "those saved (batch norm's running statistics are buffers, not parameters). "
               "Hint: model.load_state_dict(checkpoint['model']) with the whole model.state_dict().")
        expect(_same(optimizer.state_dict()["state"], saved[1]["state"]), case, "the optimizer's state (momentum "
               "buffers, Adam's running averages and step count) was not restored: the resumed steps would differ. "
               "Hint: save optimizer.state_dict() and call optimizer.load_state_dict(...) on load.")
        expect(_same(scheduler.state_dict(), saved[2]), case, "the scheduler's state was not restored: it would start "
               "its schedule again. Hint: save scheduler.state_dict() and call scheduler.load_state_dict(...) on load.")
        resumed = [epoch(model, optimizer, scheduler) for _ in range(4)]
        expect_close(resumed, never_stopped, f"{case}, 4 epochs after resuming", atol=1e-6,
                     hint="restore everything the next step depends on: model, optimizer and scheduler states")
