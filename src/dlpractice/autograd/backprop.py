"""Backpropagation by hand for a two-layer network, Linear -> ReLU -> Linear with an MSE loss (lab 01).

The network, with x of shape (n, d_in):

    z1 = x @ w1 + b1        (n, hidden)
    h  = relu(z1)           (n, hidden)
    y_hat = h @ w2 + b2     (n, d_out)
    L  = mean((y_hat - y) ** 2)   over all n * d_out numbers

`manual_gradients` applies the chain rule backwards through these four lines; `autograd_gradients`
lets PyTorch do it; `compare` says how far apart they are. `gradient_descent_by_hand` then trains
the network with nothing but these hand-made gradients and `w -= lr * grad`.
"""

from __future__ import annotations

import torch
from torch import Tensor

Params = dict[str, Tensor]


def init_params(d_in: int, hidden: int, d_out: int, seed: int = 0, dtype: torch.dtype = torch.float32) -> Params:
    """Weights scaled by 1/sqrt(fan_in) (as nn.Linear does, roughly), biases at zero."""
    gen = torch.Generator().manual_seed(seed)
    return {
        "w1": torch.randn(d_in, hidden, generator=gen, dtype=dtype) / d_in**0.5,
        "b1": torch.zeros(hidden, dtype=dtype),
        "w2": torch.randn(hidden, d_out, generator=gen, dtype=dtype) / hidden**0.5,
        "b2": torch.zeros(d_out, dtype=dtype),
    }


def forward(params: Params, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(y_hat, z1, h): the prediction, plus the two intermediate values the backward pass needs."""
    z1 = x @ params["w1"] + params["b1"]
    h = torch.relu(z1)
    return h @ params["w2"] + params["b2"], z1, h


def mse(y_hat: Tensor, y: Tensor) -> Tensor:
    return ((y_hat - y) ** 2).mean()


def manual_gradients(params: Params, x: Tensor, y: Tensor, forget_relu_mask: bool = False) -> Params:
    """dL/dparam for every parameter, by the chain rule, without autograd.

    `forget_relu_mask=True` is a deliberate mistake (it treats ReLU as the identity on the way back):
    the check against autograd must catch it.
    """
    with torch.no_grad():
        y_hat, z1, h = forward(params, x)
        d_y_hat = 2 * (y_hat - y) / y_hat.numel()         # dL/dy_hat: derivative of the mean of squares
        d_w2 = h.T @ d_y_hat                                # y_hat = h @ w2 + b2
        d_b2 = d_y_hat.sum(dim=0)                           # b2 was added to every row: sum over rows
        d_h = d_y_hat @ params["w2"].T
        d_z1 = d_h if forget_relu_mask else d_h * (z1 > 0)  # ReLU lets gradient through only where z1 > 0
        d_w1 = x.T @ d_z1                                   # z1 = x @ w1 + b1
        d_b1 = d_z1.sum(dim=0)
    return {"w1": d_w1, "b1": d_b1, "w2": d_w2, "b2": d_b2}


def autograd_gradients(params: Params, x: Tensor, y: Tensor) -> Params:
    """The same gradients from autograd: leaf copies with requires_grad, forward, loss.backward()."""
    leaves = {name: p.detach().clone().requires_grad_(True) for name, p in params.items()}
    loss = mse(forward(leaves, x)[0], y)
    loss.backward()
    return {name: leaf.grad for name, leaf in leaves.items()}


def compare(manual: Params, auto: Params) -> dict[str, float]:
    """Largest absolute difference between the two gradients of each parameter."""
    return {name: (manual[name] - auto[name]).abs().max().item() for name in auto}


def gradient_descent_by_hand(x: Tensor, y: Tensor, hidden: int = 32, steps: int = 300, lr: float = 0.1, seed: int = 0) -> list[float]:
    """Train the two-layer network with hand-made gradients and plain `p -= lr * grad`; the loss after each step."""
    params = init_params(x.shape[1], hidden, y.shape[1], seed=seed, dtype=x.dtype)
    losses = []
    for _ in range(steps):
        grads = manual_gradients(params, x, y)
        for name in params:
            params[name] -= lr * grads[name]
        losses.append(mse(forward(params, x)[0], y).item())
    return losses
