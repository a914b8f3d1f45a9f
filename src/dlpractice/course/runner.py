"""Run one lab end to end: make its run folder, call `lab.run`, write config, metrics and report."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import platform
import shutil
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlpractice.course import config as configs
from dlpractice.course import registry, report
from dlpractice.course.checkpoints import LAST, last_checkpoint
from dlpractice.course.errors import RunStopped, UserError, first_sentence
from dlpractice.course.lab import Lab, Preset
from dlpractice.course.runs import (
    RUN_DIR_ENV,
    RunContext,
    RunOptions,
    check_out,
    external_launcher,
    new_run_dir,
    shared_run_dir,
    write_json,
)


@dataclass
class RunOutcome:
    lab: Lab
    run_dir: Path
    metrics: dict[str, float]
    wall_s: float
    preset: Preset  # the targets and budget that judged it
    met: dict[str, bool] = field(default_factory=dict)

    @property
    def not_finite(self) -> list[str]:
        """The metrics that came out NaN or infinite (a diverged training, usually): metrics.json holds null."""
        return [k for k, v in self.metrics.items() if isinstance(v, float) and not math.isfinite(v)]


def make_config(lab: Lab, quick: bool = False, overrides: list[str] | None = None, seed: int | None = None) -> Any:
    config = lab.quick_config() if quick else lab.default_config()
    pairs = list(overrides or [])
    if seed is not None:
        pairs.append(f"seed={seed}")
    return configs.apply_overrides(config, pairs) if pairs else config


def resume_point(lab: Lab, run_dir: Path) -> tuple[Any, Path]:
    """The saved config and last checkpoint of a run folder to continue, or a UserError saying what is wrong."""
    saved = run_dir / "config.json"
    if not run_dir.is_dir() or not saved.is_file():
        raise UserError(f"--resume {run_dir}: not a run folder (no config.json)")
    try:
        record = json.loads(saved.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise UserError(f"--resume {run_dir}: config.json is not valid JSON") from None
    if not isinstance(record, dict) or not isinstance(record.get("config"), dict):
        raise UserError(f"--resume {run_dir}: config.json holds no \"config\" object; it was not written by dlpractice")
    if record.get("lab") != lab.id:
        raise UserError(f"--resume {run_dir}: that run is of lab {record.get('lab')}, not {lab.id}")
    if not lab.uses_checkpoints:
        raise UserError(f"--resume {run_dir}: lab {lab.id} ({lab.name}) saves no checkpoints to resume from")
    if (run_dir / "metrics.json").is_file():  # written only when a run completes
        raise UserError(f"--resume {run_dir}: that run finished (it has metrics.json); there is nothing to resume")
    try:
        config = configs.from_json(lab.config, json.dumps(record["config"]))
    except UserError as err:
        raise UserError(f"--resume {run_dir}: config.json: {err}") from None
    return config, last_checkpoint(run_dir)


def check_options(lab: Lab, options: RunOptions) -> None:
    """Everything about how to run that can be checked before the run folder exists."""
    if options.data_dir is not None and not options.data_dir.is_dir():
        raise UserError(f"--data-dir {options.data_dir} does not exist")
    if options.resume is None:
        check_out(options.out)
    if lab.check_options is not None:
        lab.check_options(options)
    elif options.accelerator not in ("auto", "cpu") or (options.devices, options.strategy, options.num_nodes) != (
            "auto", "auto", 1):
        raise UserError(f"lab {lab.id} ({lab.name}) trains in one process on the CPU; --accelerator, --devices, "
                        "--strategy and --num-nodes apply to the labs that train with Lightning")


def run_lab(lab: Lab, config: Any, options: RunOptions) -> RunOutcome:
    check_options(lab, options)
    resume_from, made = None, []
    if options.resume is not None:
        config, resume_from = resume_point(lab, options.resume)
        run_dir = options.resume
    elif os.environ.get(RUN_DIR_ENV):  # a DDP worker re-running our command line: join the parent's run
        run_dir = Path(os.environ[RUN_DIR_ENV])
    elif external_launcher() is not None:  # torchrun or srun started this command once per process
        run_dir = shared_run_dir(options.out, lab.name)
    else:
        made = [p for p in (options.out / lab.name, *(options.out / lab.name).parents) if not p.exists()]
        run_dir = new_run_dir(options.out, lab.name)
    ctx = RunContext(dir=run_dir, options=options, resume_from=resume_from)
    config_values = dataclasses.asdict(config)
    if ctx.is_main_process and resume_from is None:
        write_json(run_dir / "config.json", {
            "lab": lab.id,
            "name": lab.name,
            "config": config_values,
            "runtime": {k: str(v) for k, v in dataclasses.asdict(options).items()},
            "python": platform.python_version(),
        })
    os.environ[RUN_DIR_ENV] = str(run_dir)
    start = time.perf_counter()
    try:
        with torch_threads(config.threads):
            result = lab.run(config, ctx)
    except BaseException as err:
        if ctx.is_main_process:
            keep_or_remove(lab, ctx, made, err)
        raise
    finally:
        os.environ.pop(RUN_DIR_ENV, None)
    wall_s = time.perf_counter() - start
    preset = lab.preset_for(config)
    if ctx.is_main_process:
        write_json(run_dir / "metrics.json", {**result.metrics, "wall_time_s": round(wall_s, 2)})
        (run_dir / "report.md").write_text(report.render(lab, preset, result, config_values, run_dir, wall_s))
    met = {t.metric: t.met(result.metrics.get(t.metric)) for t in preset.targets}
    return RunOutcome(lab=lab, run_dir=run_dir, metrics=result.metrics, wall_s=wall_s, preset=preset, met=met)


def keep_or_remove(lab: Lab, ctx: RunContext, made: list[Path], err: BaseException) -> None:
    """After a failed run: keep a folder that has a checkpoint to resume from (and say so), remove any other.

    A run that stops before its first checkpoint (bad input found late, a missing dataset, Ctrl-C while loading)
    leaves nothing behind, not even the runs/<lab>/ folders made for it. One that stops later keeps its folder and
    raises RunStopped, whose one line says how to continue; the traceback of an unexpected error goes to error.txt.
    """
    resumable = lab.uses_checkpoints and (ctx.checkpoints_dir / LAST).is_file()
    if not resumable and ctx.resume_from is None:
        shutil.rmtree(ctx.dir, ignore_errors=True)
        for folder in made:  # innermost first; rmdir leaves a folder that is not empty
            with contextlib.suppress(OSError):
                folder.rmdir()
    interrupted = isinstance(err, (KeyboardInterrupt, SystemExit))  # Lightning turns Ctrl-C into SystemExit
    if not resumable and interrupted:
        raise RunStopped(f"lab {lab.id} was interrupted before its first checkpoint; nothing was kept", 130) from err
    if not resumable or isinstance(err, UserError):  # bad input says so itself, in its own one line
        return
    why = "was interrupted" if interrupted else f"failed ({type(err).__name__}: {first_sentence(err)})"
    if not interrupted:
        (ctx.dir / "error.txt").write_text("".join(traceback.format_exception(err)))
        why += f"; the traceback is in {ctx.dir / 'error.txt'}"
    raise RunStopped(f"lab {lab.id} {why}. Its folder keeps the last checkpoint: continue with "
                     f"`dlpractice run {lab.id} --resume {ctx.dir}`", status=130 if interrupted else 1) from err


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with `n` intra-op threads, then restore the previous number (`None`: leave it alone)."""
    import torch  # here, not at the top: the course machinery loads without torch

    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def run(
    lab: str,
    quick: bool = False,
    overrides: dict[str, Any] | None = None,
    seed: int | None = None,
    **options: Any,
) -> RunOutcome:
    """Run a lab from Python: `dlpractice.run("pytorch-basics", quick=True, overrides={"epochs": 50})`."""
    found = registry.find(lab)
    pairs = [f"{k}={v}" for k, v in (overrides or {}).items()]
    config = make_config(found, quick=quick, overrides=pairs, seed=seed)
    paths = {k: Path(v) for k, v in options.items() if k in ("out", "data_dir", "resume") and v is not None}
    return run_lab(found, config, RunOptions(**{**options, **paths}))
