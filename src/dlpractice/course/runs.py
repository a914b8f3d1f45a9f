"""Run folders: `runs/<lab>/<timestamp>[-N]/`, created once and never overwritten; and which process writes them.

A run may be one process, or several: Lightning's own DDP workers (which re-run the command line), `torchrun`'s
workers, or the tasks of SLURM's `srun`. All the processes of one run share one folder, and only rank 0 writes in it.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dlpractice.course.errors import UserError

# Set by the parent process for Lightning's DDP workers, which re-run the same command line.
RUN_DIR_ENV = "DLPRACTICE_RUN_DIR"
# How long the other ranks of a torchrun launch wait for rank 0 to name the run folder.
JOIN_TIMEOUT_S = 300


@dataclass
class RunOptions:
    """How to run a lab, as opposed to what it computes (that is its config): `dlpractice run`'s options."""

    out: Path = Path("runs")  # the folder that holds the run folders
    data_dir: Path | None = None  # downloaded datasets
    accelerator: str = "auto"
    devices: str = "auto"
    strategy: str = "auto"
    num_nodes: int = 1
    resume: Path | None = None  # a run folder to continue


@dataclass
class RunContext:
    """Where a lab writes, and how it should train (passed to every lab's `run`)."""

    dir: Path
    options: RunOptions = field(default_factory=RunOptions)
    resume_from: Path | None = None  # the checkpoint a resumed run continues from

    @property
    def figures_dir(self) -> Path:
        return self.dir / "figures"

    @property
    def checkpoints_dir(self) -> Path:
        return self.dir / "checkpoints"

    @property
    def tensorboard_dir(self) -> Path:
        return self.dir / "tensorboard"

    @property
    def is_main_process(self) -> bool:
        return is_main_process()

    def save_figure(self, fig: Any, name: str) -> Path:
        """Save a matplotlib figure as figures/<name>.png and close it."""
        import matplotlib.pyplot as plt

        self.figures_dir.mkdir(parents=True, exist_ok=True)
        path = self.figures_dir / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        return path

    def tensorboard_writer(self) -> Any:
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(str(self.tensorboard_dir))


def is_main_process() -> bool:
    """True in rank 0 only. The launchers say the rank in their own words: torchrun sets RANK, SLURM's srun sets
    SLURM_PROCID, and Lightning's own DDP workers get LOCAL_RANK and NODE_RANK."""
    names = ("RANK", "SLURM_PROCID", "LOCAL_RANK", "NODE_RANK")
    return all(int(os.environ.get(name, "0")) == 0 for name in names)


def external_launcher() -> str | None:
    """'torchrun' or 'slurm' when an outside launcher started several processes running this same command."""
    if "TORCHELASTIC_RUN_ID" in os.environ:
        return "torchrun"
    if "SLURM_STEP_ID" in os.environ and int(os.environ.get("SLURM_NTASKS", "1")) > 1:
        return "slurm"
    return None


def check_out(root: Path) -> None:
    """A UserError, before anything is written, if no run folder can be made under `root`."""
    existing = next(p for p in (root, *root.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise UserError(f"--out {root}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--out {root}: {existing} is not writable (a read-only disk, or another user's folder)")


def new_run_dir(root: Path, lab_name: str, now: datetime | None = None) -> Path:
    """Create and return a fresh folder; `mkdir(exist_ok=False)` makes the name ours even if two runs race."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    parent = root / lab_name
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            candidate = parent / (stamp if n == 1 else f"{stamp}-{n}")
            try:
                candidate.mkdir()
                return candidate
            except FileExistsError:
                continue
    except OSError as err:  # a read-only disk, a file in the way, a folder that cannot exist (/proc/x)
        raise UserError(f"--out {root}: cannot create a run folder there ({err.strerror or err})") from None
    raise UserError(f"--out {root}: {parent} already holds 10,000 run folders from {stamp}")


def shared_run_dir(root: Path, lab_name: str) -> Path:
    """The one run folder of all the processes an external launcher started: rank 0 creates it, the others only
    need its path (they never write in it), so the nodes of a multi-node run need no shared disk for this.

    torchrun: rank 0 publishes the folder in the key-value store that torchrun's agent serves to its workers.
    SLURM: the folder is named after the job step (`slurm-<job>.<step>`), so every task knows it without asking.
    """
    if external_launcher() == "slurm":
        run_dir = root / lab_name / f"slurm-{os.environ['SLURM_JOB_ID']}.{os.environ['SLURM_STEP_ID']}"
        if is_main_process():
            try:
                run_dir.mkdir(parents=True)
            except OSError as err:
                why = err.strerror or err
                raise UserError(f"--out {root}: cannot create the job's run folder {run_dir} ({why})") from None
        return run_dir
    store, key = launcher_store()
    if is_main_process():
        run_dir = new_run_dir(root, lab_name)
        store.set(key, str(run_dir))
        return run_dir
    return Path(store.get(key).decode())  # waits until rank 0 has set it


def launcher_store() -> tuple[Any, str]:
    """torchrun's key-value store (its agent serves it at MASTER_ADDR:MASTER_PORT) and this launch's key in it."""
    from datetime import timedelta

    from torch.distributed import TCPStore

    store = TCPStore(os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"]), is_master=False,
                     timeout=timedelta(seconds=JOIN_TIMEOUT_S))
    # A restarted launch (torchrun --max-restarts) makes a new folder under a new key.
    return store, f"dlpractice/run_dir/{os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')}"


def finite_or_none(value: Any) -> Any:
    """JSON has no NaN or infinity (strict readers reject Python's bare NaN): write those as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(finite_or_none(data), indent=2, sort_keys=False, default=str, allow_nan=False) + "\n")
