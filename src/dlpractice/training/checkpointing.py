"""Saving and resuming a hand-written training loop, so that it continues exactly as if never stopped (lab 02).

A checkpoint holds everything the next step depends on: the model's weights, the optimiser's state (momentum
buffers, Adam's running averages, its step count), the scheduler's state (where in the schedule we are),
the number of epochs done, and the random state (dropout masks, any shuffling that draws from it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn


def save_checkpoint(path: Path | str, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                    epoch: int) -> None:
    """Write the state after `epoch` finished epochs; `scheduler` may be None. Only tensors and plain values go in."""
    torch.save({
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "epoch": epoch,
        "rng": torch.get_rng_state(),
    }, path)


def load_checkpoint(path: Path | str, model: nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any) -> int:
    """Restore a checkpoint into freshly built objects; returns the number of epochs done (where to resume).

    `weights_only=True` unpickles tensors and plain values only: a checkpoint from elsewhere cannot run code.
    """
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng"])
    return checkpoint["epoch"]
