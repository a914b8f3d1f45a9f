"""Every notebook source builds, stays in sync with its generated notebooks, and executes in a real kernel."""

import time
from pathlib import Path

import pytest

from dlpractice.course.notebooks.build import build, strip_solutions
from dlpractice.course.notebooks.grade import grade

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.py"))


def test_there_are_notebook_sources():
    assert SOURCES, "no notebooks/NN-name.py sources"


def test_generated_notebooks_match_a_fresh_build(tmp_path):
    build(ROOT / "notebooks", tmp_path)
    for kind in ("solutions", "exercises"):
        for fresh in sorted((tmp_path / kind).glob("*.ipynb")):
            committed = ROOT / "notebooks" / kind / fresh.name
            assert committed.is_file(), f"{committed} is missing: run `dlpractice notebooks build`"
            assert committed.read_text() == fresh.read_text(), f"{committed} is stale: run `dlpractice notebooks build`"


def test_strip_solutions_keeps_the_todo_and_indentation():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    # TODO: return twice x\n    return 2 * x\n    ### END SOLUTION\ncheck.f(f)"
    assert strip_solutions(source, "s.py") == (
        "def f(x):\n    # TODO: return twice x\n    raise NotImplementedError(\"exercise: write your answer here\")\ncheck.f(f)"
    )


@pytest.fixture
def quick_env(monkeypatch):
    monkeypatch.setenv("DLPRACTICE_QUICK", "1")
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "agg")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_solution_notebook_runs_and_passes_every_check(source, quick_env, capsys):
    start = time.perf_counter()
    graded = grade(ROOT / "notebooks" / "solutions" / f"{source.stem}.ipynb", cell_timeout=120)
    with capsys.disabled():
        print(f"\n{source.stem} solutions: {time.perf_counter() - start:.1f} s")
    assert graded.timed_out is None
    assert graded.other_errors == []
    assert graded.results, "the notebook calls no check"
    failed = [(r.exercise, r.status, r.detail) for r in graded.results if r.status != "passed"]
    assert failed == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_exercise_notebook_runs_with_every_exercise_not_attempted(source, quick_env):
    graded = grade(ROOT / "notebooks" / "exercises" / f"{source.stem}.ipynb", cell_timeout=120)
    assert graded.timed_out is None
    assert graded.other_errors == []
    assert {r.status for r in graded.results} == {"not attempted"}
