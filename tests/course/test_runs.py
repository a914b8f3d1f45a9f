"""Run folders: created once under runs/<lab>/, never reused."""

from datetime import datetime

from dlpractice.course.runs import new_run_dir


def test_run_folders_are_never_reused(tmp_path):
    now = datetime(2026, 11, 25, 10, 0, 0)
    first = new_run_dir(tmp_path, "lab", now)
    (first / "metrics.json").write_text("{}")
    second = new_run_dir(tmp_path, "lab", now)
    assert first.name == "20261125-100000" and second.name == "20261125-100000-2"
    assert (first / "metrics.json").read_text() == "{}"
