"""A lab judged per dataset preset, without any training: its metrics are read off its config, and it records the
number of torch threads it ran with. Fast enough to go through the real runner in every test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dlpractice.course.config import LabConfig
from dlpractice.course.lab import Lab, LabResult, Preset, Target
from dlpractice.course.runs import RunContext

THREADS_SEEN: list[int] = []  # torch.get_num_threads() inside each run, in order


@dataclass
class PresetConfig(LabConfig):
    dataset: Literal["small", "large", "huge"] = "small"
    accuracy: float = 0.9  # what the run "reaches"

    @classmethod
    def quick(cls) -> PresetConfig:
        return cls(accuracy=0.5)


def run(config: PresetConfig, ctx: RunContext) -> LabResult:
    import torch

    THREADS_SEEN.append(torch.get_num_threads())
    return LabResult(metrics={"accuracy": config.accuracy, "loss": round(1 - config.accuracy, 6)})


LAB = Lab(
    name="presets",
    title="A lab with dataset presets, for the runner's tests",
    dataset="none (the metrics come from the config)",
    config=PresetConfig,
    run=run,
    targets=(Target("accuracy", 0.8),),  # the default dataset, "small"
    cpu_budget_s=10,
    preset_key="dataset",
    presets=(
        Preset("large", (Target("accuracy", 0.95), Target("loss", 0.1, "min")), 60),
        Preset("huge", (Target("accuracy", 0.99),), None),  # a GPU job
    ),
)
