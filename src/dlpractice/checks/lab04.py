"""Checks for lab 04 (regularization): `from dlpractice.checks import lab04 as check`, then `check.NAME(answer)`.

Each check compares the answer with what PyTorch does (nn.BatchNorm1d, SGD's weight_decay, torchvision's
RandomCrop with padding, Lightning's EarlyStopping rule) or, for the random ones (dropout, random shifts),
tests the statistics of many draws under a fixed seed, and names the classic mistake when it recognises one.
Checks fork the random state, so calling one never changes the numbers a notebook draws afterwards.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlpractice.checks.core import CheckFailed, as_bool, exercise, expect, expect_close, expect_dtype, expect_equal
from dlpractice.checks.distributions import expect_count, expect_differs, expect_spread, expect_uniform
from dlpractice.checks.tensors import answer, close, expect_tensor, isolated

__all__ = ["dropout", "batch_norm_train", "l2_penalty", "random_shift", "early_stopping"]


# --------------------------------------------------------------------------- dropout

@exercise("dropout")
@isolated
def dropout(fn: Callable[[Tensor, float, bool], Tensor]) -> None:
    """dropout(x, p, training): in training, zero each entry with probability p and scale the rest by 1/(1-p);
    else x."""
    inputs = torch.Generator().manual_seed(1)  # inputs from a generator of their own, masks from the global one
    x = torch.rand(200, 500, generator=inputs) + 0.5  # no zeros: a zero in the output was dropped
    for p in (0.2, 0.5):
        case = f"evaluation mode (training=False), p={p}"
        got = answer(fn, x.clone(), p, False, case=case)
        expect_tensor(got, case)
        expect_equal(tuple(got.shape), tuple(x.shape), case, hint="dropout keeps the shape of its input")
        if not close(got, x, atol=0, rtol=0):
            if abs((got == 0).float().mean().item() - p) < 0.02:
                raise CheckFailed(f"case '{case}': you dropped entries in evaluation mode. Hint: dropout is only for "
                                  "training; with training=False return x unchanged.")
            raise CheckFailed(f"case '{case}': the output differs from x. Hint: with inverted dropout all the scaling "
                              "happens in training; with training=False return x unchanged.")
    for p, shape in [(0.2, (50, 20, 100)), (0.5, (200, 500)), (0.8, (100_000,))]:
        case = f"training, p={p}, x of shape {shape}"
        x = torch.rand(shape, generator=inputs) + 0.5
        got = answer(fn, x, p, True, case=case)
        expect_tensor(got, case)
        expect_equal(tuple(got.shape), shape, case, hint="dropout keeps the shape of its input")
        again = answer(fn, x, p, True, case=case)
        expect_tensor(again, case)
        expect_differs(got == 0, again == 0, case, "mask")
        dropped = (got == 0).float().mean().item()
        if abs(dropped - (1 - p)) < 0.01 and abs(dropped - p) > 0.05:
            raise CheckFailed(f"case '{case}': {dropped:.1%} of the entries are zero, expected about p = {p:.0%}. "
                              "Hint: p is the probability of dropping an entry, not of keeping it.")
        if dropped == 0:
            raise CheckFailed(f"case '{case}': nothing was dropped. Hint: in training, "
                              "zero each entry with probability p (torch.rand_like(x) < p marks the ones to drop).")
        if len(shape) > 1 and float((got == 0).flatten(1).all(dim=1).float().mean()) > 0.05:  # never, independently
            raise CheckFailed(f"case '{case}': whole rows were dropped together. "
                              "Hint: draw one independent decision per entry: a mask of the same shape as x.")
        # the number dropped, and how it varies from row to row, as independent draws with probability p give them
        expect_count(int((got == 0).sum()), got.numel(), p, case, "entries dropped")
        if len(shape) > 1:
            expect_spread((got == 0).flatten(1).sum(dim=1), got[0].numel(), p, case, "entries dropped per row")
        kept = got != 0
        scale = got[kept] / x[kept]
        factor = scale.mean().item()
        expect(bool((scale - factor).abs().max() < 1e-4 * factor), case,
               "the kept entries are not all multiplied by the same number. Hint: keep them as x / (1 - p).")
        for wrong, hint in [(1.0, "the kept entries are unchanged, so the mean shrinks to (1 - p) times the input's. "
                                  "Inverted dropout divides the kept entries by 1 - p (the probability of keeping) so "
                                  "that every entry keeps its expected value"),
                            (1 / p, "you divided by p; divide by 1 - p, the probability of keeping an entry"),
                            (p, "you multiplied by p; "
                                "divide the kept entries by 1 - p, the probability of keeping one"),
                            (1 - p, "you multiplied by 1 - p (old-style dropout rescales at evaluation time); inverted "
                                    "dropout divides by 1 - p in training instead")]:
            if abs(factor - wrong) < 1e-4 * wrong and abs(wrong - 1 / (1 - p)) > 1e-3:
                raise CheckFailed(f"case '{case}': kept entries are multiplied by {factor:.4g}, expected 1/(1-p) = "
                                  f"{1 / (1 - p):.4g}. Hint: {hint}.")
        expect_close(factor, 1 / (1 - p), case, hint="divide the kept entries by 1 - p")
        expect(abs(got.mean().item() / x.mean().item() - 1) < 0.02, case, "the mean of the output is not the mean of "
               "the input. Hint: inverted dropout preserves the expected value of every entry.")
    # The masks follow torch.manual_seed (drawn from PyTorch's global generator, as the text asks): the same seed
    # gives the same masks, so a run is repeatable; and the number dropped varies from call to call as independent
    # draws make it vary (an answer that drops exactly round(p·n) entries every time does not).
    case = "training, p=0.5, the global seed fixed twice"
    x = torch.rand(40, 50) + 0.5
    masks = []
    for _ in range(2):
        torch.manual_seed(11)
        got = answer(fn, x, 0.5, True, case=case)
        expect_tensor(got, case)
        masks.append(got == 0)
    expect(torch.equal(*masks), case, "the same torch.manual_seed gave different masks. Hint: draw the mask from "
           "PyTorch's global generator (torch.rand_like(x)), not from a generator of your own or NumPy's.")
    case = "training, p=0.3, 200 calls on 25 entries"
    small = torch.rand(25) + 0.5
    per_call = [int((answer(fn, small, 0.3, True, case=case) == 0).sum()) for _ in range(200)]
    expect_spread(per_call, 25, 0.3, case, "entries dropped per call")
    case = "training, p=0"
    x = torch.rand(20, 30) + 0.5
    expect_close(answer(fn, x.clone(), 0.0, True, case=case), x, case, hint="with p = 0 nothing is dropped: return x")
    case = "training, p=1"
    got = answer(fn, x.clone(), 1.0, True, case=case)
    expect_close(got, torch.zeros_like(x), case, hint="with p = 1 every entry is dropped: all zeros (x * 0 / 0 is "
                 "NaN: return zeros for p = 1)")
    for training in (True, False):
        case = f"float64 input, p=0.5, training={training}"
        got = answer(fn, torch.rand(30, 40, dtype=torch.float64) + 0.5, 0.5, training, case=case)
        expect_tensor(got, case)
        expect_dtype(got, torch.float64, case)
    case = "training, p=0.5, a single entry"
    got = answer(fn, torch.tensor([2.0]), 0.5, True, case=case)
    expect(isinstance(got, Tensor) and got.shape == (1,) and got.item() in (0.0, 4.0), case,
           f"expected 0 or 2 / (1 - 0.5) = 4, got {got!r}")
    case = "training, p=0.5, x requires grad"
    leaf = (torch.rand(10, 10) + 0.5).requires_grad_(True)
    got = answer(fn, leaf, 0.5, True, case=case)
    expect(isinstance(got, Tensor) and got.requires_grad, case, "the output is cut off from the graph, so no gradient "
           "reaches the layers before dropout. "
           "Hint: use tensor operations on x (no .detach(), .data or torch.no_grad()).")


# --------------------------------------------------------------------------- batch normalisation

def _bn_cases() -> list[tuple[str, Tensor, float, float]]:
    gen = torch.Generator().manual_seed(4)

    def batch(n: int, d: int) -> Tensor:  # each feature with its own mean and spread: normalising the wrong axis shows
        return (torch.randn(n, d, generator=gen) * (0.5 + 3 * torch.rand(d, generator=gen))
                + 5 * torch.randn(d, generator=gen))

    tiny = batch(6, 4)
    tiny[:, 1] = 2.0 + 1e-3 * torch.randn(6, generator=gen)  # a feature that hardly varies: eps matters there
    return [("batch of 4, 3 features", batch(4, 3), 0.1, 1e-5),
            ("batch of 8, 8 features (square)", batch(8, 8), 0.1, 1e-5),
            ("batch of 16, 5 features, eps=0.5", batch(16, 5), 0.1, 0.5),
            ("batch of 2, 6 features, momentum=0.3", batch(2, 6), 0.3, 1e-5),
            ("a feature that hardly varies, eps=1e-3", tiny, 0.2, 1e-3),
            # float64 in, float64 out, to float64 precision (float32 inside would be off by ~1e-7)
            ("float64, batch of 8, 4 features near 1000", batch(8, 4).double() + 1000, 0.1, 1e-5)]


@exercise("batch_norm_train")
@isolated
def batch_norm_train(fn: Callable[..., tuple[Tensor, Tensor, Tensor]]) -> None:
    """batch_norm_train(x, gamma, beta, running_mean, running_var, momentum, eps)
    -> (y, new running mean, new running var), as nn.BatchNorm1d computes them in training mode."""
    for case, x, momentum, eps in _bn_cases():
        n, d = x.shape
        gamma, beta = (1 + 0.5 * torch.randn(d)).to(x.dtype), torch.randn(d).to(x.dtype)
        running_mean, running_var = torch.randn(d).to(x.dtype), (0.5 + torch.rand(d)).to(x.dtype)
        bn = nn.BatchNorm1d(d, eps=eps, momentum=momentum, dtype=x.dtype).train()
        with torch.no_grad():
            bn.weight.copy_(gamma)
            bn.bias.copy_(beta)
            bn.running_mean.copy_(running_mean)
            bn.running_var.copy_(running_var)
            expected = bn(x)
        args = [t.clone() for t in (x, gamma, beta, running_mean, running_var)]
        # the running statistics may be updated in place (nn.BatchNorm1d does) or returned as new tensors
        got = answer(fn, *args, momentum, eps, case=case, changes=(3, 4))
        expect(isinstance(got, (tuple, list)) and len(got) == 3, case, "expected a tuple (y, new_running_mean, "
               f"new_running_var), got {type(got).__name__}.")
        y, new_mean, new_var = got
        expect_tensor(y, case + ", y")
        expect_equal(tuple(y.shape), (n, d), case + ", y", hint="the output has the shape of x")
        mean, var, unbiased = x.mean(dim=0), x.var(dim=0, correction=0), x.var(dim=0, correction=1)
        if not close(y, expected, atol=1e-4):
            row_mean, row_var = x.mean(dim=1, keepdim=True), x.var(dim=1, keepdim=True, correction=0)
            mistakes = [
                (gamma * (x - mean) / torch.sqrt(unbiased + eps) + beta, "you normalised with the unbiased variance "
                 "(n - 1). Batch norm normalises with the batch's own (biased) variance: x.var(dim=0, correction=0) "
                 "(the unbiased one goes only into the running variance)"),
                (gamma * (x - mean) / torch.sqrt(var) + beta, "eps is missing: divide by sqrt(var + eps); it keeps a "
                 "feature that hardly varies from being blown up"),
                (gamma * (x - row_mean) / torch.sqrt(row_var + eps) + beta, "you normalised each row (dim=1). "
                 "Batch norm normalises each feature over the batch: statistics over dim=0"),
                ((x - mean) / torch.sqrt(var + eps), "after normalising, scale by gamma and shift by beta"),
                (gamma * (x - mean) / (var + eps) + beta,
                 "divide by the standard deviation sqrt(var + eps), not the variance"),
            ]
            for wrong, hint in mistakes:
                if close(y, wrong, atol=1e-4):
                    raise CheckFailed(f"case '{case}': the output y is wrong. Hint: {hint}.")
            expect_close(y, expected, case + ", y", atol=1e-4, hint="y = gamma * (x - mean) / sqrt(var + eps) + beta, "
                         "mean and (biased) var of each feature over the batch")
        if x.dtype == torch.float64:
            for name, value, right in (("y", y, expected), ("new running mean", new_mean, bn.running_mean),
                                       ("new running var", new_var, bn.running_var)):
                expect_tensor(value, f"{case}, {name}")
                expect_dtype(value, torch.float64, f"{case}, {name}")
                expect_close(value, right, f"{case}, {name}", atol=1e-9, rtol=1e-9,
                             hint="compute in the input's dtype: float64 in, float64 all the way")
        for name, got_stat, right, wrongs in [
            ("new running mean", new_mean, bn.running_mean, [
                (momentum * running_mean + (1 - momentum) * mean, "PyTorch's momentum is the weight of the *new* batch "
                 "value: new = (1 - momentum) * running + momentum * batch (Keras uses the opposite convention)"),
                (running_mean, "the running mean did not change: update it with this batch's mean"),
                (mean, "return the running average, not this batch's mean: "
                 "(1 - momentum) * running + momentum * batch")]),
            ("new running var", new_var, bn.running_var, [
                ((1 - momentum) * running_var + momentum * var, "the running variance uses the unbiased variance "
                 "of the batch (n - 1), even though the output is normalised with the biased one"),
                (momentum * running_var + (1 - momentum) * unbiased, "PyTorch's momentum is the weight "
                 "of the *new* batch value: new = (1 - momentum) * running + momentum * batch"),
                (running_var, "the running variance did not change: update it with this batch's (unbiased) variance")]),
        ]:
            expect_tensor(got_stat, f"{case}, {name}")
            expect_equal(tuple(got_stat.shape), (d,), f"{case}, {name}", hint="one number per feature")
            if not close(got_stat, right, atol=1e-5):
                for wrong, hint in wrongs:
                    if close(got_stat, wrong, atol=1e-5):
                        raise CheckFailed(f"case '{case}': the {name} is wrong. Hint: {hint}.")
                expect_close(got_stat, right, f"{case}, {name}", hint="compare with nn.BatchNorm1d's running_mean "
                             "and running_var after one batch in training mode")


# --------------------------------------------------------------------------- weight decay

def _penalty_models() -> list[tuple[str, nn.Module, float]]:
    return [("nn.Linear(3, 2), weight_decay=0.1", nn.Linear(3, 2), 0.1),
            ("Linear(4, 8) → ReLU → Linear(8, 3), weight_decay=0.01",
             nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), 0.01),
            ("Linear(5, 6) → BatchNorm1d → ReLU → Linear(6, 2), weight_decay=0.5",
             nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2)), 0.5),
            # layers nested two deep (model.children() alone misses them), and no decay at all: the penalty is 0
            ("nested: Sequential(Sequential(Linear(3, 4), Tanh), Linear(4, 2)), weight_decay=0.05",
             nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), nn.Linear(4, 2)), 0.05),
            ("Linear(2, 2), weight_decay=0", nn.Linear(2, 2), 0.0)]


@exercise("l2_penalty")
@isolated
def l2_penalty(fn: Callable[[nn.Module, float], Tensor]) -> None:
    """l2_penalty(model, weight_decay): the term whose gradient makes an SGD step equal to SGD(weight_decay=...)."""
    for case, model, wd in _penalty_models():
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.3 * torch.randn_like(p))  # batch norm starts at exactly 1 and 0: make every parameter count
        params = list(model.parameters())
        expected = wd / 2 * sum(float((p.detach() ** 2).sum()) for p in params)
        got = answer(fn, model, wd, case=case)
        if not isinstance(got, Tensor):
            raise CheckFailed(f"case '{case}': expected a tensor, got {type(got).__name__}. "
                              "Hint: a Python number carries no gradient; keep the sum as a tensor (no .item()).")
        expect(got.numel() == 1, case, f"expected a single number, got shape {tuple(got.shape)}. Hint: sum over every "
               "parameter and every entry.")
        value = float(got.detach().reshape(()))
        if abs(value - expected) > 1e-5 * max(1.0, expected):
            named = list(model.named_parameters())
            no_bias = wd / 2 * sum(float((p.detach() ** 2).sum()) for name, p in named if "bias" not in name)
            matrices = wd / 2 * sum(float((p.detach() ** 2).sum()) for p in params if p.dim() > 1)
            norms = sum(float(p.detach().norm()) for p in params)
            known = [(2 * expected, "twice the right value: with the factor 1/2, the gradient of (wd/2)·w² is wd·w, "
                                    "which is exactly what SGD's weight_decay adds to each gradient"),
                     *[(left_out, "SGD's weight_decay decays every parameter, biases (and batch-norm parameters) "
                                  "included: sum over model.parameters()") for left_out in (no_bias, matrices)],
                     (wd / 2 * norms, "square the norms: the penalty is the sum of the squared entries"),
                     (wd * norms, "square the norms, and halve: (weight_decay / 2) · Σ‖p‖²")]
            for wrong, hint in known:
                if abs(value - wrong) <= 1e-5 * max(1.0, abs(wrong)):
                    raise CheckFailed(f"case '{case}': expected {expected:.6g}, got {value:.6g}. Hint: {hint}.")
            expect_close(value, expected, case, hint="(weight_decay / 2) · the sum of the squares of every parameter")
        x, y = torch.randn(8, params[0].shape[1]), torch.randn(8, 1)  # params[0]: the first Linear's (out, in) weight
        reference = copy.deepcopy(model)
        loss_fn = lambda out: F.mse_loss(out.sum(dim=1, keepdim=True), y)  # noqa: E731
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        ref_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1, weight_decay=wd)
        ref_optimizer.zero_grad()
        loss_fn(reference(x)).backward()
        ref_optimizer.step()
        optimizer.zero_grad()
        penalty = answer(fn, model, wd, case=case)
        if not penalty.requires_grad:
            raise CheckFailed(f"case '{case}': the penalty has the right value but no gradient flows through it. Hint: "
                              "compute it from the parameters with tensor operations "
                              "(no .item(), .detach() or torch.tensor(...)).")
        (loss_fn(model(x)) + penalty.reshape(())).backward()
        optimizer.step()
        for (name, p), r in zip(model.named_parameters(), reference.parameters()):
            expect_close(p, r, f"{case}, {name} after one SGD step", atol=1e-5,
                         hint="loss + penalty with plain SGD must take the same step as "
                              "SGD(weight_decay=wd) on the loss")


# --------------------------------------------------------------------------- augmentation

def shifted(images: Tensor, dy: int, dx: int) -> Tensor:
    """Every image moved by (dy, dx) pixels, zeros flowing in (`out[i, j] = image[i - dy, j - dx]`)."""
    h, w = images.shape[-2:]
    s = max(abs(dy), abs(dx))
    padded = F.pad(images, (s, s, s, s))
    return padded[..., s - dy: s - dy + h, s - dx: s - dx + w]


def shifts_of(got: Tensor, images: Tensor, max_shift: int) -> tuple[Tensor, Tensor]:
    """(dy, dx) of each output image, -1000 where the output is no zero-filled shift of its input."""
    n = len(images)
    dy, dx = torch.full((n,), -1000), torch.full((n,), -1000)
    for sy in range(-max_shift, max_shift + 1):
        for sx in range(-max_shift, max_shift + 1):
            match = (got == shifted(images, sy, sx)).flatten(1).all(dim=1)
            dy[match], dx[match] = sy, sx
    return dy, dx


@exercise("random_shift")
@isolated
def random_shift(fn: Callable[[Tensor, int], Tensor]) -> None:
    """random_shift(images, max_shift): each image (N, C, H, W) moved by its own random (dy, dx),
    each in -max_shift..max_shift, zeros flowing in."""
    for shape, s in [((400, 1, 8, 8), 2), ((300, 3, 6, 7), 1), ((1, 1, 5, 5), 2), ((5, 1, 10, 10), 0)]:
        case = f"images of shape {shape}, max_shift={s}"
        images = torch.rand(shape) + 0.1  # no zeros: a zero in the output flowed in from outside
        got = answer(fn, images, s, case=case)
        expect_tensor(got, case)
        expect_equal(tuple(got.shape), shape, case, hint="keep the shape: pad by max_shift on every side, then crop "
                                                         "an H×W window (padding alone makes the images bigger)")
        expect_equal(got.dtype, images.dtype, case, hint="keep the dtype of the images")
        dy, dx = shifts_of(got, images, s)
        if (dy == -1000).any():
            i = int((dy == -1000).nonzero()[0])
            rolled = any(torch.equal(got[i], torch.roll(images[i], (a, b), dims=(-2, -1)))
                         for a in range(-s, s + 1) for b in range(-s, s + 1))
            if rolled:
                raise CheckFailed(f"case '{case}': image {i} wraps around: "
                                  "pixels that leave on one side come back on the other. "
                                  "Hint: torch.roll wraps; pad with zeros and crop instead.")
            raise CheckFailed(f"case '{case}': image {i} is not its input moved by whole pixels (at most {s} each way) "
                              "with zeros flowing in. Hint: pad with F.pad(images, (s, s, s, s)) and crop an H×W "
                              "window at offsets between 0 and 2·s.")
        if len(images) < 100:
            continue
        values = set(range(-s, s + 1))
        if len(set(zip(dy.tolist(), dx.tolist()))) == 1:
            raise CheckFailed(f"case '{case}': every image of the batch moved the same way. Hint: draw a (dy, dx) for "
                              "each image, so each gets its own shift.")
        for axis, drawn in (("vertical", dy), ("horizontal", dx)):
            seen = set(drawn.tolist())
            if seen == {0}:
                raise CheckFailed(f"case '{case}': no image moved {axis}ly. Hint: shift along both axes.")
            if seen != values:
                raise CheckFailed(f"case '{case}': {axis} shifts seen {sorted(seen)}, "
                                  f"expected all of {sorted(values)}. "
                                  "Hint: both ends are included: torch.randint(0, 2 * s + 1, ...) draws offsets "
                                  "0..2s (its upper bound is excluded).")
            expect_uniform(torch.bincount(drawn + s, minlength=len(values)), case, f"the {axis} shifts")
        expect(not torch.equal(dy, dx), case, "every image moved as far down as right. Hint: draw dy and dx "
               "independently.")
        # the (dy, dx) pairs, counted over all (2s + 1)² of them: a dx that depends on dy is not uniform there
        expect_uniform(torch.bincount((dy + s) * len(values) + dx + s, minlength=len(values) ** 2), case,
                       "the (vertical, horizontal) shift pairs")
        again = answer(fn, images, s, case=case + ", called again")
        expect_tensor(again, case)
        expect_differs(got, again, case, "shifts")


# --------------------------------------------------------------------------- early stopping

STOPPING_CASES = [  # (what it shows, validation losses, patience)
    ("falls, then rises", [1.0, 0.8, 0.6, 0.7, 0.75, 0.8, 0.9, 1.0], 3),
    ("a plateau of equal losses is no improvement", [1.0, 0.5, 0.5, 0.5, 0.5, 0.4], 3),
    ("an improvement resets the count", [1.0, 0.9, 0.95, 0.97, 0.8, 0.85, 0.9, 0.95, 0.99], 3),
    ("better than the previous epoch but not than the best", [1.0, 0.5, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52], 3),
    ("patience 1", [1.0, 0.9, 0.95, 0.8], 1),
    ("keeps improving: never stops", [5.0, 4.0, 3.0, 2.0, 1.0], 2),
    ("patience 5", [2.0, 1.5, 1.6, 1.4, 1.45, 1.5, 1.41, 1.42, 1.43, 1.44, 1.3], 5),
]


def stop_epoch(losses: list[float], patience: int, strict: bool = True, reset: bool = True, vs_best: bool = True,
               extra: int = 0) -> int | None:
    """The epoch (from 0) at which training stops, or None; the flags give the classic mistakes."""
    best, wait, previous = float("inf"), 0, float("inf")
    for epoch, loss in enumerate(losses):
        reference = best if vs_best else previous
        if loss < reference or (not strict and loss <= reference):
            best, wait = min(best, loss), 0 if reset else wait
        else:
            wait += 1
        previous = loss
        if wait >= patience + extra:
            return epoch
    return None


MISTAKES = [
    (dict(extra=1), "training stopped one epoch late: stop as soon as `patience` epochs in a row have not improved "
                    "(wait >= patience, not wait > patience)"),
    (dict(extra=-1), "training stopped one epoch early: stop when `patience` epochs in a row have not improved, "
                     "counting the epoch that just ended"),
    (dict(strict=False), "a loss equal to the best is no improvement: compare with <, not <="),
    (dict(reset=False), "reset the count of epochs without improvement to 0 whenever the loss improves"),
    (dict(vs_best=False), "compare each loss with the best so far, not with the previous epoch's"),
]


@exercise("early_stopping")
@isolated
def early_stopping(cls: type) -> None:
    """cls(patience).step(val_loss) -> True once `patience` epochs in a row have not lowered
    the best validation loss."""
    got_epochs: list[Any] = []
    for case, losses, patience in STOPPING_CASES:
        where = f"patience {patience}, losses {losses} ({case})"
        stopper = answer(cls, patience, case=where)
        expect(callable(getattr(stopper, "step", None)), where, "the object has no step(val_loss) method.")
        stopped = None
        for epoch, loss in enumerate(losses):
            said = as_bool(answer(stopper.step, loss, case=f"{where}, epoch {epoch}"), f"{where}, epoch {epoch}")
            if said:
                stopped = epoch
                break
        got_epochs.append(stopped)
    for (case, losses, patience), got in zip(STOPPING_CASES, got_epochs):
        expected = stop_epoch(losses, patience)
        if got == expected:
            continue
        for flags, hint in MISTAKES:
            if [stop_epoch(ls, pt, **flags) for _, ls, pt in STOPPING_CASES] == got_epochs:
                raise CheckFailed(f"case '{case}' (patience {patience}, losses {losses}): stopped at epoch {got}, "
                                  f"expected {expected} (epochs count from 0; None: never). Hint: {hint}.")
        raise CheckFailed(f"case '{case}' (patience {patience}, losses {losses}): stopped at epoch {got}, expected "
                          f"{expected} (epochs count from 0; None: never). Hint: keep the best loss so far and a count "
                          "of epochs in a row without a lower loss; stop when that count reaches patience.")
