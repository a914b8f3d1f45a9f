"""Every notebook source builds, and the generated notebooks (solutions and exercises) stay in sync with it."""

from dlpractice.course.notebooks.build import build, strip_solutions
from support.paths import NOTEBOOKS

SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.py"))


def test_there_are_notebook_sources():
    assert SOURCES, "no notebooks/NN-name.py sources"


def test_generated_notebooks_match_a_fresh_build(tmp_path):
    build(NOTEBOOKS, tmp_path)
    for kind in ("solutions", "exercises"):
        for fresh in sorted((tmp_path / kind).glob("*.ipynb")):
            committed = NOTEBOOKS / kind / fresh.name
            assert committed.is_file(), f"{committed} is missing: run `dlpractice notebooks build`"
            assert committed.read_text() == fresh.read_text(), f"{committed} is stale: run `dlpractice notebooks build`"


def test_strip_solutions_keeps_the_todo_and_indentation():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    # TODO: return twice x\n    return 2 * x\n    ### END SOLUTION\ncheck.f(f)"
    assert strip_solutions(source, "s.py") == (
        "def f(x):\n    # TODO: return twice x\n    raise NotImplementedError(\"exercise: write your answer here\")\ncheck.f(f)"
    )


def test_one_malformed_source_stops_the_build_before_any_notebook_is_written(tmp_path):
    import shutil

    import pytest

    from dlpractice.course.errors import UserError

    src = tmp_path / "src"
    src.mkdir()
    for source in SOURCES[:2]:
        shutil.copy(source, src / source.name)
    (src / "99-broken.py").write_text("# %%\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n")
    out = tmp_path / "out"
    (out / "exercises").mkdir(parents=True)
    kept = out / "exercises" / SOURCES[0].with_suffix(".ipynb").name
    kept.write_text("the student's copy")
    with pytest.raises(UserError, match="never closed"):
        build(src, out)
    assert sorted(p.name for p in out.rglob("*")) == sorted(["exercises", kept.name])
    assert kept.read_text() == "the student's copy"
