"""Check helpers for answers that are tensors, models or training steps (shared by the labs' check modules)."""

from __future__ import annotations

import functools
import numbers
from typing import Any, Callable

import numpy as np
import torch
from torch import Tensor, nn

from dlpractice.checks.core import CheckFailed, attempt, expect


def isolated(check: Callable) -> Callable:
    """Run a check with its own random state, so it neither depends on nor disturbs the notebook's."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> Any:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return check(*args, **kwargs)

    return run


def answer(fn: Callable, *args: Any, case: str, hints: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """`attempt`, plus a hint when the error the student's code raised is a known one (matched by text)."""
    try:
        return attempt(fn, *args, case=case, **kwargs)
    except CheckFailed as failure:
        for pattern, hint in (hints or {}).items():
            if pattern in str(failure):
                raise CheckFailed(f"{failure} Hint: {hint}") from None
        raise


def close(a: Any, b: Any, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Same shape and values (for recognising a known wrong answer; never raises)."""
    try:
        a_ = a.detach().cpu().numpy() if isinstance(a, Tensor) else np.asarray(a)
        b_ = b.detach().cpu().numpy() if isinstance(b, Tensor) else np.asarray(b)
        return a_.shape == b_.shape and bool(np.allclose(a_.astype(float), b_.astype(float), atol=atol, rtol=rtol))
    except (TypeError, ValueError):
        return False


def expect_tensor(got: Any, case: str, what: str = "a torch.Tensor") -> None:
    if got is None:
        raise CheckFailed(f"case '{case}': got None — did you forget to return the result?")
    expect(isinstance(got, Tensor), case, f"expected {what}, got {type(got).__name__}.")


def scale_of(got: Tensor, expected: Tensor) -> float | None:
    """k when got ≈ k · expected (k ≠ 1), else None: recognises a missing factor such as 2 or 1/n."""
    if got.shape != expected.shape or float((expected * expected).sum()) == 0:
        return None
    k = float((got * expected).sum() / (expected * expected).sum())
    return k if abs(k - 1) > 1e-3 and close(got, k * expected, atol=1e-6) else None


def expect_float(got: Any, case: str, hint: str) -> float:
    if isinstance(got, Tensor):
        raise CheckFailed(f"case '{case}': expected a Python float, got a tensor. Hint: {hint}")
    expect(isinstance(got, numbers.Real) and not isinstance(got, bool), case,
           f"expected a Python float, got {type(got).__name__}. Hint: {hint}")
    return float(got)


def randomize_batch_norms(model: nn.Module) -> None:
    """Give every BatchNorm2d non-trivial statistics and affine parameters, so a forgotten one shows."""
    for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
        with torch.no_grad():
            if bn.track_running_stats:  # BatchNorm2d(track_running_stats=False) keeps none
                bn.running_mean.normal_(0, 0.5)
                bn.running_var.uniform_(0.5, 2.0)
            if bn.affine:  # BatchNorm2d(affine=False) has no weight and bias: a valid answer too
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.normal_(0, 0.5)
