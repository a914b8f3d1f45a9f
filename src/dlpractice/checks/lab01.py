"""Checks for lab 01 (pytorch-basics): `from dlpractice.checks import lab01 as check`, then `check.NAME(answer)`.

Each check runs the answer on several cases, including some the notebook did not show (a batch of
one, other shapes and dtypes, zeros, negative values), compares it with what PyTorch itself computes
(autograd, nn.functional, a reference step), and when it recognises a classic mistake says which.
Checks fork the random state (`torch.random.fork_rng`), so calling one never changes the numbers a
notebook draws afterwards.
"""

from __future__ import annotations

import copy
import numbers
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlpractice.checks.core import CheckFailed, exercise, expect, expect_close, expect_dtype, expect_equal
from dlpractice.checks.distributions import expect_normal
from dlpractice.checks.tensors import answer, close, expect_float, expect_tensor, isolated, scale_of

__all__ = ["make_grid", "seeded_noise", "channels_first", "standardize", "grad_of", "gd_step",
           "manual_backward", "mlp", "parameter_formula", "train_step", "accuracy"]


# --------------------------------------------------------------------------- tensors

@exercise("make_grid")
@isolated
def make_grid(fn: Callable[[int, int], Tensor]) -> None:
    """make_grid(rows, cols): a float32 tensor of shape (rows, cols) holding 0, 1, ..., rows*cols - 1 row by row."""
    # (300, 200): 60,000 numbers, where a tolerance relative to the values (3 at 30,000) would hide small errors;
    # float32 holds every integer below 2**24 exactly, so the grid is compared exactly below
    for rows, cols in [(3, 4), (1, 1), (1, 5), (5, 1), (2, 3), (300, 200)]:
        case = f"make_grid({rows}, {cols})"
        got = answer(fn, rows, cols, case=case)
        expect_tensor(got, case)
        if got.dtype != torch.float32:
            hint = ("torch.arange with integer arguments gives int64: pass dtype=torch.float32"
                    if not got.dtype.is_floating_point else "ask for dtype=torch.float32 (PyTorch's default float)")
            raise CheckFailed(f"case '{case}': expected dtype torch.float32, got {got.dtype}. Hint: {hint}.")
        expect_equal(tuple(got.shape), (rows, cols), case, hint="reshape the numbers to (rows, cols)")
        expected = torch.arange(rows * cols, dtype=torch.float32).reshape(rows, cols)
        if not close(got, expected):
            if close(got, torch.arange(rows * cols, dtype=torch.float32).reshape(cols, rows).T):
                raise CheckFailed(f"case '{case}': the numbers run down the columns. Hint: fill row by row — "
                                  "arange(n).reshape(rows, cols) does that; a transpose of (cols, rows) does not.")
            if close(got, expected + 1):
                raise CheckFailed(f"case '{case}': off by one. "
                                  "Hint: the first value is 0 and the last is rows*cols - 1.")
        expect_close(got, expected, case, hint="torch.arange(rows * cols, dtype=torch.float32).reshape(rows, cols)")
        if not torch.equal(got, expected):  # close is not enough: the numbers are whole and float32 holds them exactly
            worst = int((got - expected).abs().argmax())
            raise CheckFailed(f"case '{case}': the numbers are not exactly 0, 1, 2, ...: expected "
                              f"{expected.flatten()[worst].item():g}, got {got.flatten()[worst].item()!r}. Hint: count "
                              "with torch.arange (or in float64 / integers, then convert); scaling a range such as "
                              "linspace(0, 1, n) * (n - 1) in float32 leaves rounding errors.")


