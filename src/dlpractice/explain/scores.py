"""What every explanation method shares: the class being explained, and its score (lab 06)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.models.evaluation import predict


def as_targets(target: int | Tensor | None, logits: Tensor) -> Tensor:
    """One class per image: an int for all of them, a tensor of N classes, or None for the predicted class."""
    if target is None:
        return logits.argmax(dim=1)
    return torch.as_tensor(target, device=logits.device).long().expand(len(logits))


def fixed_targets(model: nn.Module, images: Tensor, target: int | Tensor | None) -> Tensor:
    """One class per image (N,) on the CPU, decided on the images as given (None: the predicted class) before a
    method changes them: noisy copies, points on a path, covered patches must all explain the same class."""
    if target is None:
        return predicted_classes(model, images)
    return torch.as_tensor(target).long().expand(len(images)).cpu()


def class_scores(model: nn.Module, images: Tensor, target: int | Tensor | None = None) -> Tensor:
    """The score (logit) of each image's target class: shape (N,). Differentiable with respect to the images."""
    logits = model(images)
    return logits.gather(1, as_targets(target, logits).view(-1, 1)).squeeze(1)


def predicted_classes(model: nn.Module, images: Tensor) -> Tensor:
    """The class each image is predicted as (N,), on the CPU."""
    return predict(model, images).argmax(dim=1)
