"""What every lab's check module promises, whatever the lab: each check carries its exercise's name, and an exercise
still holding the notebook's stub is "not attempted" (False, one grey line), never a failure."""

import importlib
import inspect
import pkgutil

import pytest

import dlpractice.checks
from support.exercise_checks import stub

MODULES = sorted(m.name for m in pkgutil.iter_modules(dlpractice.checks.__path__) if m.name.startswith("lab"))
CHECKS = [(module, name) for module in MODULES
          for name in importlib.import_module(f"dlpractice.checks.{module}").__all__]


def test_every_lab_has_a_check_module():
    from dlpractice.course.registry import LABS

    assert MODULES == [f"lab{lab_id}" for lab_id in sorted(LABS)]


@pytest.mark.parametrize("module, name", CHECKS, ids=[f"{m}.{n}" for m, n in CHECKS])
def test_a_check_is_named_after_its_exercise_and_a_stub_is_not_attempted(module, name, capsys):
    check = getattr(importlib.import_module(f"dlpractice.checks.{module}"), name)
    assert check.exercise == name
    answers = [stub] * len(inspect.signature(check).parameters)  # one per function the exercise asks for (save, load)
    assert check(*answers) is False
    assert f"{name}: not attempted" in capsys.readouterr().out