@exercise("seeded_noise")
def seeded_noise(fn: Callable[[tuple[int, ...], int], Tensor]) -> None:
    """seeded_noise(shape, seed): standard normal float32 draws, the same for the same seed, global RNG untouched."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(12345)
        for shape, seed in [((2, 3), 0), ((5,), 1), ((1,), 7), ((4, 1, 2), 123)]:
            case = f"seeded_noise({shape}, seed={seed})"
            before = torch.get_rng_state()
            got = answer(fn, shape, seed, case=case)
            if not torch.equal(before, torch.get_rng_state()):
                raise CheckFailed(f"case '{case}': your function changed PyTorch's global random state. Hint: "
                                  "reseeding (torch.manual_seed) or drawing from the global generator changes the "
                                  "numbers the rest of the program gets; draw from your own "
                                  "torch.Generator().manual_seed(seed) by passing generator= to torch.randn.")
            expect_tensor(got, case)
            expect_equal(got.dtype, torch.float32, case, hint="torch.randn gives float32 by default")
            expect_equal(tuple(got.shape), tuple(shape), case, hint="pass the shape to torch.randn")
            again = answer(fn, shape, seed, case=case)
            expect(isinstance(again, Tensor) and torch.equal(got, again), case,
                   "two calls with the same seed gave different numbers. Hint: create a torch.Generator, "
                   "call .manual_seed(seed) on it, and pass generator= to torch.randn.")
            other = answer(fn, shape, seed + 1, case=case)
            expect(isinstance(other, Tensor) and not torch.equal(got, other), case,
                   f"seeds {seed} and {seed + 1} gave the same numbers. Hint: use the seed you are given.")
        case = "seeded_noise((20000,), seed=3): statistics"
        big = answer(fn, (20000,), 3, case=case)
        expect_tensor(big, case)
        mean, std = big.float().mean().item(), big.float().std().item()
        if not (abs(mean) < 0.05 and abs(std - 1) < 0.05):
            hint = ("torch.rand draws uniformly from [0, 1); torch.randn draws from the standard normal"
                    if abs(mean - 0.5) < 0.05 else "draw from the standard normal distribution (torch.randn)")
            raise CheckFailed(f"case '{case}': mean {mean:.3f} and std {std:.3f}, expected about 0 and 1. "
                              f"Hint: {hint}.")
        expect_normal(big, case, "the numbers")  # the shape of the distribution, not only its mean and std


@exercise("channels_first")
@isolated
def channels_first(fn: Callable[[Tensor], Tensor]) -> None:
    """channels_first(images): a batch (N, H, W, C) as (N, C, H, W), each pixel's values kept with it."""
    for shape in [(2, 4, 5, 3), (1, 2, 3, 1), (3, 6, 6, 4), (2, 3, 7, 2)]:
        case = f"images of shape {shape}"
        images = torch.randn(shape)
        got = answer(fn, images, case=case)
        expect_tensor(got, case)
        n, h, w, c = shape
        expected = images.permute(0, 3, 1, 2)
        if tuple(got.shape) == (n, c, w, h) and h != w:
            raise CheckFailed(f"case '{case}': expected shape {(n, c, h, w)}, got {tuple(got.shape)}: height and width "
                              "are swapped. Hint: permute(0, 3, 1, 2) keeps H before W.")
        expect_equal(tuple(got.shape), (n, c, h, w), case, hint="(N, H, W, C) -> (N, C, H, W) is permute(0, 3, 1, 2)")
        if not close(got, expected) and close(got, images.reshape(n, c, h, w)):
            raise CheckFailed(f"case '{case}': the shape is right but pixels and channels are mixed up. Hint: "
                              "reshape/view keep the numbers in memory order and only regroup them; moving an axis "
                              "needs permute (or movedim).")
        expect_close(got, expected, case, hint="use images.permute(0, 3, 1, 2)")


@exercise("standardize")
@isolated
def standardize(fn: Callable[[np.ndarray], np.ndarray]) -> None:
    """standardize(a): each column of a NumPy (n, d) array to mean 0, std 1 (divide by n), with PyTorch;
    same dtype; input untouched."""
    rng = np.random.default_rng(0)
    cases = {
        "float32, 6 x 3": (rng.normal(5, 3, size=(6, 3))).astype(np.float32),
        "float64, 10 x 2, negative values": rng.normal(-100, 0.5, size=(10, 2)),
        "one column": np.array([[1.0], [2.0], [4.0], [-7.0]], dtype=np.float32),
        "two rows": np.array([[0.0, 10.0, -1.0], [2.0, 30.0, 1.0]]),
        # E[x²] − E[x]² cancels catastrophically here in float32; deviations from the mean (two passes) do not
        "float32, 50 x 2, values near 1000": (rng.normal(1000, 3, size=(50, 2))).astype(np.float32),
    }
    for case, a in cases.items():
        original = a.copy()
        got = answer(fn, a, case=case)
        if isinstance(got, Tensor):
            raise CheckFailed(f"case '{case}': expected a NumPy array, got a torch.Tensor. Hint: finish with .numpy().")
        expect(isinstance(got, np.ndarray), case, f"expected a NumPy array, got {type(got).__name__}.")
        expect_equal(got.dtype, a.dtype, case,
                     hint="keep the input's dtype: torch.from_numpy keeps it, and so does .numpy()")
        expect_equal(got.shape, a.shape, case, hint="standardise each column; keep the shape")
        a = a.astype(np.float64)  # the reference in float64
        expected = (a - a.mean(axis=0)) / a.std(axis=0)
        atol = 1e-4 if original.dtype == np.float32 else 1e-8
        if not close(got, expected, atol=atol):
            if close(got, (a - a.mean(axis=0)) / a.std(axis=0, ddof=1), atol=atol):
                raise CheckFailed(f"case '{case}': you divided by the unbiased std (n - 1). Hint: torch.std divides by "
                                  "n - 1 by default; here divide by n: t.std(dim=0, correction=0) (NumPy's default).")
            rows = (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)
            if (close(got, rows, atol=atol)
                    or close(got, (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, ddof=1, keepdims=True),
                             atol=atol)):
                raise CheckFailed(f"case '{case}': you standardised each row. "
                                  "Hint: columns are features: reduce over dim=0.")
        expect_close(got, expected, case, atol=atol, hint="(t - t.mean(dim=0)) / t.std(dim=0, correction=0)")


