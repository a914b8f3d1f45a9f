"""RngState: every random generator's state, saved in checkpoints that load with weights_only=True."""

import random
from pathlib import Path

import numpy as np
import torch

from dlpractice.engine import RngState


def test_rng_state_survives_a_weights_only_round_trip(tmp_path: Path) -> None:
    torch.manual_seed(1)
    random.seed(1)
    np.random.seed(1)
    path = tmp_path / "rng.pt"
    torch.save(RngState().state_dict(), path)
    expected = (torch.rand(3), random.random(), np.random.rand())
    torch.rand(10), random.random(), np.random.rand()  # move every generator on
    RngState().load_state_dict(torch.load(path, weights_only=True))
    again = (torch.rand(3), random.random(), np.random.rand())
    assert torch.equal(again[0], expected[0]) and again[1:] == expected[1:]
