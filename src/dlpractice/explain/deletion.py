"""The deletion curve (Petsiuk et al., 2018): remove pixels from the most to the least important according to an
explanation, and follow the class probability (lab 06). A faithful explanation makes it fall fast: a small area
under it."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.scores import fixed_targets
from dlpractice.models.evaluation import device_of, evaluating


@torch.no_grad()
def deletion_curve(model: nn.Module, images: Tensor, attributions: Tensor, target: int | Tensor | None = None,
                   baseline: float = 0.0, steps: int = 20) -> tuple[Tensor, Tensor]:
    """Fractions removed (steps + 1,) from 0 to 1, and the target class's probability at each: (N, steps + 1).

    A pixel's importance is its attribution summed over channels; removing it sets all its channels to `baseline`."""
    device = device_of(model)
    x = images.to(device)
    n, channels, height, width = x.shape
    importance = attributions.to(device).sum(dim=1).flatten(1)  # (N, H·W)
    order = importance.argsort(dim=1, descending=True)
    fractions = torch.linspace(0, 1, steps + 1)
    classes = fixed_targets(model, x, target).to(device)
    with evaluating(model):
        probabilities = []
        for fraction in fractions:
            keep = torch.ones(n, height * width, device=device)
            keep.scatter_(1, order[:, :round(float(fraction) * height * width)], 0.0)
            keep = keep.view(n, 1, height, width)
            erased = x * keep + baseline * (1 - keep)
            probabilities.append(model(erased).softmax(dim=1).gather(1, classes.view(-1, 1)).squeeze(1))
    return fractions, torch.stack(probabilities, dim=1).cpu()


def area_under_curve(fractions: Tensor, values: Tensor) -> Tensor:
    """Trapezoid area under each curve (rows of `values`) over `fractions`: (N,)."""
    return torch.trapezoid(values, fractions, dim=-1)