# --------------------------------------------------------------------------- autograd

GRAD_CASES: list[tuple[str, Callable[[Tensor], Tensor], Tensor]] = [
    ("sum(x³) on a vector", lambda t: (t**3).sum(), torch.linspace(-2, 2, 5)),
    ("sum(x·sin x) on a 2 x 3 matrix", lambda t: (t * torch.sin(t)).sum(),
     torch.tensor([[0.5, -1.0, 2.0], [3.0, 0.0, -0.25]])),
    ("x² at a 0-d tensor", lambda t: t**2, torch.tensor(3.0)),
    ("sum(relu(x)) at negative values", lambda t: torch.relu(t).sum(), torch.tensor([-3.0, -0.5, 1.5, -2.0])),
    ("logsumexp in float64", lambda t: torch.logsumexp(t, dim=0), torch.tensor([1.0, 2.0, -1.0], dtype=torch.float64)),
    # at the kink autograd says relu'(0) = 0, a finite difference 0.5 (central) or 1 (forward): autograd is asked for
    ("sum(relu(x)) with entries exactly 0", lambda t: torch.relu(t).sum(), torch.tensor([0.0, 2.0, -1.0, 0.0])),
    ("x³ in float64 at one point", lambda t: (t**3).sum(), torch.tensor([0.7], dtype=torch.float64)),
]


@exercise("grad_of")
@isolated
def grad_of(fn: Callable[[Callable[[Tensor], Tensor], Tensor], Tensor]) -> None:
    """grad_of(f, x): df/dx at x by autograd (f maps a tensor to a scalar), leaving x as it was."""
    hints = {"does not require grad": "autograd only tracks tensors with requires_grad=True: work on "
                                      "x.detach().clone().requires_grad_(True)."}
    for case, f, x0 in GRAD_CASES:
        x = x0.clone()
        leaf = x0.clone().requires_grad_(True)
        (expected,) = torch.autograd.grad(f(leaf), leaf)
        got = answer(fn, f, x, case=case, hints=hints)
        expect_tensor(got, case)
        if not close(got, expected) and close(got, f(x0)):
            raise CheckFailed(f"case '{case}': you returned f(x), the value. Hint: return the gradient "
                              "(the .grad of your leaf after .backward(), or torch.autograd.grad).")
        kink = "exactly 0" in case
        expect_close(got, expected, case, hint="autograd takes relu'(0) = 0, where a finite difference gives 0.5 or 1: "
                     "compute the gradient with autograd (.backward()), not by nudging x" if kink else
                     "call .backward() on f(leaf) and return leaf.grad")
        expect_dtype(got, x0.dtype, case)
        expected_copy = expected.clone()
        second = answer(fn, f, x, case=case + ", called a second time", hints=hints)
        if isinstance(second, Tensor) and close(second, 2 * expected_copy) and not close(expected_copy, 0):
            raise CheckFailed(f"case '{case}': the second call with the same x returned twice the gradient. Hint: "
                              "gradients accumulate in .grad across backward() calls; work on a fresh "
                              "x.detach().clone().requires_grad_(True) each time.")
        expect_close(second, expected_copy, case + ", called a second time",
                     hint="the gradient must not depend on earlier calls")
        if x.requires_grad or x.grad is not None:
            raise CheckFailed(f"case '{case}': your function changed the caller's x (requires_grad or .grad). Hint: "
                              "do not call x.requires_grad_() on the input; "
                              "work on x.detach().clone().requires_grad_(True).")


