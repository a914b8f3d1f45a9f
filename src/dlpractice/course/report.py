"""report.md: the page a person opens after a run — metrics against targets, tables, figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlpractice.course.lab import Lab, LabResult


def format_value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def render(lab: Lab, result: LabResult, config: dict, run_dir: Path, wall_s: float) -> str:
    lines = [f"# Lab {lab.id} {lab.name}: {lab.title}", "", f"Wall time: {wall_s:.1f} s (budget {lab.cpu_budget_s:g} s on a 2-core CPU)", ""]
    lines += ["## Targets", "", "| metric | value | target | met |", "|---|---|---|---|"]
    for target in lab.targets:
        value = result.metrics.get(target.metric)
        mark = "yes" if target.met(value) else "**no**"
        lines.append(f"| {target.metric} | {format_value(value)} | {target} | {mark} |")
    target_names = {t.metric for t in lab.targets}
    others = {k: v for k, v in result.metrics.items() if k not in target_names}
    if others:
        lines += ["", "## Other metrics", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {format_value(v)} |" for k, v in others.items()]
    for title, table in result.tables.items():
        lines += ["", f"## {title}", "", table.strip()]
    figures = sorted((run_dir / "figures").glob("*.png"))
    if figures:
        lines += ["", "## Figures"]
        for fig in figures:
            lines += ["", f"### {fig.stem.replace('_', ' ')}", "", f"![{fig.stem}](figures/{fig.name})"]
    lines += ["", "## Config", "", "| key | value |", "|---|---|"]
    lines += [f"| {k} | {format_value(v)} |" for k, v in config.items()]
    lines += ["", f"TensorBoard: `tensorboard --logdir {run_dir / 'tensorboard'}`", ""]
    return "\n".join(lines)
