"""Gradient flow through a deep network: each layer's gradient norm, to watch gradients vanish or not (lab 02)."""

from __future__ import annotations

from typing import Callable, Literal

from torch import Tensor, nn

from dlpractice.models import MLP

Init = Literal["default", "xavier", "he"]


def deep_mlp(in_features: int, out_features: int, depth: int, width: int, activation: str, init: Init) -> MLP:
    """An MLP with `depth` hidden layers of `width` units, initialised as `init` says (biases at zero unless default).

    "xavier" (Glorot) keeps the signal's variance through sigmoid or tanh layers near x = 0; "he" (Kaiming) does
    it through ReLU layers, which zero half their inputs; "default" is nn.Linear's own init, scaled for neither.
    """
    model = MLP(in_features, (width,) * depth, out_features, activation)
    for layer in model:
        if isinstance(layer, nn.Linear) and init != "default":
            if init == "xavier":
                nn.init.xavier_normal_(layer.weight)
            else:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    return model


def layer_gradient_norms(model: nn.Module) -> list[float]:
    """The L2 norm of the weight gradient of each nn.Linear layer, from the first (input) layer to the last."""
    return [layer.weight.grad.norm().item() for layer in model.modules() if isinstance(layer, nn.Linear)]


def gradient_norms(model: nn.Module, loss_fn: Callable[[Tensor, Tensor], Tensor], x: Tensor, y: Tensor) -> list[float]:
    """One forward and backward pass on (x, y), then `layer_gradient_norms` (gradients cleared first)."""
    model.zero_grad()
    loss_fn(model(x), y).backward()
    return layer_gradient_norms(model)