def _fresh_problems() -> list[tuple[str, list[Tensor], Callable[[list[Tensor]], Tensor], float]]:
    """(name, parameters, loss of the parameters, learning rate) — new leaf tensors at every call."""
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(8, 3, generator=gen, dtype=torch.float64), torch.randn(8, 2, generator=gen, dtype=torch.float64)
    return [
        ("two points", [torch.tensor([0.0, 0.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)],
         lambda p: ((p[0] - p[1]) ** 2).sum(), 0.1),
        ("least squares, a 3 x 2 float64 weight", [torch.zeros(3, 2, dtype=torch.float64, requires_grad=True)],
         lambda p: ((x @ p[0] - y) ** 2).mean(), 0.3),
        ("one 0-d parameter", [torch.tensor(5.0, requires_grad=True)], lambda p: (p[0] - 2.0) ** 2, 0.25),
    ]


@exercise("gd_step")
@isolated
def gd_step(fn: Callable[[list[Tensor], Callable[[], Tensor], float], float]) -> None:
    """gd_step(params, loss_fn, lr): loss = loss_fn(); backward; p -= lr * p.grad without grad tracking; zero grads;
    return loss.item()."""
    hints = {
        "leaf Variable that requires grad is being used in an in-place operation":
            "autograd refuses to record an update of a leaf: do the update inside `with torch.no_grad():`.",
        "'NoneType' object has no attribute": "p.grad is None until the first backward(): zero the gradients "
                                              "after the update (or test for None first).",
    }
    for (case, params, loss_of, lr), (_, ref, _, _) in zip(_fresh_problems(), _fresh_problems()):
        for step in range(1, 4):
            where = f"{case}, step {step}"
            before = [p.detach().clone() for p in params]
            expected_loss = loss_of(ref)
            expected_loss.backward()
            with torch.no_grad():
                for p in ref:
                    p -= lr * p.grad
                    p.grad = None
            got_loss = answer(fn, params, lambda: loss_of(params), lr, case=where, hints=hints, changes=(0,))
            for i, (p, r, b) in enumerate(zip(params, ref, before)):
                if close(p, r):
                    continue
                if close(p, b):
                    raise CheckFailed(f"case '{where}': parameter {i} did not move. Hint: update it in place "
                                      "(p -= lr * p.grad, inside torch.no_grad()); `p = p - lr * p.grad` only "
                                      "rebinds a local name.")
                if close(p, 2 * b - r):
                    raise CheckFailed(f"case '{where}': parameter {i} moved uphill. Hint: subtract lr * grad "
                                      "(descent), do not add it.")
                if step > 1:
                    raise CheckFailed(f"case '{where}': step 1 was right but this step is not. Hint: gradients "
                                      "accumulate in p.grad across backward() calls: zero them after each update "
                                      "(p.grad.zero_() or p.grad = None).")
                expect_close(p, r, where, hint=f"parameter {i} should become p - lr * p.grad")
            got_loss = expect_float(got_loss, where, "return loss.item(), the loss computed before the update")
            expect_close(got_loss, expected_loss.item(), where + " (returned loss)",
                         hint="return the loss computed before the update (the one you called backward on)")


# --------------------------------------------------------------------------- backpropagation by hand

def two_layer_forward(params: dict[str, Tensor], x: Tensor) -> Tensor:
    return torch.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def _backprop_cases() -> list[tuple[str, dict[str, Tensor], Tensor, Tensor]]:
    gen = torch.Generator().manual_seed(2)

    def params(d_in: int, hidden: int, d_out: int, bias: float | Tensor = 0.1) -> dict[str, Tensor]:
        b1 = bias if isinstance(bias, Tensor) else bias * torch.randn(hidden, generator=gen)
        return {"w1": torch.randn(d_in, hidden, generator=gen), "b1": b1,
                "w2": torch.randn(hidden, d_out, generator=gen), "b2": 0.1 * torch.randn(d_out, generator=gen)}

    return [
        ("n=8, d_in=3, hidden=5, d_out=2", params(3, 5, 2), torch.randn(8, 3, generator=gen),
         torch.randn(8, 2, generator=gen)),
        ("batch of one", params(4, 6, 3), torch.randn(1, 4, generator=gen), torch.randn(1, 3, generator=gen)),
        ("one output", params(2, 7, 1), torch.randn(16, 2, generator=gen), torch.randn(16, 1, generator=gen)),
        ("mostly negative pre-activations", params(3, 8, 2, bias=torch.full((8,), -1.5)),
         torch.randn(10, 3, generator=gen), torch.randn(10, 2, generator=gen)),
        ("zero inputs, some biases exactly 0", params(3, 4, 2, bias=torch.tensor([0.0, 0.5, 0.0, -0.5])),
         torch.zeros(5, 3), torch.randn(5, 2, generator=gen)),
        # every size 1: an answer that squeezes, or sums a bias gradient over everything (.sum() instead of
        # .sum(dim=0)), loses a dimension here; z1 = 1.7 > 0 keeps the single unit on
        ("one input, one hidden unit, one output, a batch of one", {"w1": torch.tensor([[0.8]]),
         "b1": torch.tensor([0.5]), "w2": torch.tensor([[-1.2]]), "b2": torch.tensor([0.3])}, torch.tensor([[1.5]]),
         torch.tensor([[2.0]])),
        # float64 in, float64 out: an answer that builds its own float32 buffers (torch.zeros(d_in, hidden)) fails
        ("float64 parameters and data, hidden=6 wider than d_in=2",
         {k: v.double() for k, v in params(2, 6, 3).items()}, torch.randn(7, 2, generator=gen, dtype=torch.float64),
         torch.randn(7, 3, generator=gen, dtype=torch.float64)),
    ]


@exercise("manual_backward")
@isolated
def manual_backward(fn: Callable[[dict[str, Tensor], Tensor, Tensor], dict[str, Tensor]]) -> None:
    """manual_backward(params, x, y): {"w1", "b1", "w2", "b2"} gradients of mean((relu(x@w1+b1)@w2+b2 - y)²),
    by hand."""
    for case, params, x, y in _backprop_cases():
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        F.mse_loss(two_layer_forward(leaves, x), y).backward()
        expected = {k: v.grad for k, v in leaves.items()}
        with torch.no_grad():  # what the classic mistakes give, to recognise them
            z1 = x @ params["w1"] + params["b1"]
            d_y_hat = 2 * (two_layer_forward(params, x) - y) / y.numel()
            d_z1_unmasked = d_y_hat @ params["w2"].T
            d_z1_ge = d_z1_unmasked * (z1 >= 0)
        with torch.no_grad():  # by hand: autograd is switched off while the answer runs
            got = answer(fn, {k: v.clone() for k, v in params.items()}, x.clone(), y.clone(), case=case, hints={
                "does not require grad": "this exercise is backpropagation by hand: compute each gradient with the "
                                         "chain rule and matrix products, without .backward()."})
        expect(isinstance(got, dict), case, f"expected a dict with keys w1, b1, w2, b2, got {type(got).__name__}.")
        missing = [k for k in expected if k not in got]
        expect(not missing, case,
               f"the dict has no {', '.join(missing)}. Hint: return {{'w1': ..., 'b1': ..., 'w2': ..., 'b2': ...}}.")
        n, d_out = y.shape
        for name in ("w2", "b2", "w1", "b1"):  # the order backpropagation computes them in
            where = f"{case}, d{name}"
            g, e = got[name], expected[name]
            expect_tensor(g, where)
            if g.shape != e.shape:
                if name.startswith("b") and g.shape == (n, *e.shape):
                    hint = "a bias is added to every row, so its gradient sums over the batch: .sum(dim=0)"
                elif g.dim() == 2 and g.shape == e.shape[::-1]:
                    hint = "a weight's gradient has the weight's shape: for y = h @ w, dw = h.T @ dy"
                else:
                    hint = f"d{name} has the shape of {name}"
                raise CheckFailed(f"case '{where}': expected shape {tuple(e.shape)}, got {tuple(g.shape)}. "
                                  f"Hint: {hint}.")
            if close(g, e, atol=1e-5):
                continue
            k = scale_of(g, e)
            if k is not None and abs(k - n * d_out) < 1e-3 * n * d_out:
                raise CheckFailed(f"case '{where}': {k:g} times too large: you summed the squared errors. "
                                  "Hint: the loss is their mean over all n·d_out numbers, "
                                  "so dL/dy_hat = 2 (y_hat - y) / y_hat.numel().")
            if k is not None and abs(k - d_out) < 1e-3 and d_out > 1:
                raise CheckFailed(f"case '{where}': {k:g} times too large. Hint: the mean runs over all "
                                  "n·d_out numbers, not only the n rows: divide by y_hat.numel().")
            if k is not None and abs(k - 0.5) < 1e-3:
                raise CheckFailed(f"case '{where}': half the right value. Hint: the derivative of u² is 2u.")
            if name == "b2" and k is not None and abs(k - 1 / n) < 1e-3:
                raise CheckFailed(f"case '{where}': {n} times too small. Hint: the bias gradient sums over the batch "
                                  "(.sum(dim=0)); the 1/n is already in dL/dy_hat.")
            if name in ("w1", "b1"):
                unmasked = x.T @ d_z1_unmasked if name == "w1" else d_z1_unmasked.sum(dim=0)
                if close(g, unmasked, atol=1e-5):
                    raise CheckFailed(f"case '{where}': the gradient flows through units whose ReLU was off. Hint: "
                                      "ReLU passes the gradient only where z1 > 0: multiply by (z1 > 0).")
                ge = x.T @ d_z1_ge if name == "w1" else d_z1_ge.sum(dim=0)
                if close(g, ge, atol=1e-5):
                    raise CheckFailed(f"case '{where}': wrong where z1 is exactly 0. Hint: PyTorch takes ReLU's slope "
                                      "at 0 to be 0: mask with (z1 > 0), not (z1 >= 0).")
            expect_close(g, e, where, hint=f"compare with autograd: d{name} is wrong, the gradients computed "
                                           "before it in the backward pass are right")
        for name in ("w2", "b2", "w1", "b1"):  # right values; now the dtype: a gradient has its parameter's dtype
            expect_dtype(got[name], params[name].dtype, f"{case}, d{name}")


# --------------------------------------------------------------------------- models

def mlp_size_formula(sizes: tuple[int, ...]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@exercise("mlp")
@isolated
def mlp(cls: type) -> None:
    """cls(in_features, hidden, out_features): Linear -> ReLU -> Linear -> ReLU -> Linear, an nn.Module."""
    for in_f, hidden, out_f in [(2, 8, 1), (5, 16, 3), (1, 4, 2)]:
        case = f"{getattr(cls, '__name__', 'model')}({in_f}, {hidden}, {out_f})"
        torch.manual_seed(0)
        model = answer(cls, in_f, hidden, out_f, case=case)
        expect(isinstance(model, nn.Module), case, f"expected an nn.Module, got {type(model).__name__}. "
               "Hint: subclass nn.Module and call super().__init__() first.")
        n_params = sum(p.numel() for p in model.parameters())
        expected = mlp_size_formula((in_f, hidden, hidden, out_f))
        if n_params == 0:
            raise CheckFailed(f"case '{case}': the model has no parameters. Hint: layers kept in a plain Python list "
                              "or dict are invisible to PyTorch (and to the optimiser); assign each to self.name, "
                              "or use nn.Sequential / nn.ModuleList.")
        if n_params != expected:
            no_bias = sum(a * b for a, b in zip((in_f, hidden, hidden), (hidden, hidden, out_f)))
            hint = ("the Linear layers have no bias: leave bias=True (the default)" if n_params == no_bias
                    else f"three Linear layers {in_f} → {hidden} → {hidden} → {out_f}")
            raise CheckFailed(f"case '{case}': {n_params} parameters, expected {expected}. Hint: {hint}.")
        for batch in (1, 7, 32):
            where = f"{case}, batch of {batch}"
            x = torch.randn(batch, in_f)
            out = answer(model, x, case=where)
            expect_tensor(out, where)
            expect_equal(tuple(out.shape), (batch, out_f), where,
                         hint="return one row of out_features numbers per input row (no squeeze)")
        x = 3 * torch.randn(64, in_f)
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        by_shape = {(m.in_features, m.out_features): m for m in linears}
        layers = [by_shape.get(s) for s in ((in_f, hidden), (hidden, hidden), (hidden, out_f))]
        with torch.no_grad():
            def run(inputs: Tensor) -> Tensor:
                return answer(model, inputs, case=case)

            got = run(x)
            affine = close(run(x[:32] + x[32:]), run(x[:32]) + run(x[32:]) - run(torch.zeros_like(x[:32])), atol=1e-5)
            if len(linears) == 3 and all(layers):
                expected_out = layers[2](F.relu(layers[1](F.relu(layers[0](x)))))
                if close(got, expected_out):
                    continue
                if close(got, F.relu(expected_out)):
                    raise CheckFailed(f"case '{case}': your outputs are never negative. Hint: no activation after the "
                                      "last layer — it outputs raw scores (logits) or regression values.")
                affine = affine or close(got, layers[2](layers[1](layers[0](x))))
        if affine:
            raise CheckFailed(f"case '{case}': the model is linear. Hint: without a non-linearity between them, "
                              "stacked Linear layers collapse into one linear map; "
                              "put nn.ReLU() after each hidden Linear.")
        expect(len(linears) == 3 and all(layers), case, f"expected three nn.Linear layers {in_f}→{hidden}, "
               f"{hidden}→{hidden}, {hidden}→{out_f}; found {[(m.in_features, m.out_features) for m in linears]}.")
        raise CheckFailed(f"case '{case}': the outputs differ from Linear → ReLU → Linear → ReLU → Linear "
                          "with your layers' weights. Hint: use ReLU (not another activation), once after each "
                          "hidden Linear, and the layers in order.")


@exercise("parameter_formula")
def parameter_formula(fn: Callable[[tuple[int, ...]], int]) -> None:
    """parameter_formula(sizes): parameters of an MLP with these layer sizes (input, hidden..., output), by formula."""
    # unequal widths in both directions, one layer, sizes of 1, more than ten layers, and widths of 1000 (a count in
    # the millions: an int, not a float that would round)
    for sizes in [(2, 64, 64, 1), (1, 1), (3, 1), (10, 5, 5, 5, 2), (784, 128, 10), (1, 7, 1),
                  (3,) + (4,) * 11 + (2,), (1000, 1000, 1000, 1)]:
        case = f"sizes {sizes}"
        got = answer(fn, sizes, case=case)
        expected = sum(layer.weight.numel() + layer.bias.numel() for layer in
                       (nn.Linear(a, b, device="meta") for a, b in zip(sizes[:-1], sizes[1:])))
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            number = got.item() if isinstance(got, Tensor) and got.numel() == 1 else got
            if isinstance(number, numbers.Real) and float(number) == expected:
                raise CheckFailed(f"case '{case}': right number, but a {type(got).__name__}. "
                                  "Hint: a count is a Python int.")
            raise CheckFailed(f"case '{case}': expected the int {expected}, got {got!r}. "
                              "Hint: each Linear(in, out) has in·out weights and out biases; "
                              "sum over consecutive pairs of sizes.")
        if got == expected:
            continue
        weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        known = {  # first: with two sizes it equals `weights`, and the entries after it take precedence
            weights + sum(sizes[1:-1]): "the output layer has biases too: one per output of *every* Linear layer",
            weights: "you counted the weights only: each Linear(in, out) also has out biases",
            weights + sum(sizes): "the input layer has no biases: one bias per output of each layer (sum of sizes[1:])",
            weights + sum(sizes[:-1]): "there is one bias per *output* of each layer (out), not per input",
        }
        expect_equal(got, expected, case, hint=known.get(int(got), "each Linear(in, out) has in·out weights and out "
                                                                   "biases; sum over consecutive pairs of sizes"))


# --------------------------------------------------------------------------- training

def _train_problems() -> list[tuple[str, nn.Module, Callable[[Any], torch.optim.Optimizer], nn.Module, Tensor, Tensor]]:
    gen = torch.Generator().manual_seed(3)
    torch.manual_seed(3)
    return [
        ("regression, SGD, MSELoss", nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1)),
         lambda p: torch.optim.SGD(p, lr=0.1), nn.MSELoss(), torch.randn(32, 1, generator=gen),
         torch.randn(32, 1, generator=gen)),
        ("3 classes, Adam, CrossEntropyLoss",
         nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)),
         lambda p: torch.optim.Adam(p, lr=0.01), nn.CrossEntropyLoss(), torch.randn(20, 2, generator=gen),
         torch.randint(0, 3, (20,), generator=gen)),
        ("batch of one, SGD with momentum, BCEWithLogitsLoss",
         nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 1)),
         lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), nn.BCEWithLogitsLoss(), torch.randn(1, 4, generator=gen),
         torch.ones(1, 1)),
    ]


