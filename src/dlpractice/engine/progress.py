"""Progress output: a live bar in a terminal or notebook, one plain line per epoch elsewhere (CI logs, files)."""

from __future__ import annotations

import sys
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import ProgressBar, TQDMProgressBar


class EpochLines(ProgressBar):
    """Prints `epoch 3/10  train_loss=0.1234  val_loss=0.2345` at the end of each epoch; nothing per batch."""

    def __init__(self) -> None:
        super().__init__()
        self.enabled = True

    def disable(self) -> None:  # Lightning calls this on every process but rank 0
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self.enabled:
            return
        metrics = "  ".join(f"{name}={format_number(value)}" for name, value in sorted(trainer.callback_metrics.items()))
        print(f"epoch {trainer.current_epoch + 1}/{trainer.max_epochs}  {metrics}".rstrip(), flush=True)


def format_number(value: Any) -> str:
    number = float(value)
    return f"{number:.4g}" if abs(number) < 1e4 else f"{number:.4e}"


def interactive() -> bool:
    """True in a terminal or a Jupyter kernel, where a redrawn bar reads well; False in pipes and CI logs."""
    return sys.stdout.isatty() or "ipykernel" in sys.modules


def progress_callback() -> ProgressBar:
    return TQDMProgressBar(leave=True) if interactive() else EpochLines()  # leave=True: one bar per epoch stays
