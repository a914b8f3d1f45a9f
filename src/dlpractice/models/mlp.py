"""A multilayer perceptron, and how many parameters it has, counted and by the formula (lab 01)."""

from __future__ import annotations

from typing import Sequence

from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid}


class MLP(nn.Sequential):
    """Linear -> activation -> ... -> Linear, with `hidden` units in each hidden layer.

    `MLP(2, (64, 64), 3)` is Linear(2, 64), ReLU, Linear(64, 64), ReLU, Linear(64, 3). The last
    layer has no activation: it outputs raw scores (logits) or, for regression, the prediction itself;
    the loss function (BCEWithLogitsLoss, CrossEntropyLoss, MSELoss) decides how to read them.
    """

    def __init__(self, in_features: int, hidden: Sequence[int] = (64, 64), out_features: int = 1, activation: str = "relu"):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got '{activation}'")
        sizes = (in_features, *hidden, out_features)
        if min(sizes) <= 0:
            raise ValueError(f"layer sizes must be > 0, got {sizes}")
        layers: list[nn.Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.sizes: tuple[int, ...] = sizes


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """How many numbers the optimiser can change: the sum of `numel()` over the model's parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def mlp_parameter_formula(sizes: Sequence[int]) -> int:
    """Parameters of an MLP with these layer sizes: each Linear(in, out) has an in x out weight and `out` biases."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