@exercise("train_step")
@isolated
def train_step(fn: Callable[[nn.Module, torch.optim.Optimizer, Callable, Tensor, Tensor], float]) -> None:
    """train_step(model, optimizer, loss_fn, x, y): one step (zero_grad, forward, loss, backward, step);
    return loss.item()."""
    for case, model, make_optimizer, loss_fn, x, y in _train_problems():
        ref = copy.deepcopy(model)
        optimizer, ref_optimizer = make_optimizer(model.parameters()), make_optimizer(ref.parameters())
        for step in range(1, 4):
            where = f"{case}, step {step}"
            before = [p.detach().clone() for p in model.parameters()]
            ref_optimizer.zero_grad()
            ref_loss = loss_fn(ref(x), y)
            ref_loss.backward()
            ref_optimizer.step()
            got = answer(fn, model, optimizer, loss_fn, x, y, case=where, changes=(0, 1))
            params = list(model.parameters())
            if not all(close(p, r) for p, r in zip(params, ref.parameters())):
                if all(close(p, b) for p, b in zip(params, before)):
                    if all(p.grad is None for p in params):
                        raise CheckFailed(f"case '{where}': the parameters did not change and have no gradient. "
                                          "Hint: call loss.backward() before optimizer.step().")
                    raise CheckFailed(f"case '{where}': the gradients were computed but the parameters did not "
                                      "change. Hint: call optimizer.step() after loss.backward().")
                if step > 1:
                    raise CheckFailed(f"case '{where}': step 1 was right but this step is not. Hint: gradients "
                                      "accumulate across backward() calls: call optimizer.zero_grad() at each step.")
                raise CheckFailed(f"case '{where}': the parameters after your step differ from one step of "
                                  "zero_grad → forward → loss → backward → step. Hint: use the optimizer, loss "
                                  "function and batch you are given, and take exactly one step.")
            got = expect_float(got, where, "return loss.item(): a number, not a tensor that keeps the graph alive")
            expect_close(got, ref_loss.item(), where + " (returned loss)",
                         hint="return the loss of this batch computed before optimizer.step()")


