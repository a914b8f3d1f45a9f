"""The `dlpractice` command: list, info and run labs, check notebooks, build them.

Tables go to a terminal at its width; into a pipe or a file (a script, a grader) every row is printed whole,
and `--json` on list, info and check prints machine-readable output instead.
"""

from __future__ import annotations

import dataclasses
import json
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
from dlpractice.course.errors import RunStopped, UserError
from dlpractice.course.lab import Lab, Preset
from dlpractice.course.report import format_value
from dlpractice.course.runner import RunOutcome, check_options, make_config, run_lab
from dlpractice.course.runs import RunOptions, is_main_process

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="dlpractice: a hands-on deep learning course in PyTorch. Start with `dlpractice list`.",
)
# Not a terminal: no width to fit, so never cut a row ("pytorch-ba…" defeats grep).
console = Console() if sys.stdout.isatty() else Console(width=100_000)


class Accelerator(str, Enum):
    auto = "auto"
    cpu = "cpu"
    gpu = "gpu"


@app.command("list")
def list_labs(as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table")) -> None:
    """List the labs with their dataset, target and CPU budget."""
    if as_json:
        print(json.dumps([lab_summary(lab) for lab in registry.all_labs()], indent=2))
        return
    table = Table(title="dlpractice labs")
    for column in ("id", "name", "title", "dataset", "preset", "target", "CPU budget"):
        table.add_column(column)
    for lab in registry.all_labs():
        for i, preset in enumerate(lab.all_presets()):
            first = (lab.id, lab.name, lab.title, lab.dataset) if i == 0 else ("", "", "", "")
            table.add_row(*first, preset.name, ", ".join(str(t) for t in preset.targets), preset.budget())
    console.print(table)


def lab_summary(lab: Lab) -> dict:
    return {"id": lab.id, "name": lab.name, "title": lab.title, "dataset": lab.dataset,
            "preset_key": lab.preset_key, "presets": [preset_summary(p) for p in lab.all_presets()]}


def preset_summary(preset: Preset) -> dict:
    """A preset as JSON: `cpu_budget_s` null means a GPU job."""
    return {"name": preset.name, "cpu_budget_s": preset.cpu_budget_s,
            "targets": [dataclasses.asdict(t) for t in preset.targets]}


@app.command()
def info(
    lab: str = typer.Argument(..., help="lab id (01) or name (pytorch-basics)"),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """Show a lab's config: every key with its type and default (change one with --set key=value)."""
    found = registry.find(lab)
    default, quick_config = found.default_config(), found.quick_config()
    if as_json:
        keys = [{"key": name, "type": type_name, "default": getattr(default, name), "quick": getattr(quick_config, name)}
                for name, type_name, _ in configs.describe(default)]
        print(json.dumps({**lab_summary(found), "config": keys}, indent=2))
        return
    table = Table(title=f"lab {found.id} {found.name}: {found.title}")
    for column in ("key", "type", "default", "quick"):
        table.add_column(column)
    quick = dict((name, value) for name, _, value in configs.describe(quick_config))
    for name, type_name, value in configs.describe(default):
        table.add_row(name, escape(type_name), escape(value), escape(quick[name]) if quick[name] != value else "")
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
    num_nodes: int = typer.Option(1, "--num-nodes", help="machines in a multi-node run (under torchrun or srun)"),
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
        devices=parse_devices(devices), strategy=strategy, num_nodes=num_nodes, resume=resume,
    )
    labs = registry.all_labs() if all_labs else [registry.find(lab)]
    pairs = overrides_by_lab(labs, overrides)
    # Every config and option is checked before the first lab starts: a typo must not surface an hour into --all.
    planned = [(found, make_config(found, quick, pairs[found.id], seed), options_for(found, options, all_labs))
               for found in labs]
    for found, _, lab_options in planned:
        check_options(found, lab_options)
    outcomes = []
    for found, config, lab_options in planned:
        console.print(f"[bold]lab {found.id} {found.name}[/bold]: {found.title}")
        outcome = run_lab(found, config, lab_options)
        outcomes.append(outcome)
        print_outcome(outcome)
    if all_labs:
        print_summary(outcomes)
        if not quick and not all(all(o.met.values()) for o in outcomes):
            raise typer.Exit(1)


def overrides_by_lab(labs: list[Lab], overrides: list[str]) -> dict[str, list[str]]:
    """Each lab's `--set` pairs. With --all, a pair goes to the labs whose config has its key; a key that no lab has
    is refused (one lab alone refuses its unknown keys itself, listing the valid ones)."""
    if len(labs) == 1:
        return {labs[0].id: list(overrides)}
    keys = {lab.id: {f.name for f in dataclasses.fields(lab.config)} for lab in labs}
    for pair in overrides:
        key = pair.partition("=")[0].strip()
        if not any(key in lab_keys for lab_keys in keys.values()):
            raise UserError(f"--set {pair}: no lab has a config key '{key}' (see `dlpractice info LAB`)")
    return {lab.id: [p for p in overrides if p.partition("=")[0].strip() in keys[lab.id]] for lab in labs}


def options_for(lab: Lab, options: RunOptions, all_labs: bool) -> RunOptions:
    """With --all, the hardware options go to the labs that train with Lightning; the others run as they always do."""
    if all_labs and lab.check_options is None:
        return dataclasses.replace(options, accelerator="auto", devices="auto", strategy="auto", num_nodes=1)
    return options


def print_outcome(outcome: RunOutcome) -> None:
    for target in outcome.preset.targets:
        value = outcome.metrics.get(target.metric)
        mark = "[green]met[/green]" if outcome.met[target.metric] else "[red]not met[/red]"
        console.print(f"  {target.metric} = {format_value(value)}  (target {target}: {mark})")
    if outcome.not_finite:
        console.print(f"  [red]not finite (NaN or infinite): {', '.join(outcome.not_finite)}[/red]: the training "
                      "diverged; try a smaller learning rate (metrics.json holds null for them)")
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
    paths: list[Path] = typer.Argument(..., help="a student's notebook (.ipynb), or several and folders: a gradebook"),
    timeout: int = typer.Option(300, help="seconds a cell may run before it is stopped"),
    quick: bool = typer.Option(False, "--quick", help="run with DLPRACTICE_QUICK=1 (smaller data and epochs)"),
    lab: Optional[str] = typer.Option(None, help="the lab the class was given: a notebook of another lab is refused"),
    jobs: int = typer.Option(1, help="notebooks graded at once, each in its own kernel (at most the CPU cores)"),
    grades: Path = typer.Option(Path("grades.csv"), help="the CSV a gradebook writes (one row per exercise per file)"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing --grades file"),
    as_json: bool = typer.Option(False, "--json", help="print machine-readable JSON on stdout instead of tables"),
) -> None:
    """Execute notebooks in Jupyter kernels: one notebook gets a scoreboard of its exercises; several notebooks or a
    folder (its *.ipynb and its subfolders') get a gradebook, written to --grades, and a summary per file."""
    import os
    import time

    from dlpractice.course.notebooks import gradebook
    from dlpractice.course.notebooks.grade import grade

    # Every option is checked before any kernel starts: a typo must not cost a class's worth of grading.
    if timeout <= 0:
        raise UserError(f"--timeout must be a positive number of seconds, got {timeout}")
    cores = os.cpu_count() or 1
    if not 1 <= jobs <= cores:
        raise UserError(f"--jobs must be between 1 and {cores} (the CPU cores), got {jobs}")
    try:
        lab_id = registry.find(lab).id if lab is not None else None
    except UserError as err:
        raise UserError(f"--lab: {err}") from None
    single = len(paths) == 1 and not paths[0].is_dir()
    if not single:
        notebooks = gradebook.find_notebooks(paths)
        gradebook.check_grades_path(grades, force)
    if quick:
        os.environ["DLPRACTICE_QUICK"] = "1"  # the kernels inherit it
    if single:
        graded = grade(paths[0], cell_timeout=timeout, lab=lab_id)
        if as_json:
            print(json.dumps({"file": str(paths[0]), **graded.as_dict()}, indent=2))
        else:
            print_scoreboard(paths[0], graded, timeout)
        return
    # Progress goes to stderr, so that stdout holds only the table (or the JSON).
    progress = Console(stderr=True, highlight=False)
    start = time.perf_counter()
    graded_all = gradebook.grade_all(
        notebooks, timeout, lab_id, jobs,
        on_graded=lambda g: progress.print(f"graded {escape(g.file)}: {grade_summary(g)}"),
    )
    gradebook.write_csv(graded_all, grades)
    elapsed = time.perf_counter() - start
    progress.print(f"{len(graded_all)} notebooks graded in {elapsed:.1f} s; wrote {escape(str(grades))}")
    if as_json:
        print(json.dumps([g.as_dict() for g in graded_all], indent=2))
    else:
        print_gradebook(graded_all)


def grade_summary(graded) -> str:
    counts = graded.counts()
    if counts["error"]:
        return f"error: {graded.rows[0][2]}"
    return f"{counts['passed']}/{graded.exercises()} passed"


def print_scoreboard(notebook: Path, graded, timeout: int) -> None:
    results = graded.results
    colours = {"passed": "green", "failed": "red", "not attempted": "yellow", "not run": "magenta"}
    table = Table(title=f"scoreboard: {escape(notebook.name)}")
    for column in ("cell", "exercise", "result", "detail"):
        table.add_column(column)
    for r in results:
        table.add_row(str(r.cell), r.exercise, f"[{colours[r.status]}]{r.status}[/]", escape(r.detail))
    console.print(table)
    stops = [(graded.timed_out, f"was stopped after {timeout} s"), (graded.kernel_died, "ended the Jupyter kernel")]
    for index, what in stops:
        if index is not None:
            console.print(f"[magenta]cell {index} {what}; the cells after it did not run[/]")
    for index, error in graded.other_errors:
        console.print(f"[red]cell {index} (not an exercise) raised {escape(error)}[/]")
    passed = sum(r.status == "passed" for r in results)
    console.print(f"total: {passed}/{len(results)} passed")


def print_gradebook(graded_all) -> None:
    """One row per file: its lab, exercises passed out of its total, and how many rows have each other status."""
    table = Table(title="gradebook")
    for column in ("file", "lab", "passed", "failed", "not attempted", "not run", "error"):
        table.add_column(column)
    for g in graded_all:
        counts = g.counts()
        statuses = [str(counts[s]) for s in ("failed", "not attempted", "not run", "error")]
        table.add_row(escape(g.file), g.lab, f"{counts['passed']}/{g.exercises()}", *statuses)
    console.print(table)


def main() -> None:
    try:
        app()
    except UserError as err:
        Console(stderr=True).print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
    except RunStopped as err:
        Console(stderr=True).print(f"stopped: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(err.status)
    except KeyboardInterrupt:  # Ctrl-C outside a run (a run says what it kept itself)
        Console(stderr=True).print("interrupted", markup=False, highlight=False)
        sys.exit(130)
