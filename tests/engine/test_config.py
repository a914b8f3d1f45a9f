"""EngineConfig: the training settings every Lightning lab's config inherits, validated when built."""

import pytest

from dlpractice.engine import EngineConfig
from support.toy_lab import ToyConfig

QUICK_EPOCHS = 4  # ToyConfig.quick()


def test_engine_config_validates_its_fields() -> None:
    with pytest.raises(ValueError, match="epochs"):
        EngineConfig(epochs=0)
    with pytest.raises(ValueError, match="monitor"):
        EngineConfig(patience=2, monitor=None)
    assert ToyConfig.quick().epochs == QUICK_EPOCHS
