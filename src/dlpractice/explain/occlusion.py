"""Occlusion sensitivity (Zeiler & Fergus, 2014): cover one square of the image at a time and see how much the
class score drops (lab 06). Model-agnostic: it needs only forward passes."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.scores import class_scores, fixed_targets
from dlpractice.models.evaluation import device_of, evaluating


@torch.no_grad()
def occlusion(model: nn.Module, images: Tensor, target: int | Tensor | None = None, window: int = 4, stride: int = 2,
              baseline: float = 0.0, batch_size: int = 1024) -> Tensor:
    """For each pixel, the mean drop of the score over the window positions covering it (the images' shape;
    channels are covered together). Windows start every `stride` pixels until one reaches the far edge (the last
    may stick out and cover fewer pixels, as in captum), so every pixel is covered when stride <= window."""
    n, _, height, width = images.shape
    if not (1 <= window <= min(height, width)) or stride < 1:
        raise ValueError(f"need 1 <= window <= image size and stride >= 1, got window={window}, stride={stride}")
    device = device_of(model)
    x = images.to(device)
    target = fixed_targets(model, images, target).to(device)
    starts = [range(0, -(-(size - window) // stride) * stride + 1, stride) for size in (height, width)]
    corners = [(i, j) for i in starts[0] for j in starts[1]]
    total = torch.zeros_like(x)
    count = torch.zeros(1, 1, height, width, device=device)
    per_chunk = max(1, batch_size // n)
    with evaluating(model):
        clean = class_scores(model, x, target)
        for start in range(0, len(corners), per_chunk):
            chunk = corners[start:start + per_chunk]
            covered = x.repeat(len(chunk), 1, 1, 1)  # chunk-major: copy k of image m is row k·n + m
            for k, (i, j) in enumerate(chunk):
                covered[k * n:(k + 1) * n, :, i:i + window, j:j + window] = baseline
            drops = (clean.repeat(len(chunk)) - class_scores(model, covered, target.repeat(len(chunk)))).view(len(chunk), n)
            for k, (i, j) in enumerate(chunk):
                total[:, :, i:i + window, j:j + window] += drops[k].view(n, 1, 1, 1)
                count[:, :, i:i + window, j:j + window] += 1
    return (total / count.clamp(min=1)).cpu()
