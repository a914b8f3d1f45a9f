"""The synthetic generators: two moons, spirals, blobs, a noisy sinusoid."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice import data

CLASSIFICATION_GENERATORS = {
    "two_moons": (data.two_moons, 2),
    "spirals": (data.spirals, 3),
    "blobs": (data.blobs, 4),
}


@pytest.mark.parametrize("name", CLASSIFICATION_GENERATORS)
def test_classification_generators_give_balanced_float32_points_and_int64_labels(name: str) -> None:
    make, classes = CLASSIFICATION_GENERATORS[name]
    x, y = make(n=600, seed=0)
    assert x.shape == (600, 2) and x.dtype == np.float32
    assert y.shape == (600,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", [data.two_moons, data.spirals, data.blobs, data.noisy_sinusoid])
def test_generators_repeat_for_a_seed_and_change_with_it(make) -> None:
    x1, y1 = make(n=200, seed=3)
    x2, y2 = make(n=200, seed=3)
    x3, _ = make(n=200, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("arms", [2, 3, 5, 7])
def test_spirals_have_one_class_per_arm(arms: int) -> None:
    _, y = data.spirals(n=70 * arms, arms=arms, seed=0)
    assert sorted(np.unique(y)) == list(range(arms))


def test_noisy_sinusoid_is_sine_plus_noise_of_the_asked_size() -> None:
    x, y = data.noisy_sinusoid(n=5000, noise=0.1, seed=0)
    assert x.shape == y.shape == (5000, 1)
    assert x.dtype == y.dtype == np.float32
    assert x.min() >= -2 * np.pi and x.max() <= 2 * np.pi
    assert np.std(y - np.sin(x)) == pytest.approx(0.1, rel=0.05)
