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


@dataclass
class LabResult:
    """What `run` returns: numbers for metrics.json, and Markdown tables for the report."""

    metrics: dict[str, float]
    tables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lab:
    """A lab: its typed config (with a `quick()` variant), its `run(config, ctx)`, targets and CPU budget."""

    name: str
    title: str
    dataset: str
    config: type
    run: Callable[[Any, Any], LabResult]
    targets: tuple[Target, ...]
    cpu_budget_s: float
    id: str = ""
    uses_checkpoints: bool = False

    def quick_config(self) -> Any:
        return self.config.quick()

    def default_config(self) -> Any:
        return self.config()
