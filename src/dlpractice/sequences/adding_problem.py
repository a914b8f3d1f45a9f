"""Training an RNN, an LSTM and a GRU on the adding problem (data/adding_problem.py): the plain RNN never gets past
predicting the mean, the gated ones solve it.

Adam, the gradient clipped to a global norm of `clip` at every update, mini-batches drawn from a fixed training set
(reshuffled each pass), the MSE on a separate test set every `eval_every` updates. Deterministic for a seed: the
model is initialised from `seed`, the data and the batch order come from NumPy generators seeded from it.

Measured with the defaults (steps 50, hidden 32, 10,000 training sequences, 1,000 updates of 64, Adam lr 1e-2,
clip 1.0, test MSE on 1,000 sequences every 100 updates; one thread on the course's 2-core virtual machine, shared
with other work, so the seconds vary by up to 2x), seeds 0 / 1 / 2:

    kind  test MSE                  MSE ≤ 0.01 from update   seconds (alone on the machine)
    rnn   0.179 / 0.153 / 0.168     never                     3.4-3.5
    lstm  0.0004 / 0.0006 / 0.0004  500 / 700 / 400           3.6-4.1
    gru   0.0003 / 0.0002 / 0.0003  200 / 200 / 200           9.4-10.5

The RNN's test MSE is about the variance of its test set's targets (0.177 / 0.152 / 0.165), what predicting the
mean gives (1/6 ≈ 0.167 on average): it never finds the markers. Both gated models sit on that plateau first, then
fall within about 100 updates once they have found the markers; over seeds 0-3 the LSTM got below 0.01 between
update 400 and 800, the GRU by update 200, hence 1,000 updates for all three. The GRU costs 2-3x more per update
than the LSTM on a CPU: PyTorch runs the LSTM with oneDNN's fused layer (aten::mkldnn_rnn_layer, forward and
backward) and the GRU step by step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from torch import nn

from dlpractice.course.runner import torch_threads
from dlpractice.data.adding_problem import adding_problem
from dlpractice.models.sequence_regressor import SequenceRegressor

TEST_SIZE = 1000
TEST_SEED_OFFSET = 1_000_003  # the test set's seed is seed + this: other sequences than the training set's


@dataclass
class AddingResult:
    test_mse: float  # on the test set after the last update
    curve: list[float] = field(default_factory=list)  # test MSE every `eval_every` updates
    seconds: float = 0.0  # training wall time, the evaluations included


def mse(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The model's mean squared error on (x, y), without gradients."""
    with torch.no_grad():
        return torch.mean((model(x) - y) ** 2).item()


def train_adding(kind: Literal["rnn", "lstm", "gru"], steps: int = 50, hidden: int = 32, train_size: int = 10_000,
                 updates: int = 1000, lr: float = 1e-2, batch_size: int = 64, seed: int = 0, clip: float | None = 1.0,
                 eval_every: int = 100, threads: int = 1) -> AddingResult:
    """Train a SequenceRegressor of `kind` on the adding problem with sequences of `steps` steps; see the module's
    docstring for the measured results. `threads`: torch's threads while training (one: the steps are small)."""
    with torch_threads(threads):
        x, y = (torch.from_numpy(a) for a in adding_problem(train_size, steps, seed))
        x_test, y_test = (torch.from_numpy(a) for a in adding_problem(TEST_SIZE, steps, seed + TEST_SEED_OFFSET))
        with torch.random.fork_rng():  # the caller's random numbers stay as they were
            torch.manual_seed(seed)
            model = SequenceRegressor(kind, input_size=2, hidden=hidden)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        rng = np.random.default_rng(seed)
        order, position = rng.permutation(train_size), 0
        curve: list[float] = []
        start = time.perf_counter()
        for update in range(1, updates + 1):
            if position + batch_size > train_size:  # a new pass over the training set, in a new order
                order, position = rng.permutation(train_size), 0
            batch = torch.from_numpy(order[position:position + batch_size])
            position += batch_size
            loss = torch.mean((model(x[batch]) - y[batch]) ** 2)
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            if update % eval_every == 0:
                curve.append(mse(model, x_test, y_test))
        test_mse = curve[-1] if updates % eval_every == 0 and curve else mse(model, x_test, y_test)
        return AddingResult(test_mse, curve, time.perf_counter() - start)
