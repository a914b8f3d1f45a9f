"""explain.randomization: the model-randomisation sanity check (a copy with new weights, rank correlation)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from dlpractice.explain import randomized_copy, rank_correlation
from support.explain_models import vgg


def test_randomized_copy_leaves_the_original_and_is_repeatable() -> None:
    """The copy has new weights in every layer and reset batch-norm statistics; the original is untouched; the
    same seed gives the same copy, another seed another; the caller's random numbers do not move."""
    model = vgg(width=8)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.random.get_rng_state()
    copy_a = randomized_copy(model, seed=5)
    assert torch.equal(torch.random.get_rng_state(), rng)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    state_a = copy_a.state_dict()
    for name, value in before.items():
        if name.endswith("weight") and value.dim() > 1:  # every conv and linear weight is new
            assert not torch.allclose(state_a[name], value)
        if name.endswith("running_mean"):
            assert value.abs().sum() > 0 and torch.equal(state_a[name], torch.zeros_like(value))
    assert all(torch.equal(v, randomized_copy(model, seed=5).state_dict()[k]) for k, v in state_a.items())
    other = randomized_copy(model, seed=6)
    assert not torch.equal(state_a["features.0.weight"], other.state_dict()["features.0.weight"])
    assert copy_a.training == model.training


def test_randomized_copy_of_a_single_layer() -> None:
    """A model that is one layer (a linear probe) is re-initialised too."""
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)
    assert not torch.allclose(randomized_copy(layer, seed=1).weight, layer.weight)


def test_rank_correlation_is_spearman_of_absolute_maps() -> None:
    """Per image: scipy's Spearman correlation of |map| flattened (summed over channels); 1 for a map and 2× or
    −1× the map; −1 for reversed ranks."""
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(3, 1, 6, 6, generator=generator), torch.randn(3, 1, 6, 6, generator=generator)
    ours = rank_correlation(a, b)
    expected = [spearmanr(a[i].abs().flatten().numpy(), b[i].abs().flatten().numpy()).statistic for i in range(3)]
    assert ours.shape == (3,) and np.allclose(ours.numpy(), expected, atol=1e-6)
    assert torch.allclose(rank_correlation(a, 2 * a), torch.ones(3), atol=1e-6)
    assert torch.allclose(rank_correlation(a, -a), torch.ones(3), atol=1e-6)
    ramp = torch.arange(1.0, 37.0).view(1, 1, 6, 6)
    assert rank_correlation(ramp, 1 / ramp).item() == pytest.approx(-1.0)
    rgb, other = torch.randn(2, 3, 5, 5, generator=generator), torch.randn(2, 3, 5, 5, generator=generator)
    expected_rgb = [spearmanr(rgb[i].abs().sum(0).flatten().numpy(), other[i].abs().sum(0).flatten().numpy()).statistic
                    for i in range(2)]
    assert np.allclose(rank_correlation(rgb, other).numpy(), expected_rgb, atol=1e-6)
