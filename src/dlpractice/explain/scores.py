"""What every explanation method shares: the model in evaluation mode, and the score of the class being explained."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """The model in evaluation mode (batch norm uses its running statistics, dropout is off), restored afterwards.

    In training mode an image's explanation would depend on the other images of its batch."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def device_of(model: nn.Module) -> torch.device:
    """Where the model's parameters live; the CPU for a model without any (a fixed function)."""
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


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


@torch.no_grad()
def predicted_classes(model: nn.Module, images: Tensor) -> Tensor:
    with evaluating(model):
        return model(images.to(device_of(model))).argmax(dim=1).cpu()
