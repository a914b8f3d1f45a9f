"""The lab contract: what every module under `dlpractice.labs` declares."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Literal


@dataclass(frozen=True)
class Target:
    """A threshold a lab's default config must reach on one of its metrics."""

    metric: str
    threshold: float
    direction: Literal["max", "min"] = "max"

    def met(self, value: float | None) -> bool:
        if value is None or math.isnan(value):
            return False
        return value >= self.threshold if self.direction == "max" else value <= self.threshold

    def __str__(self) -> str:
        sign = ">=" if self.direction == "max" else "<="
        return f"{self.metric} {sign} {self.threshold:g}"


@dataclass(frozen=True)
class Preset:
    """What a run on one dataset preset must reach: its targets, and the time it may take on a 2-core CPU
    (`cpu_budget_s=None`: a GPU job, with no CPU budget)."""

    name: str
    targets: tuple[Target, ...]
    cpu_budget_s: float | None

    def budget(self) -> str:
        return "GPU" if self.cpu_budget_s is None else f"{self.cpu_budget_s:g} s"

    def describe(self) -> str:
        where = "on a GPU" if self.cpu_budget_s is None else f"in {self.cpu_budget_s:g} s on a 2-core CPU"
        return f"{', '.join(str(t) for t in self.targets)} {where}"


@dataclass
class LabResult:
    """What `run` returns: numbers for metrics.json, and Markdown tables for the report."""

    metrics: dict[str, float]
    tables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lab:
    """A lab: its typed config (with a `quick()` variant), its `run(config, ctx)`, targets and CPU budget.

    `targets` and `cpu_budget_s` judge the default config. A lab with several datasets can judge each on its own
    terms: `preset_key` names the config field that picks the dataset, `presets` the other datasets' targets.
    A lab that trains with the engine sets `check_options=engine.check_options`, so that `--accelerator`,
    `--devices`, `--strategy` and `--num-nodes` are checked before its run folder exists; other labs refuse them.
    """

    name: str
    title: str
    dataset: str
    config: type
    run: Callable[[Any, Any], LabResult]
    targets: tuple[Target, ...]
    cpu_budget_s: float
    id: str = ""
    uses_checkpoints: bool = False
    preset_key: str | None = None
    presets: tuple[Preset, ...] = ()
    check_options: Callable[[Any], None] | None = None

    def quick_config(self) -> Any:
        return self.config.quick()

    def default_config(self) -> Any:
        return self.config()

    def default_preset(self) -> Preset:
        name = str(getattr(self.default_config(), self.preset_key)) if self.preset_key else "default"
        return Preset(name, self.targets, self.cpu_budget_s)

    def all_presets(self) -> tuple[Preset, ...]:
        """The default config's preset first, then the others."""
        return (self.default_preset(), *self.presets)

    def preset_for(self, config: Any) -> Preset:
        """The preset that judges a run of `config`: the one its `preset_key` field names, else the default."""
        if self.preset_key is not None:
            chosen = str(getattr(config, self.preset_key))
            for preset in self.presets:
                if preset.name == chosen:
                    return preset
        return self.default_preset()
