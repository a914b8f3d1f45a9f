"""The `dlpractice` command: list, info and run labs."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dlpractice.course import config as configs
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.course.report import format_value
from dlpractice.course.runner import RunOutcome, make_config, run_lab
from dlpractice.course.runs import RunOptions, is_main_process

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="dlpractice: a hands-on deep learning course in PyTorch. Start with `dlpractice list`.",
)
console = Console()


class Accelerator(str, Enum):
    auto = "auto"
    cpu = "cpu"
    gpu = "gpu"


@app.command("list")
def list_labs() -> None:
    """List the labs with their dataset, target and CPU budget."""
    table = Table(title="dlpractice labs")
    for column in ("id", "name", "title", "dataset", "preset", "target", "CPU budget"):
        table.add_column(column)
    for lab in registry.all_labs():
        for i, preset in enumerate(lab.all_presets()):
            first = (lab.id, lab.name, lab.title, lab.dataset) if i == 0 else ("", "", "", "")
            table.add_row(*first, preset.name, "\n".join(str(t) for t in preset.targets), preset.budget())
    console.print(table)


@app.command()
def info(lab: str = typer.Argument(..., help="lab id (01) or name (pytorch-basics)")) -> None:
    """Show a lab's config: every key with its type and default (change one with --set key=value)."""
    found = registry.find(lab)
    table = Table(title=f"lab {found.id} {found.name}: {found.title}")
    for column in ("key", "type", "default", "quick"):
        table.add_column(column)
    quick = dict((name, value) for name, _, value in configs.describe(found.quick_config()))
    for name, type_name, default in configs.describe(found.default_config()):
        table.add_row(name, escape(type_name), escape(default), escape(quick[name]) if quick[name] != default else "")
    console.print(table)
    for preset in found.all_presets():
        where = f"{found.preset_key}={preset.name}: " if found.preset_key else ""
        console.print(f"targets: {where}{preset.describe()}")


def parse_devices(devices: str) -> str:
    if devices == "auto" or (devices.isdigit() and int(devices) > 0):
        return devices
    raise UserError(f"--devices must be 'auto' or a positive whole number, got '{devices}'")


@app.command()
def run(
    lab: Optional[str] = typer.Argument(None, help="lab id (01) or name (pytorch-basics)"),
    all_labs: bool = typer.Option(False, "--all", help="run every lab and print one summary table"),
    quick: bool = typer.Option(False, "--quick", help="the small config used by the tests"),
    overrides: list[str] = typer.Option([], "--set", help="change one config key: --set epochs=50 (repeatable)"),
    seed: Optional[int] = typer.Option(None, help="random seed (same seed, same metrics)"),
    out: Path = typer.Option(Path("runs"), help="folder that holds the run folders"),
    data_dir: Optional[Path] = typer.Option(None, help="folder with downloaded datasets"),
    accelerator: Accelerator = typer.Option(Accelerator.auto, help="where to train"),
    devices: str = typer.Option("auto", help="how many devices (e.g. 2 with --strategy ddp)"),
    strategy: str = typer.Option("auto", help="Lightning strategy, e.g. ddp"),
    resume: Optional[Path] = typer.Option(None, help="continue a run folder from its last checkpoint"),
) -> None:
    """Run a lab (or --all) and write a run folder with config, metrics, figures, report and TensorBoard logs."""
    if all_labs == (lab is not None):
        raise UserError("give exactly one of LAB or --all")
    if all_labs and strategy.startswith("ddp"):
        raise UserError("--all runs labs one after another; run one lab at a time with --strategy ddp")
    if not is_main_process():  # DDP workers re-run this command: only the main process talks
        console.quiet = True
    if resume is not None and (overrides or seed is not None or quick):
        raise UserError("--resume continues a run with its saved config; drop --set, --seed and --quick")
    options = RunOptions(
        out=out, data_dir=data_dir, accelerator=accelerator.value,
        devices=parse_devices(devices), strategy=strategy, resume=resume,
    )
    labs = registry.all_labs() if all_labs else [registry.find(lab)]
    configs_by_lab = [(found, make_config(found, quick, overrides if not all_labs else [], seed)) for found in labs]
    outcomes = []
    for found, config in configs_by_lab:
        console.print(f"[bold]lab {found.id} {found.name}[/bold]: {found.title}")
        outcome = run_lab(found, config, options)
        outcomes.append(outcome)
        print_outcome(outcome)
    if all_labs:
        print_summary(outcomes)
        if not quick and not all(all(o.met.values()) for o in outcomes):
            raise typer.Exit(1)


