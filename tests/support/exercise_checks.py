"""What the tests of every lab's exercise checks share: a stub answer, and a wrong answer that must be rejected."""

import pytest

from dlpractice.checks.core import CheckFailed


def stub(*args, **kwargs):
    """An exercise not attempted yet, as the exercise notebook hands it over."""
    raise NotImplementedError("exercise: write your answer here")


def fails(check_fn, *answers, match: str) -> None:
    """`check_fn(*answers)` rejects the answers with a CheckFailed whose message matches the regular expression."""
    with pytest.raises(CheckFailed, match=match):
        check_fn(*answers)
