"""A recurrent network that reads a whole sequence and predicts one number from its last step (lab 08's adding
problem): nn.RNN, nn.LSTM or nn.GRU, batch first, then a linear layer on the top layer's last output."""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn

RECURRENT = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceRegressor(nn.Module):
    """x (B, T, input_size) → (B,) predictions. `rnn` is the recurrent layer(s), `head` the linear read-out.

    The read-out sees only the output at step T - 1, so whatever the prediction needs from earlier steps has to be
    carried there in the hidden state. Parameters: PyTorch's own initialisation, nothing changed.
    """

    def __init__(self, kind: Literal["rnn", "lstm", "gru"], input_size: int, hidden: int, num_layers: int = 1) -> None:
        super().__init__()
        if kind not in RECURRENT:
            raise ValueError(f"kind must be one of {sorted(RECURRENT)}, got {kind!r}")
        self.kind = kind
        self.rnn = RECURRENT[kind](input_size, hidden, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: Tensor) -> Tensor:
        outputs, _ = self.rnn(x)  # (B, T, hidden): the top layer's h at every step
        return self.head(outputs[:, -1]).squeeze(1)  # (B,)
