"""models.sequence_regressor: one prediction per sequence, read from the last step's output of the recurrent layer,
so the prediction depends on every step."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlpractice.course.runner import torch_threads
from dlpractice.models.sequence_regressor import SequenceRegressor


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    with torch_threads(1):
        yield


@pytest.mark.parametrize("kind, cls", [("rnn", nn.RNN), ("lstm", nn.LSTM), ("gru", nn.GRU)])
@pytest.mark.parametrize("layers", [1, 2])
def test_predicts_one_number_per_sequence_from_the_last_output(kind, cls, layers) -> None:
    torch.manual_seed(0)
    model = SequenceRegressor(kind, input_size=2, hidden=8, num_layers=layers)
    assert isinstance(model.rnn, cls) and model.rnn.batch_first and model.rnn.num_layers == layers
    x = torch.randn(5, 7, 2)
    prediction = model(x)
    assert prediction.shape == (5,)
    outputs, _ = model.rnn(x)
    torch.testing.assert_close(prediction, model.head(outputs[:, -1]).squeeze(1))
    changed = x.clone()
    changed[:, 0] += 1.0  # the first step reaches the prediction through the hidden state
    assert (model(changed) - prediction).abs().min() > 0


def test_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        SequenceRegressor("transformer", 2, 8)
