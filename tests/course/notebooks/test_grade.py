"""Every generated notebook executes in a real kernel: the solutions pass every check, the exercises are all
"not attempted" (and nothing else goes wrong)."""

import time

import pytest

from dlpractice.course.notebooks.grade import grade
from support.paths import NOTEBOOKS

SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.py"))


@pytest.fixture
def quick_env(monkeypatch):
    monkeypatch.setenv("DLPRACTICE_QUICK", "1")
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "agg")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_solution_notebook_runs_and_passes_every_check(source, quick_env, capsys):
    start = time.perf_counter()
    graded = grade(NOTEBOOKS / "solutions" / f"{source.stem}.ipynb", cell_timeout=120)
    with capsys.disabled():
        print(f"\n{source.stem} solutions: {time.perf_counter() - start:.1f} s")
    assert graded.timed_out is None
    assert graded.other_errors == []
    assert graded.results, "the notebook calls no check"
    failed = [(r.exercise, r.status, r.detail) for r in graded.results if r.status != "passed"]
    assert failed == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_exercise_notebook_runs_with_every_exercise_not_attempted(source, quick_env):
    graded = grade(NOTEBOOKS / "exercises" / f"{source.stem}.ipynb", cell_timeout=120)
    assert graded.timed_out is None
    assert graded.other_errors == []
    assert {r.status for r in graded.results} == {"not attempted"}