@exercise("accuracy")
@isolated
def accuracy(fn: Callable[[Tensor, Tensor], float]) -> None:
    """accuracy(logits, y): fraction right; one column → binary (logit > 0 means 1),
    k ≥ 2 columns → argmax over dim 1."""
    cases = [
        ("binary, y of shape (n, 1)", torch.tensor([[2.0], [-1.0], [0.3], [-0.2], [0.1], [-3.0], [1.2]]),
         torch.tensor([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0], [1.0]])),
        ("binary, y of shape (n,)", torch.tensor([[1.5], [-0.4], [0.2], [-2.0], [0.45]]),
         torch.tensor([1.0, 0.0, 0.0, 0.0, 1.0])),
        ("binary, all logits negative, all labels 0", -torch.rand(4, 1) - 0.1, torch.zeros(4, 1)),
        ("binary, batch of one", torch.tensor([[0.4]]), torch.tensor([[1.0]])),
        ("3 classes",
         torch.tensor([[2.0, 0.1, -1.0], [0.0, 0.5, 0.2], [-1.0, -2.0, -0.5], [0.3, 0.2, 0.1], [1.0, 3.0, 2.0]]),
         torch.tensor([0, 1, 2, 2, 1])),
        ("3 classes, square (n = k)", torch.tensor([[0.1, 0.9, -0.3], [0.8, 0.1, 0.2], [-0.5, 0.4, 0.3]]),
         torch.tensor([1, 2, 1])),
        ("2 classes as two columns", torch.tensor([[0.2, -0.1], [-1.0, 1.0], [0.5, 0.6], [3.0, 0.0]]),
         torch.tensor([1, 1, 1, 0])),
        ("4 classes, batch of one", torch.tensor([[-1.0, -0.2, -3.0, -0.5]]), torch.tensor([1])),
        # "logit > 0 means 1": a logit of exactly 0 predicts 0
        ("binary, logits exactly 0", torch.tensor([[0.0], [1.0], [-1.0], [0.0]]),
         torch.tensor([[0.0], [1.0], [0.0], [0.0]])),
        ("binary, integer labels (int64)", torch.tensor([[0.7], [-0.2], [0.1]]), torch.tensor([1, 0, 0])),
        ("3 classes in float64", torch.tensor([[0.1, 0.2, 0.3], [0.5, -0.5, 0.0]], dtype=torch.float64),
         torch.tensor([2, 1])),
    ]
    for case, logits, y in cases:
        n = logits.shape[0]
        binary = logits.shape[1] == 1
        pred = (logits[:, 0] > 0).float() if binary else logits.argmax(dim=1).to(y.dtype)
        expected = (pred == y.reshape(-1)).float().mean().item()
        known: dict[str, float] = {}
        if binary:
            known["sigmoid applied twice"] = ((torch.sigmoid(torch.sigmoid(logits[:, 0])) > 0.5).float()
                                              .eq(y.reshape(-1)).float().mean().item())
            known["logits compared with 0.5"] = ((logits[:, 0] > 0.5).float() == y.reshape(-1)).float().mean().item()
            known[">= 0"] = ((logits[:, 0] >= 0).float() == y.reshape(-1).float()).float().mean().item()
            # (n,) compared with (n, 1), or (n, 1) with (n,), broadcasts to an (n, n) table
            known["broadcast"] = ((logits[:, 0] > 0).float()[:, None] == y.reshape(-1)[None, :]).float().mean().item()
        else:
            known["argmax over dim 0"] = ((logits.argmax(dim=0) == y).float().mean().item()
                                          if logits.shape[1] == n else float("nan"))
        known["count"] = expected * n
        got = answer(fn, logits.clone(), y.clone(), case=case, hints={
            "must match the size": "shapes disagree: the predicted class is argmax over the class axis (dim=1), "
                                   "one per row; and compare with y flattened to (n,)."})
        got = expect_float(got, case, "return a Python float: (...).float().mean().item()")
        if abs(got - expected) <= 1e-6:
            continue
        hints = {
            "sigmoid applied twice": "sigmoid(logit) is already a probability; a sigmoid of that is always > 0.5. "
                                     "Predict 1 where the logit > 0 (equivalently sigmoid(logit) > 0.5, once).",
            "logits compared with 0.5": "logits are not probabilities: the boundary is logit > 0 (sigmoid(0) = 0.5).",
            "broadcast": "predictions of shape (n,) compared with y of shape (n, 1) broadcast to an (n, n) table: "
                         "flatten y with y.reshape(-1) (or y.view(-1)) first.",
            "argmax over dim 0": "argmax over dim 0 picks a row for each class; the predicted class of each row is "
                                 "argmax over dim 1.",
            "count": "return the fraction of rows that are right (mean), not their number (sum).",
            ">= 0": "a logit of exactly 0 is sigmoid 0.5, not more: predict 1 only where logit > 0 (strictly).",
        }
        for mistake, value in known.items():
            if abs(got - value) <= 1e-6:
                raise CheckFailed(f"case '{case}': expected accuracy {expected:g}, got {got:g}. Hint: {hints[mistake]}")
        expect_close(got, expected, case, atol=1e-6,
                     hint="binary: (logits[:, 0] > 0) vs y; k classes: logits.argmax(dim=1) vs y; then the mean")
