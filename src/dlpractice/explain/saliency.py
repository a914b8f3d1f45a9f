"""Gradient saliency (Simonyan et al., 2014): how much each pixel's change would change the class score (lab 06)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.scores import class_scores
from dlpractice.models.evaluation import device_of, evaluating


def saliency(model: nn.Module, images: Tensor, target: int | Tensor | None = None, absolute: bool = True) -> Tensor:
    """∂ score_target / ∂ image for each image, the images' shape; its absolute value by default (as captum's Saliency).

    `torch.autograd.grad` returns the gradient without storing it in `.grad`, so nothing accumulates between calls.
    Each image's score depends on that image alone (evaluation mode), so one backward pass serves the whole batch."""
    x = images.detach().to(device_of(model)).requires_grad_(True)
    with evaluating(model):
        (grad,) = torch.autograd.grad(class_scores(model, x, target).sum(), x)
    grad = grad.cpu()
    return grad.abs() if absolute else grad
