"""Run folders: `runs/<lab>/<timestamp>[-N]/`, created once and never overwritten."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# Set by the parent process for Lightning's DDP workers, which re-run the same command line.
RUN_DIR_ENV = "DLPRACTICE_RUN_DIR"


@dataclass
class RunOptions:
    """How to run a lab, as opposed to what it computes (that is its config): `dlpractice run`'s options."""

    out: Path = Path("runs")  # the folder that holds the run folders
    data_dir: Path | None = None  # downloaded datasets
    accelerator: str = "auto"
    devices: str = "auto"
    strategy: str = "auto"
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
    """False in the worker processes that Lightning's DDP starts (they set LOCAL_RANK / NODE_RANK)."""
    return int(os.environ.get("LOCAL_RANK", "0")) == 0 and int(os.environ.get("NODE_RANK", "0")) == 0


def new_run_dir(root: Path, lab_name: str, now: datetime | None = None) -> Path:
    """Create and return a fresh folder; `mkdir(exist_ok=False)` makes the name ours even if two runs race."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    parent = root / lab_name
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        candidate = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise RuntimeError(f"could not create a run folder under {parent}")


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
