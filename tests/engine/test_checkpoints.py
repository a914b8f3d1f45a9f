"""Checkpoints load with weights_only=True: hyperparameters that would break that fail before training."""

import dataclasses

import pytest

from dlpractice.course.checkpoints import check_plain_hparams
from dlpractice.engine import EngineConfig


def test_hparams_that_weights_only_would_reject_fail_before_training() -> None:
    import lightning.pytorch as pl

    class Holder(pl.LightningModule):
        def __init__(self, config: EngineConfig, width: int) -> None:
            super().__init__()
            self.save_hyperparameters()

    with pytest.raises(TypeError, match="'config'.*weights_only"):
        check_plain_hparams(Holder(EngineConfig(), 3))
    check_plain_hparams(Holder(dataclasses.asdict(EngineConfig()), 3))  # type: ignore[arg-type]
