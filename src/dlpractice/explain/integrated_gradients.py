"""Integrated gradients (Sundararajan et al., 2017): gradients averaged along the straight path from a baseline
image to the input, times (input − baseline) (lab 06). The attributions add up to F(input) − F(baseline)
(completeness)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.scores import class_scores, fixed_targets
from dlpractice.models.evaluation import device_of, evaluating


def integrated_gradients(model: nn.Module, images: Tensor, target: int | Tensor | None = None,
                         baseline: Tensor | float = 0.0, steps: int = 200, batch_size: int = 1024) -> Tensor:
    """Attributions of the images' shape; the path integral is a midpoint Riemann sum of `steps` points.

    `baseline` is an image (or a value for every pixel) meaning "no evidence", e.g. a black image."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    device = device_of(model)
    target = fixed_targets(model, images, target).to(device)
    x = images.to(device)
    base = torch.as_tensor(baseline, dtype=x.dtype, device=device).expand_as(x)
    alphas = (torch.arange(steps, dtype=x.dtype, device=device) + 0.5) / steps  # midpoints of `steps` equal parts
    per_chunk = max(1, batch_size // len(x))  # how many path points go through the model in one batch
    total = torch.zeros_like(x)
    with evaluating(model):
        for chunk in alphas.split(per_chunk):
            a = chunk.view(-1, 1, 1, 1, 1)
            path = (base + a * (x - base)).reshape(-1, *x.shape[1:]).requires_grad_(True)  # (points·N, C, H, W)
            scores = class_scores(model, path, target.repeat(len(chunk)))
            (grad,) = torch.autograd.grad(scores.sum(), path)
            total += grad.view(len(chunk), *x.shape).sum(dim=0)
    return ((x - base) * total / steps).cpu()


@torch.no_grad()
def completeness_gap(model: nn.Module, images: Tensor, attributions: Tensor, target: int | Tensor | None = None,
                     baseline: Tensor | float = 0.0) -> Tensor:
    """|Σ attributions − (F(input) − F(baseline))| per image: how far a finite sum is from the exact integral."""
    target = fixed_targets(model, images, target)
    device = device_of(model)
    x = images.to(device)
    base = torch.as_tensor(baseline, dtype=x.dtype, device=device).expand_as(x)
    with evaluating(model):
        difference = class_scores(model, x, target) - class_scores(model, base, target)
    return (attributions.sum(dim=(1, 2, 3)) - difference.cpu()).abs()