def print_outcome(outcome: RunOutcome) -> None:
    for target in outcome.preset.targets:
        value = outcome.metrics.get(target.metric)
        mark = "[green]met[/green]" if outcome.met[target.metric] else "[red]not met[/red]"
        console.print(f"  {target.metric} = {format_value(value)}  (target {target}: {mark})")
    console.print(f"  wall time {outcome.wall_s:.1f} s; run folder: {outcome.run_dir}")


def print_summary(outcomes: list[RunOutcome]) -> None:
    table = Table(title="dlpractice run --all")
    for column in ("lab", "metric", "value", "target", "met?", "wall time", "budget"):
        table.add_column(column)
    for outcome in outcomes:
        lab = outcome.lab
        for target in outcome.preset.targets:
            value = outcome.metrics.get(target.metric)
            table.add_row(
                f"{lab.id} {lab.name}", target.metric, format_value(value), str(target),
                "yes" if outcome.met[target.metric] else "NO",
                f"{outcome.wall_s:.1f} s", outcome.preset.budget(),
            )
    console.print(table)


notebooks_app = typer.Typer(help="Build the exercise and solution notebooks from their sources.")
app.add_typer(notebooks_app, name="notebooks")


@notebooks_app.command("build")
def notebooks_build(
    src: Path = typer.Option(Path("notebooks"), help="folder of notebook sources (NN-name.py, jupytext percent format)"),
    out: Path = typer.Option(Path("notebooks"), help="writes OUT/solutions/*.ipynb and OUT/exercises/*.ipynb"),
) -> None:
    """Generate solutions/ and exercises/ notebooks (never edit those by hand)."""
    from dlpractice.course.notebooks.build import build

    for path in build(src, out):
        console.print(f"wrote {path}")


@app.command()
def check(
    notebook: Path = typer.Argument(..., help="a student's exercise notebook (.ipynb)"),
    timeout: int = typer.Option(300, help="seconds a cell may run before it is stopped"),
    quick: bool = typer.Option(False, "--quick", help="run with DLPRACTICE_QUICK=1 (smaller data and epochs)"),
) -> None:
    """Execute a notebook in a Jupyter kernel and print a scoreboard of its exercises."""
    import os

    from dlpractice.course.notebooks.grade import grade

    if quick:
        os.environ["DLPRACTICE_QUICK"] = "1"
    graded = grade(notebook, cell_timeout=timeout)
    results, timed_out = graded.results, graded.timed_out
    colours = {"passed": "green", "failed": "red", "not attempted": "yellow", "not run": "magenta"}
    table = Table(title=f"scoreboard: {notebook.name}")
    for column in ("cell", "exercise", "result", "detail"):
        table.add_column(column)
    for r in results:
        table.add_row(str(r.cell), r.exercise, f"[{colours[r.status]}]{r.status}[/]", escape(r.detail))
    console.print(table)
    if timed_out is not None:
        console.print(f"[magenta]cell {timed_out} was stopped after {timeout} s; the cells after it did not run[/]")
    for index, error in graded.other_errors:
        console.print(f"[red]cell {index} (not an exercise) raised {escape(error)}[/]")
    passed = sum(r.status == "passed" for r in results)
    console.print(f"total: {passed}/{len(results)} passed")


def main() -> None:
    try:
        app()
    except UserError as err:
        Console(stderr=True).print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
