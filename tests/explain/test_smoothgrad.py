"""explain.smoothgrad: saliency averaged over noisy copies, against captum's NoiseTunnel."""

from __future__ import annotations

import pytest
import torch
from captum.attr import NoiseTunnel, Saliency
from torch import nn

from dlpractice.explain import saliency, smoothgrad
from support.explain_models import TinyCNN, correlation, images28, vgg

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


def test_smoothgrad_without_noise_is_saliency() -> None:
    """noise=0: every noisy copy is the image itself, so SmoothGrad is the saliency map (exactly for one sample)."""
    model, x = vgg(), images28(3)
    assert torch.equal(smoothgrad(model, x, 2, samples=1, noise=0.0), saliency(model, x, 2))
    assert torch.allclose(smoothgrad(model, x, 2, samples=3, noise=0.0), saliency(model, x, 2), rtol=1e-6, atol=0)


def test_smoothgrad_is_deterministic_for_a_seed() -> None:
    """The same seed gives the same map; another seed gives another one."""
    model, x = vgg(), images28(2)
    a = smoothgrad(model, x, 1, samples=4, seed=3)
    assert torch.equal(a, smoothgrad(model, x, 1, samples=4, seed=3))
    assert not torch.equal(a, smoothgrad(model, x, 1, samples=4, seed=4))


class HalfSquare(nn.Module):
    """Σ x² / 2 per image: its gradient is the image itself."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.pow(2).flatten(1).sum(dim=1, keepdim=True)


def test_smoothgrad_noise_scale_is_relative_to_the_image_range() -> None:
    """The noise's std is noise × (max − min) of the image: where the gradient is x, a pixel at 0 gets
    E|σ·z| = σ·√(2/π) with σ = 0.1 × 2 for an image ranging over [0, 2]."""
    x = torch.zeros(1, 1, 32, 32)
    x[0, 0, 5, 7] = 2.0
    smooth = smoothgrad(HalfSquare(), x, 0, samples=100, noise=0.1)
    at_zero = smooth.flatten()[x.flatten() == 0].mean().item()
    assert at_zero == pytest.approx(0.2 * (2 / torch.pi) ** 0.5, rel=0.02)


def test_smoothgrad_converges_to_captum_noise_tunnel(trained: TinyCNN, digits) -> None:
    """With many samples, SmoothGrad and captum's NoiseTunnel(Saliency) (noise std = noise × (max − min) of the
    image), each with its own random noise, estimate the same mean: highly correlated, and much closer to each
    other than to the plain gradient. (A dimmed digit: its range is 0.6, so the noise's scale matters.)"""
    x = 0.6 * digits[0][:1]
    target = int(digits[1][0])
    noise, samples = 0.15, 1000
    span = float(x.max() - x.min())
    ours = smoothgrad(trained, x, target, samples=samples, noise=noise, seed=0)
    torch.manual_seed(123)  # other noise than ours
    theirs = NoiseTunnel(Saliency(trained)).attribute(x.clone(), nt_type="smoothgrad", nt_samples=samples,
                                                      stdevs=noise * span, target=target).detach()
    plain = saliency(trained, x, target)
    assert correlation(ours, theirs) > 0.99
    assert (ours - theirs).abs().mean() < 0.2 * (ours - plain).abs().mean()
