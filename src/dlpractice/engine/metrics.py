"""Reading the numbers a finished `fit` logged, as plain floats for metrics.json."""

from __future__ import annotations

import lightning.pytorch as pl


def final_metrics(trainer: pl.Trainer) -> dict[str, float]:
    """The last value of every metric logged with `self.log` (epoch averages where logged per epoch)."""
    return {name: float(value) for name, value in sorted(trainer.callback_metrics.items())}
