"""Regularisers written out by hand: dropout, batch normalisation, and weight decay as an L2 term (lab 04).

Each one is what a PyTorch layer or optimizer option does (nn.Dropout, nn.BatchNorm1d,
SGD's `weight_decay`); the tests of lab 04 check them against it.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def dropout(x: Tensor, p: float, training: bool, generator: torch.Generator | None = None) -> Tensor:
    """Inverted dropout: in training, zero each entry with probability p and scale the rest by 1/(1-p); else x itself.

    The scaling keeps the expected value of every entry unchanged, so at evaluation time (no dropping)
    the next layer sees inputs of the same size as in training and nothing has to be rescaled.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:  # every entry dropped, as nn.Dropout(1.0) does (x * 0 / 0 would be NaN)
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= p  # True with probability 1 - p
    return x * keep / (1 - p)


def batch_norm_train(
    x: Tensor, gamma: Tensor, beta: Tensor, running_mean: Tensor, running_var: Tensor,
    momentum: float = 0.1, eps: float = 1e-5,
) -> tuple[Tensor, Tensor, Tensor]:
    """nn.BatchNorm1d in training mode on x of shape (batch, features): (output, new running mean, new running var).

    Each feature is normalised with the statistics of this batch (mean and *biased* variance, over dim 0);
    the running averages that evaluation mode uses are updated as PyTorch does: new = (1 - momentum) * old
    + momentum * batch value, with the *unbiased* variance (n - 1) for the running variance.
    """
    n = x.shape[0]
    if n < 2:
        raise ValueError("batch normalisation in training mode needs a batch of at least 2 (the variance of one value is 0)")
    mean = x.mean(dim=0)
    var = x.var(dim=0, correction=0)
    y = gamma * (x - mean) / torch.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return y, new_mean, new_var


def batch_norm_eval(x: Tensor, gamma: Tensor, beta: Tensor, running_mean: Tensor, running_var: Tensor, eps: float = 1e-5) -> Tensor:
    """nn.BatchNorm1d in evaluation mode: the running statistics replace the batch's, so each row is normalised on its own."""
    return gamma * (x - running_mean) / torch.sqrt(running_var + eps) + beta


def l2_penalty(model: nn.Module, weight_decay: float) -> Tensor:
    """weight_decay / 2 · Σ‖p‖² over every parameter.

    Added to the loss, plain SGD then takes the same step as SGD(weight_decay=...).
    """
    return weight_decay / 2 * sum((p**2).sum() for p in model.parameters())


def weight_norm(model: nn.Module) -> float:
    """The Euclidean norm of all the weight matrices together (biases and batch-norm parameters left out)."""
    squares = sum(float((m.weight.detach() ** 2).sum()) for m in model.modules() if isinstance(m, nn.Linear))
    return squares**0.5
