"""report.md: the page a person opens after a run — metrics against targets, tables, figures."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dlpractice.course.lab import Lab, LabResult, Preset


def format_value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table: the header, a separator, then one line per row. Strings are written as they are (format
    numbers the way the column needs first, `f"{x:.3f}"`); other values go through `format_value`."""
    def line(cells: Sequence[Any]) -> str:
        return "| " + " | ".join(c if isinstance(c, str) else format_value(c) for c in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *(line(row) for row in rows)])


def render(lab: Lab, preset: Preset, result: LabResult, config: dict, run_dir: Path, wall_s: float) -> str:
    """The report of one run, judged by `preset` (the targets and budget of the dataset it ran on)."""
    budget = "a GPU job" if preset.cpu_budget_s is None else f"budget {preset.cpu_budget_s:g} s on a 2-core CPU"
    lines = [f"# Lab {lab.id} {lab.name}: {lab.title}", "", f"Wall time: {wall_s:.1f} s ({budget}; preset {preset.name})", ""]
    lines += ["## Targets", "", table(("metric", "value", "target", "met"), (
        (t.metric, format_value(result.metrics.get(t.metric)), str(t), "yes" if t.met(result.metrics.get(t.metric)) else "**no**")
        for t in preset.targets))]
    diverged = [k for k, v in result.metrics.items() if isinstance(v, float) and not math.isfinite(v)]
    if diverged:
        lines += ["", f"**Not finite: {', '.join(diverged)}** (metrics.json holds null for them). The training "
                  "diverged; a smaller learning rate usually helps."]
    target_names = {t.metric for t in preset.targets}
    others = {k: v for k, v in result.metrics.items() if k not in target_names}
    if others:
        lines += ["", "## Other metrics", "", table(("metric", "value"), ((k, format_value(v)) for k, v in others.items()))]
    for title, text in result.tables.items():
        lines += ["", f"## {title}", "", text.strip()]
    figures = sorted((run_dir / "figures").glob("*.png"))
    if figures:
        lines += ["", "## Figures"]
        for fig in figures:
            lines += ["", f"### {fig.stem.replace('_', ' ')}", "", f"![{fig.stem}](figures/{fig.name})"]
    lines += ["", "## Config", "", table(("key", "value"), ((k, format_value(v)) for k, v in config.items()))]
    lines += ["", f"TensorBoard: `tensorboard --logdir {run_dir / 'tensorboard'}`", ""]
    return "\n".join(lines)
