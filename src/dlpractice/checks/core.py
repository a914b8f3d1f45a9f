"""What every check shares: running a student's answer on cases, comparing it, and saying
passed / failed / not attempted."""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from dlpractice.course.notebooks import RESULT_MIME

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
            except NotImplementedError:
                show(name, "not attempted", "not attempted yet (the stub still raises NotImplementedError)")
                return None if in_ipython() else False
            except CheckFailed as failure:
                raise CheckFailed(f"{name}: {failure}") from None
            show(name, "passed", "correct")
            return None if in_ipython() else True

        run.exercise = name
        return run

    return decorate


def attempt(fn: Callable, *args: Any, case: str, **kwargs: Any) -> Any:
    """Call the student's code; an error other than the stub's NotImplementedError is a failed case."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:  # any error in student code is reported, never shown as our traceback
        raise CheckFailed(f"case '{case}': your code raised {type(err).__name__}: {err}") from None


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
