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


import json  # noqa: E402
import math  # noqa: E402

import pytest  # noqa: E402

from dlpractice.course.errors import UserError  # noqa: E402
from dlpractice.course.runs import check_out, external_launcher, is_main_process, shared_run_dir, write_json  # noqa: E402

LAUNCH_VARIABLES = ("RANK", "LOCAL_RANK", "NODE_RANK", "SLURM_PROCID", "SLURM_STEP_ID", "SLURM_NTASKS", "SLURM_JOB_ID",
                    "TORCHELASTIC_RUN_ID")


@pytest.fixture
def no_launcher(monkeypatch):
    for name in LAUNCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("env, main", [
    ({}, True),
    ({"LOCAL_RANK": "1"}, False),  # Lightning's own DDP worker
    ({"NODE_RANK": "1", "LOCAL_RANK": "0"}, False),
    ({"RANK": "0", "LOCAL_RANK": "0"}, True),  # torchrun, rank 0
    ({"RANK": "2", "LOCAL_RANK": "0"}, False),  # torchrun, first process of the second node
    ({"SLURM_PROCID": "0"}, True),  # a plain sbatch script sets it too
    ({"SLURM_PROCID": "3", "SLURM_LOCALID": "1"}, False),
])
def test_only_rank_zero_is_the_main_process(no_launcher, env, main):
    for name, value in env.items():
        no_launcher.setenv(name, value)
    assert is_main_process() is main


def test_external_launchers_are_recognised(no_launcher):
    assert external_launcher() is None
    no_launcher.setenv("SLURM_STEP_ID", "0")
    no_launcher.setenv("SLURM_NTASKS", "1")
    assert external_launcher() is None  # one task of srun (or a batch script): a run like any other
    no_launcher.setenv("SLURM_NTASKS", "4")
    assert external_launcher() == "slurm"
    no_launcher.setenv("TORCHELASTIC_RUN_ID", "abc")
    assert external_launcher() == "torchrun"


def test_slurm_tasks_share_the_job_steps_folder(no_launcher, tmp_path):
    for name, value in {"SLURM_JOB_ID": "77", "SLURM_STEP_ID": "1", "SLURM_NTASKS": "2", "SLURM_PROCID": "0"}.items():
        no_launcher.setenv(name, value)
    made = shared_run_dir(tmp_path, "cnn")
    assert made == tmp_path / "cnn" / "slurm-77.1"
    no_launcher.setenv("SLURM_PROCID", "1")
    assert shared_run_dir(tmp_path, "cnn") == made  # the other tasks find it without creating anything
    assert [p.name for p in (tmp_path / "cnn").iterdir()] == ["slurm-77.1"]


def test_non_finite_numbers_are_written_as_json_null(tmp_path):
    path = tmp_path / "m.json"
    write_json(path, {"a": math.nan, "b": [1.0, math.inf], "c": {"d": -math.inf}, "e": 0.5})
    assert json.loads(path.read_text()) == {"a": None, "b": [1.0, None], "c": {"d": None}, "e": 0.5}


def test_an_out_folder_under_a_file_is_refused_before_anything_is_made(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(UserError, match="is a file"):
        check_out(tmp_path / "f" / "runs")
    check_out(tmp_path / "new" / "runs")  # creatable: fine, and nothing is made yet
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]
    with pytest.raises(UserError, match="cannot create a run folder"):
        new_run_dir(tmp_path / "f" / "runs", "lab")
