"""A recurrent one-step forecaster (lab 08): an LSTM or GRU reads a window of past values and a linear layer turns
its last hidden state into the next value. Scaling the series and training live elsewhere
(sequences/forecasting.py); this file only says what the network is.
"""

from __future__ import annotations

import torch
from torch import nn

CELLS: dict[str, type[nn.Module]] = {"lstm": nn.LSTM, "gru": nn.GRU}


class Forecaster(nn.Module):
    """(B, width, 1) past values, oldest first -> (B,) the value that follows.

    `kind` is "lstm" or "gru"; `hidden` units in each of `num_layers` stacked layers (batch_first). Only the last
    time step's output of the top layer is read: it has seen the whole window.
    """

    def __init__(self, kind: str = "lstm", hidden: int = 32, num_layers: int = 1):
        super().__init__()
        if kind not in CELLS:
            raise ValueError(f"kind must be one of {', '.join(CELLS)}, got '{kind}'")
        if hidden <= 0 or num_layers <= 0:
            raise ValueError(f"hidden and num_layers must be > 0, got {hidden} and {num_layers}")
        self.kind, self.hidden, self.num_layers = kind, hidden, num_layers
        self.rnn = CELLS[kind](input_size=1, hidden_size=hidden, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != 1:
            raise ValueError(f"expected input of shape (batch, width, 1), got {tuple(x.shape)}")
        outputs, _ = self.rnn(x)
        return self.head(outputs[:, -1]).squeeze(-1)
