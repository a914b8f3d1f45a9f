"""Feature maps: the output of a chosen layer, captured with a forward hook while the model runs as usual (lab 06)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn

from dlpractice.models.evaluation import device_of, evaluating


@contextmanager
def capture(layer: nn.Module, copy: bool = False) -> Iterator[list[Tensor]]:
    """Inside the `with`, every output of `layer` is appended to the yielded list (still attached to the graph,
    so gradients can flow back to it). The hook is removed on the way out, even after an error.

    `copy=True` stores a detached copy instead: a later layer that works in place (`ReLU(inplace=True)`) would
    otherwise overwrite the very tensor stored here."""
    outputs: list[Tensor] = []
    handle = layer.register_forward_hook(
        lambda module, inputs, output: outputs.append(output.detach().clone() if copy else output))
    try:
        yield outputs
    finally:
        handle.remove()


@torch.no_grad()
def feature_maps(model: nn.Module, images: Tensor, layer: nn.Module) -> Tensor:
    """The output of `layer` for a batch of images, (N, channels, h, w), in evaluation mode, on the CPU."""
    with evaluating(model), capture(layer, copy=True) as outputs:
        model(images.to(device_of(model)))
    if not outputs:
        raise ValueError(f"the layer {layer} was not used by {type(model).__name__}'s forward pass")
    return outputs[-1].detach().cpu()
