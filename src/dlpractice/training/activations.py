"""Activation functions side by side, and their derivatives computed by autograd (lab 02)."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn

# The activations lab 02 draws: name -> a fresh module
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "ReLU": nn.ReLU,
    "LeakyReLU": lambda: nn.LeakyReLU(0.1),  # slope 0.1 for x < 0, so the curve shows it (PyTorch's default is 0.01)
    "ELU": nn.ELU,
    "GELU": nn.GELU,
}


def derivative(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """f'(x) at every point of x, for an elementwise f, with one backward pass.

    Each output depends on its own input only, so the gradient of sum(f(x)) with respect to x_i is f'(x_i).
    """
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(leaf).sum(), leaf)
    return grad
