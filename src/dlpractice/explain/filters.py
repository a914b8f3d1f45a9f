"""The learned filters of a CNN's first convolution: what the network looks for directly in the pixels (lab 06)."""

from __future__ import annotations

from torch import Tensor, nn


def first_conv(model: nn.Module) -> nn.Conv2d:
    """The first nn.Conv2d in the model (in the order the modules were defined)."""
    found = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if found is None:
        raise ValueError(f"{type(model).__name__} has no nn.Conv2d layer")
    return found


def last_conv(model: nn.Module) -> nn.Conv2d:
    """The last nn.Conv2d in the model: the usual layer for Grad-CAM (the most abstract maps that are still maps)."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError(f"{type(model).__name__} has no nn.Conv2d layer")
    return convs[-1]


def first_layer_filters(model: nn.Module) -> Tensor:
    """The first convolution's kernels, (out_channels, in_channels, k, k), detached and on the CPU."""
    return first_conv(model).weight.detach().cpu().clone()
