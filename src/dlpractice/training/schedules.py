"""Learning-rate schedules: PyTorch's schedulers, when to call `step`, and two of them written by hand (lab 02)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch.optim import lr_scheduler

SCHEDULES = ("constant", "step", "cosine", "one-cycle", "plateau")


@dataclass
class Schedule:
    """A scheduler and when its `step` is called: after every batch ("step"), after every epoch ("epoch"),
    or after every epoch with the validation loss ("plateau": it lowers the rate when that loss stops falling)."""

    scheduler: Any
    every: Literal["step", "epoch", "plateau"]

    def step(self, val_loss: float | None = None) -> None:
        if self.scheduler is None:
            return
        if self.every == "plateau":
            self.scheduler.step(val_loss)
        else:
            self.scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {} if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state)


def make_schedule(name: str, optimizer: torch.optim.Optimizer, epochs: int, steps_per_epoch: int) -> Schedule:
    """One of SCHEDULES for a run of `epochs` epochs; every schedule starts from (or peaks at) the optimiser's lr."""
    total_steps = epochs * steps_per_epoch
    if name == "constant":
        return Schedule(None, "epoch")
    if name == "step":  # divide by 10 after each third of the epochs
        return Schedule(lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1), "epoch")
    if name == "cosine":  # half a cosine wave, from the base rate down to 0 at the last step
        return Schedule(lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps), "step")
    if name == "one-cycle":  # warm up from lr/25 to lr over the first 30 % of the steps, then anneal to almost 0
        peak = optimizer.param_groups[0]["lr"]
        return Schedule(lr_scheduler.OneCycleLR(optimizer, max_lr=peak, total_steps=total_steps), "step")
    if name == "plateau":  # halve the rate at the 3rd epoch in a row without a lower validation loss (2 are tolerated)
        return Schedule(lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2), "plateau")
    raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got '{name}'")


def cosine_lr(step: int, total_steps: int, base_lr: float, min_lr: float = 0.0) -> float:
    """The rate of CosineAnnealingLR(T_max=total_steps, eta_min=min_lr) after `step` calls of `scheduler.step()`."""
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * step / total_steps)) / 2


def step_decay_lr(epoch: int, base_lr: float, step_size: int, gamma: float) -> float:
    """The rate of StepLR(step_size, gamma) during epoch `epoch` (from 0): multiplied by gamma every step_size epochs."""
    return base_lr * gamma ** (epoch // step_size)
