"""A wide MLP for small images, with dropout and batch normalisation as switches (lab 04 compares them)."""

from __future__ import annotations

from typing import Sequence

from torch import nn


class WideMLP(nn.Sequential):
    """Flatten → [Linear → (BatchNorm1d) → ReLU → (Dropout)] per hidden layer → Linear, one logit per class.

    `WideMLP(784, (256, 256), 10)` has 270k parameters: far more than 500 training images can pin down,
    so without regularisation it memorises them. With `batch_norm` the Linear layers before it have no bias:
    batch normalisation subtracts the mean of each feature, which would cancel any bias anyway (its own
    `beta` takes that role).
    """

    def __init__(self, in_features: int, hidden: Sequence[int] = (256, 256), classes: int = 10,
                 dropout: float = 0.0, batch_norm: bool = False) -> None:
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if min((in_features, *hidden, classes)) <= 0:
            raise ValueError(f"layer sizes must be > 0, got {(in_features, *hidden, classes)}")
        layers: list[nn.Module] = [nn.Flatten()]
        size = in_features
        for width in hidden:
            layers.append(nn.Linear(size, width, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            size = width
        layers.append(nn.Linear(size, classes))
        super().__init__(*layers)
