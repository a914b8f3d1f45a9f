"""How the engine trains: the settings a lab's config inherits (`class MyConfig(EngineConfig)`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dlpractice.course.config import LabConfig, check_positive


@dataclass
class EngineConfig(LabConfig):
    """Training settings shared by every Lightning lab; subclass it so `--set epochs=3` just works.

    A lab's config inherits these fields (rather than holding an `EngineConfig` field) because
    `--set`, `dlpractice info` and config.json handle flat configs of plain values.
    A subclass that defines `__post_init__` must call `super().__post_init__()`.
    """

    epochs: int = 10
    deterministic: bool = True  # same seed, same numbers (torch.use_deterministic_algorithms)
    patience: int | None = None  # early stopping after this many epochs without improvement; None = off
    monitor: str | None = "val_loss"  # picks the best checkpoint (and drives early stopping)
    mode: Literal["min", "max"] = "min"
    log_every_n_steps: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "epochs", "log_every_n_steps")
        if self.patience is not None:
            check_positive(self, "patience")
            if self.monitor is None:
                raise ValueError("patience (early stopping) needs a monitor metric")
