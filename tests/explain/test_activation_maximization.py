"""explain.activation_maximization: images optimised to excite a class or a channel, and total variation."""

from __future__ import annotations

import pytest
import torch

from dlpractice.explain import activation_maximization, feature_maps, total_variation
from support.explain_models import TinyCNN, vgg


def test_activation_maximization_excites_its_class(trained: TinyCNN) -> None:
    """Each image made for class c is classified as c by the trained model, stays within the bounds, and the same
    seed gives the same images (another seed, other images)."""
    classes = list(range(10))
    settings = dict(classes=classes, steps=150, tv=0.2, jitter=1, bounds=(0.0, 1.0))  # 8×8 images: small shifts
    images = activation_maximization(trained, (1, 8, 8), **settings)
    assert images.shape == (10, 1, 8, 8)
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.max() > 0.5
    with torch.no_grad():
        logits = trained(images)
    assert torch.equal(logits.argmax(dim=1), torch.tensor(classes))
    assert torch.equal(images, activation_maximization(trained, (1, 8, 8), **settings))
    assert not torch.equal(images, activation_maximization(trained, (1, 8, 8), **settings, seed=1))


def test_activation_maximization_of_channels(trained: TinyCNN, digits) -> None:
    """An image optimised (within the pixel range of the digits) for a channel of a conv layer excites that
    channel more than any of the 1,797 real digits does."""
    layer = trained.features[4]
    channels = list(range(16))
    images = activation_maximization(trained, (1, 8, 8), layer=layer, channels=channels, steps=150, tv=0.2,
                                     jitter=1, bounds=(0.0, 1.0))
    reached = feature_maps(trained, images, layer).mean(dim=(2, 3)).diag()  # image c's activation of channel c
    real_best = feature_maps(trained, digits[0], layer).mean(dim=(2, 3)).amax(dim=0)
    assert (reached > real_best).all()


def test_activation_maximization_bad_arguments() -> None:
    """Exactly one of classes / (layer and channels) must be given."""
    model = vgg(width=8)
    for kwargs in [{}, {"classes": [1], "channels": [0], "layer": model.features[0]}, {"channels": [0]}]:
        with pytest.raises(ValueError):
            activation_maximization(model, (1, 28, 28), steps=1, **kwargs)


def test_total_variation() -> None:
    """Zero for a constant image, larger for noise than for a smooth ramp; per image."""
    ramp = torch.linspace(0, 1, 8).view(1, 1, 1, 8).expand(1, 1, 8, 8)
    noise = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    values = total_variation(torch.cat([torch.full((1, 1, 8, 8), 0.5), ramp, noise]))
    assert values.shape == (3,) and values[0] == 0 and values[1] < values[2]
    assert values[1].item() == pytest.approx((1 / 7) ** 2)  # no vertical change; each horizontal step is 1/7
