"""What every check shares: running a student's answer on cases, comparing it, and saying
passed / failed / not attempted.

Every call of a student's code goes through `attempt`, which also holds it to the properties every exercise shares
(see `side_effects`): inputs unchanged, no result aliasing an input, PyTorch's global state and the given models
left as they were. A check never raises anything but CheckFailed: if an unusual answer trips the check's own code,
the student gets a line saying so, not a traceback. Only the stub's own NotImplementedError means "not attempted".
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from dlpractice.checks.side_effects import SideEffect, attached, is_tensor, watched
from dlpractice.course.notebooks import RESULT_MIME, STUB_MESSAGE

# Notebook outputs carry this MIME type so `dlpractice check` can read results back from an executed notebook.


class CheckFailed(AssertionError):
    """A wrong answer. In Jupyter it shows as its message alone, not as a traceback into dlpractice."""

    def _render_traceback_(self) -> list[str]:  # IPython's hook for custom error display
        return [f"\x1b[31m✘ {self}\x1b[0m"]


def in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def show(exercise: str, status: str, message: str) -> None:
    """One line for the student, plus a machine-readable copy for `dlpractice check`."""
    colour = {"passed": "green", "not attempted": "gray"}.get(status, "red")
    text = f"{'✔' if status == 'passed' else '–'} {exercise}: {message}"
    if in_ipython():
        from IPython.display import display

        display({
                "text/plain": text,
            "text/html": f'<span style="color:{colour}">{text}</span>',
            RESULT_MIME: {"exercise": exercise, "status": status, "message": message},
        }, raw=True)
    else:
        print(text)


def is_stub(err: BaseException) -> bool:
    """The exercise notebook's stub (or a bare `raise NotImplementedError`), not an error PyTorch raised."""
    return type(err) is NotImplementedError and (not err.args or err.args[0] == STUB_MESSAGE)


