"""course.runner: a run is judged by the preset of the dataset it ran on, and runs with the config's thread count."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.course.runner import make_config, run_lab
from dlpractice.course.runs import RunOptions
from support import preset_lab
from support.preset_lab import LAB, PresetConfig

TOY = dataclasses.replace(LAB, id="98")  # as registry.load gives it


@pytest.fixture
def restored_threads():
    """Whatever a test sets torch's thread count to, the next test starts with the count it had before."""
    before = torch.get_num_threads()
    yield before
    torch.set_num_threads(before)


def test_the_default_dataset_is_judged_by_the_labs_own_targets(tmp_path) -> None:
    outcome = run_lab(TOY, PresetConfig(accuracy=0.85), RunOptions(out=tmp_path))
    assert outcome.preset.name == "small" and outcome.preset.targets == LAB.targets
    assert outcome.met == {"accuracy": True}
    report = (outcome.run_dir / "report.md").read_text()
    assert "budget 10 s on a 2-core CPU; preset small" in report
    assert "| accuracy | 0.85 | accuracy >= 0.8 | yes |" in report
    assert "| loss | 0.15 |" in report.split("## Other metrics")[1]  # not a target of this preset


def test_another_dataset_is_judged_by_its_presets_targets_and_budget(tmp_path) -> None:
    outcome = run_lab(TOY, PresetConfig(dataset="large", accuracy=0.9), RunOptions(out=tmp_path))
    assert outcome.preset is LAB.presets[0]
    assert outcome.met == {"accuracy": False, "loss": True}
    report = (outcome.run_dir / "report.md").read_text()
    assert "budget 60 s on a 2-core CPU; preset large" in report
    assert "| accuracy | 0.9 | accuracy >= 0.95 | **no** |" in report
    assert "| loss | 0.1 | loss <= 0.1 | yes |" in report
    assert "accuracy >= 0.8" not in report and "## Other metrics" not in report
    assert json.loads((outcome.run_dir / "metrics.json").read_text())["accuracy"] == 0.9
    assert json.loads((outcome.run_dir / "config.json").read_text())["config"]["dataset"] == "large"


def test_a_gpu_preset_says_so_in_the_report(tmp_path) -> None:
    outcome = run_lab(TOY, PresetConfig(dataset="huge", accuracy=0.995), RunOptions(out=tmp_path))
    assert outcome.preset.name == "huge" and outcome.preset.cpu_budget_s is None
    assert outcome.met == {"accuracy": True}
    assert "(a GPU job; preset huge)" in (outcome.run_dir / "report.md").read_text()


def test_run_from_python_applies_overrides_before_choosing_the_preset(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(registry.LABS, "98", "support.preset_lab")
    outcome = dlpractice.run("presets", overrides={"dataset": "large", "accuracy": 0.97}, out=tmp_path)
    assert outcome.preset.name == "large" and outcome.met == {"accuracy": True, "loss": True}
    assert outcome.run_dir.parent == tmp_path / "presets"
    quick = dlpractice.run("98", quick=True, out=tmp_path)
    assert quick.preset.name == "small" and quick.metrics["accuracy"] == 0.5 and quick.met == {"accuracy": False}


def test_the_lab_runs_with_the_configs_threads_and_the_count_is_restored_after(tmp_path, restored_threads) -> None:
    torch.set_num_threads(2)
    preset_lab.THREADS_SEEN.clear()
    run_lab(TOY, PresetConfig(threads=1), RunOptions(out=tmp_path))
    assert preset_lab.THREADS_SEEN == [1]
    assert torch.get_num_threads() == 2
    run_lab(TOY, PresetConfig(threads=None), RunOptions(out=tmp_path))  # None: whatever torch was set to
    assert preset_lab.THREADS_SEEN == [1, 2]
    assert torch.get_num_threads() == 2


def test_the_thread_count_is_restored_after_a_lab_that_fails(tmp_path, restored_threads) -> None:
    def crash(config, ctx):
        raise RuntimeError("the lab broke")

    torch.set_num_threads(2)
    with pytest.raises(RuntimeError, match="the lab broke"):
        run_lab(dataclasses.replace(TOY, run=crash), PresetConfig(threads=1), RunOptions(out=tmp_path))
    assert torch.get_num_threads() == 2


def test_threads_from_the_command_line_are_validated() -> None:
    assert make_config(TOY, overrides=["threads=1"]).threads == 1
    with pytest.raises(UserError, match="threads"):
        make_config(TOY, overrides=["threads=0"])
