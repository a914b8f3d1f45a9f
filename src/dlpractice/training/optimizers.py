"""The optimisers SGD, SGD with momentum, Adam and AdamW, and one momentum step written by hand (lab 02)."""

from __future__ import annotations

from typing import Iterable

import torch
from torch import Tensor

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")


def make_optimizer(name: str, params: Iterable[Tensor], lr: float, momentum: float = 0.9,
                   weight_decay: float = 0.01) -> torch.optim.Optimizer:
    """One of OPTIMIZERS; `momentum` is used by "momentum" only, `weight_decay` by "adamw" only."""
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "adamw":  # Adam with weight decay applied to the weights directly, not mixed into the gradient
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got '{name}'")


def momentum_step(param: Tensor, grad: Tensor, velocity: Tensor, lr: float, momentum: float) -> tuple[Tensor, Tensor]:
    """One step of SGD with momentum, as torch.optim.SGD(momentum=m) takes it: (new param, new velocity).

    The velocity is a running sum of past gradients, each step's weight shrunk by `momentum`; the learning
    rate multiplies it only when the parameter moves, so a scheduler that changes lr takes effect at once.
    """
    velocity = momentum * velocity + grad
    return param - lr * velocity, velocity
