"""explain.deletion: the deletion curve (pixels removed in attribution order) and its area."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dlpractice.explain import area_under_curve, deletion_curve
from support.explain_models import images28, vgg


class PixelWeights(nn.Module):
    """Two classes on 1×4×4 images: class 0's logit is Σ w·x with known positive weights, class 1's is 0."""

    def __init__(self) -> None:
        super().__init__()
        order = torch.randperm(16, generator=torch.Generator().manual_seed(0))
        self.weights = nn.Parameter((order + 1.0) / 16)  # 1/16, 2/16, ..., 1 in a shuffled order

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        score = x.flatten(1) @ self.weights - 4.0
        return torch.stack([score, torch.zeros_like(score)], dim=1)


def test_deletion_curve_endpoints() -> None:
    """Fraction 0 is the clean image's probability, fraction 1 that of the all-baseline image, for every image."""
    model, x = vgg(width=8), images28(3)
    fractions, curves = deletion_curve(model, x, torch.rand_like(x), target=torch.tensor([1, 2, 3]), baseline=0.3,
                                       steps=4)
    assert torch.allclose(fractions, torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0]))
    assert curves.shape == (3, 5)
    with torch.no_grad():
        clean = model(x).softmax(1)[torch.arange(3), torch.tensor([1, 2, 3])]
        blank = model(torch.full_like(x, 0.3)).softmax(1)[torch.arange(3), torch.tensor([1, 2, 3])]
    assert torch.allclose(curves[:, 0], clean, atol=1e-6)
    assert torch.allclose(curves[:, -1], blank, atol=1e-6)


def test_deletion_follows_the_attribution_order() -> None:
    """Attributions w·x of a linear model remove pixels from the largest contribution down: the curve is exactly
    sigmoid of what remains, falls fastest, and has a smaller area than random or reversed orders."""
    model = PixelWeights()
    x = torch.ones(2, 1, 4, 4)
    perfect = model.weights.detach().view(1, 1, 4, 4) * x
    fractions, curve = deletion_curve(model, x, perfect, target=0, steps=16)
    remaining = model.weights.detach().sort(descending=True).values.flip(0).cumsum(0).flip(0)  # after k removals
    expected = torch.sigmoid(torch.cat([remaining, torch.zeros(1)]) - 4.0)
    assert torch.allclose(curve, expected.expand(2, 17), atol=1e-6)
    shuffled = torch.rand(2, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    auc = area_under_curve(fractions, curve)
    assert (auc < area_under_curve(*deletion_curve(model, x, shuffled, target=0, steps=16))).all()
    assert (auc < area_under_curve(*deletion_curve(model, x, -perfect, target=0, steps=16))).all()


def test_area_under_curve_is_the_trapezoid_rule() -> None:
    """The area per row equals numpy's trapezoid rule, also on unevenly spaced fractions."""
    fractions = torch.tensor([0.0, 0.1, 0.3, 0.7, 1.0])
    values = torch.rand(3, 5, generator=torch.Generator().manual_seed(0))
    expected = np.trapezoid(values.numpy(), fractions.numpy(), axis=-1)
    assert np.allclose(area_under_curve(fractions, values).numpy(), expected, atol=1e-6)
    assert area_under_curve(fractions, torch.ones(1, 5)).item() == pytest.approx(1.0)