def exercise(name: str) -> Callable:
    """Decorate a check: a stub (NotImplementedError) is 'not attempted'; a CheckFailed names the exercise.

    The check returns True (passed) or False (not attempted) — except in Jupyter, where it returns None so that
    the cell does not print a bare `True` under the line that already says so.
    """

    def decorate(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(*args: Any, **kwargs: Any) -> bool | None:
            try:
                check(*args, **kwargs)
            except NotImplementedError as err:
                if not is_stub(err):
                    raise CheckFailed(f"{name}: your code raised NotImplementedError: {err}") from None
                show(name, "not attempted", "not attempted yet (the stub still raises NotImplementedError)")
                return None if in_ipython() else False
            except CheckFailed as failure:
                raise CheckFailed(f"{name}: {failure}") from None
            except Exception as err:  # the check's own code could not handle this answer: say so, never a traceback
                detail = str(err).strip().splitlines()[0] if str(err).strip() else ""
                raise CheckFailed(
                    f"{name}: your answer has a form this check cannot work with ({type(err).__name__}: {detail}). "
                    "Look at what it returns (type, shape, dtype) against the exercise's text."
                ) from None
            show(name, "passed", "correct")
            return None if in_ipython() else True

        run.exercise = name
        return run

    return decorate


def attempt(fn: Callable, *args: Any, case: str, changes: tuple = (), plain: bool = False, keeps_rng: bool = False,
            fresh: bool = False, raises: type[Exception] | None = None, **kwargs: Any) -> Any:
    """Call the student's code and hold it to what every exercise asks (see `side_effects`).

    `changes`: the positions (or keyword names) of the arguments the exercise is meant to change, such as a model it
    trains; every other array, tensor and model must be left as it was. `plain=True`: the result must carry no
    autograd history. `keeps_rng=True`: the global random generators must not be used. `fresh=True`: the result
    shares no memory with the inputs. An error other than the stub's NotImplementedError, and any side effect, is a
    failed case. `raises=SomeError`: the case hands the answer an input on which it must fail (a model whose forward
    pass raises); that error must reach the caller, and everything above is still checked (a hook left behind by
    the failed call, say). Returns None then.
    """
    try:
        with watched(fn, args, kwargs, changes, keeps_rng, fresh) as results:
            results.append(fn(*args, **kwargs))
    except SideEffect as effect:
        raise CheckFailed(f"case '{case}': {effect}") from None
    except Exception as err:  # any error in student code is reported, never shown as our traceback
        if raises is not None and isinstance(err, raises) and not is_stub(err):
            return None
        if is_stub(err):
            raise
        raise CheckFailed(f"case '{case}': your code raised {type(err).__name__}: {err}") from None
    if raises is not None:
        raise CheckFailed(f"case '{case}': the {raises.__name__} raised inside did not reach the caller; let it "
                          "through (clean up in a `finally:` block rather than catching it)")
    if plain and attached(results[0]):
        raise CheckFailed(f"case '{case}': your result is still attached to the autograd graph (requires_grad=True); "
                          "return plain values: compute under `torch.no_grad()` or `.detach()` the result")
    return results[0]


def dtype_name(dtype: Any) -> str:
    """'float64' for torch.float64, np.float64 and np.dtype('float64') alike."""
    text = str(dtype)
    return text.removeprefix("torch.") if text.startswith("torch.") else str(np.dtype(dtype))


def expect_dtype(got: Any, expected: Any, case: str) -> None:
    """The result's dtype is the one the text asks for (float64 in, float64 out; integers where it says counts)."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and dtype_name(dtype) != dtype_name(expected):
        raise CheckFailed(f"case '{case}': {dtype_name(expected)} expected, {dtype_name(dtype)} out; keep the dtype "
                          "the exercise asks for (no `.float()`, `np.float32` or integer rounding on the way)")


def as_bool(got: Any, case: str) -> bool:
    """True/False as the text says, accepting NumPy's and PyTorch's one-element booleans too."""
    if isinstance(got, (bool, np.bool_)):
        return bool(got)
    one_bool = (isinstance(got, np.ndarray) and got.dtype == bool and got.size == 1) or (
        is_tensor(got) and str(got.dtype) == "torch.bool" and got.numel() == 1)
    if one_bool:
        return bool(got.item())
    raise CheckFailed(f"case '{case}': expected True or False, got {type(got).__name__} {got!r}")


def as_array(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def expect_close(got: Any, expected: Any, case: str, hint: str = "", atol: float = 1e-5, rtol: float = 1e-4) -> None:
    """Same shape and values within tolerance (tensors, arrays or numbers), else a CheckFailed that says how."""
    suffix = f" Hint: {hint}" if hint else ""
    if got is None:
        raise CheckFailed(f"case '{case}': got None — did you forget to return the result?{suffix}")
    got_a, exp_a = as_array(got), as_array(expected)
    if got_a.shape != exp_a.shape:
        raise CheckFailed(f"case '{case}': expected shape {tuple(exp_a.shape)}, got {tuple(got_a.shape)}.{suffix}")
    if not np.allclose(got_a.astype(float), exp_a.astype(float), atol=atol, rtol=rtol, equal_nan=True):
        worst = (np.unravel_index(np.argmax(np.abs(got_a.astype(float) - exp_a.astype(float))), exp_a.shape)
                 if exp_a.ndim else ())
        where = f" at index {tuple(int(i) for i in worst)}" if exp_a.ndim else ""
        raise CheckFailed(
            f"case '{case}': values differ{where}: expected {exp_a[worst].item()!r}, got {got_a[worst].item()!r} "
            f"(tolerance atol={atol:g}, rtol={rtol:g}).{suffix}"
        )


def expect_equal(got: Any, expected: Any, case: str, hint: str = "") -> None:
    if got != expected:
        suffix = f" Hint: {hint}" if hint else ""
        raise CheckFailed(f"case '{case}': expected {expected!r}, got {got!r}.{suffix}")


def expect(condition: bool, case: str, message: str) -> None:
    if not condition:
        raise CheckFailed(f"case '{case}': {message}")
