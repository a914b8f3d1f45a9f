"""Running a model in evaluation mode: the one place the labs switch a model to eval, predict, and switch back.

In training mode dropout drops units and batch norm normalises with the statistics of the batch at hand, so
an image's prediction would depend on the other images of its batch. Every lab, loop and explanation method
evaluates a model through these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """The model in evaluation mode (batch norm uses its running statistics, dropout is off), its mode restored after."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def device_of(model: nn.Module) -> torch.device:
    """Where the model's parameters live; the CPU for a model without any (a fixed function)."""
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


@torch.no_grad()
def predict(model: nn.Module, x: Tensor, batch_size: int | None = None) -> Tensor:
    """The model's raw outputs (logits, or values for regression) on x, on the CPU, without building a graph.

    Evaluation mode while it runs, the model's mode restored afterwards. Inputs go to the model's device;
    with `batch_size`, x is cut into batches of that many rows (large image sets on a small GPU).
    """
    device = device_of(model)
    size = batch_size or max(len(x), 1)
    with evaluating(model):
        return torch.cat([model(x[i:i + size].to(device)).cpu() for i in range(0, len(x), size)])
