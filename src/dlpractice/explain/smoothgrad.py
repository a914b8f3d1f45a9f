"""SmoothGrad (Smilkov et al., 2017): the mean saliency of noisy image copies, which hides gradient noise (lab 06)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.saliency import saliency
from dlpractice.explain.scores import fixed_targets
from dlpractice.models.evaluation import evaluating


def smoothgrad(model: nn.Module, images: Tensor, target: int | Tensor | None = None, samples: int = 25,
               noise: float = 0.15, seed: int = 0, absolute: bool = True) -> Tensor:
    """Mean of `saliency` over `samples` copies with Gaussian noise of std `noise` × (max − min) of each image."""
    target = fixed_targets(model, images, target)  # the class of the clean image, not of each noisy copy
    images = images.cpu()  # the noise comes from a seeded CPU generator; saliency moves each batch to the model
    span = images.amax(dim=(1, 2, 3), keepdim=True) - images.amin(dim=(1, 2, 3), keepdim=True)
    generator = torch.Generator().manual_seed(seed)
    total = torch.zeros_like(images)
    with evaluating(model):
        for _ in range(samples):
            noisy = images + noise * span * torch.randn(images.shape, generator=generator)
            total += saliency(model, noisy, target, absolute)
    return total / samples
