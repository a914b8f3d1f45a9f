"""models.forecaster: a (B, width, 1) window gives (B,) values, the output reads only the last time step of the
recurrent layer (checked by running nn.LSTM/nn.GRU and the head by hand), and bad arguments are refused."""

from __future__ import annotations

import pytest
import torch

from dlpractice.models.forecaster import Forecaster


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_shapes_and_the_last_step(kind: str, num_layers: int) -> None:
    torch.manual_seed(0)
    model = Forecaster(kind, hidden=8, num_layers=num_layers)
    x = torch.randn(5, 12, 1)
    out = model(x)
    assert out.shape == (5,)
    assert isinstance(model.rnn, torch.nn.LSTM if kind == "lstm" else torch.nn.GRU) and model.rnn.batch_first
    outputs, hidden = model.rnn(x)
    top = hidden[0][-1] if kind == "lstm" else hidden[-1]  # the top layer's final hidden state
    assert torch.allclose(outputs[:, -1], top)
    assert torch.allclose(out, top @ model.head.weight[0] + model.head.bias[0], atol=1e-6)


def test_any_window_width() -> None:
    model = Forecaster("gru", hidden=4)
    assert model(torch.randn(2, 3, 1)).shape == model(torch.randn(2, 30, 1)).shape == (2,)


def test_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="kind"):
        Forecaster("rnn")
    with pytest.raises(ValueError):
        Forecaster("lstm", hidden=0)
    with pytest.raises(ValueError, match="batch, width, 1"):
        Forecaster("lstm", hidden=4)(torch.randn(2, 5))
