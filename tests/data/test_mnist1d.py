"""MNIST-1D: small, standardised, balanced, repeatable for a seed."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice import data


def test_mnist1d_has_the_asked_sizes_dtypes_and_balanced_classes() -> None:
    ds = data.mnist1d(num_samples=500, seed=0, train_split=0.8)
    assert ds.x_train.shape == (400, 40) and ds.x_test.shape == (100, 40)
    assert ds.x_train.dtype == ds.x_test.dtype == np.float32
    assert ds.y_train.dtype == ds.y_test.dtype == np.int64
    assert ds.t.shape == (40,)
    np.testing.assert_array_equal(np.bincount(np.concatenate([ds.y_train, ds.y_test])), [50] * 10)
    everything = np.concatenate([ds.x_train, ds.x_test])
    assert abs(everything.mean()) < 1e-3 and everything.std() == pytest.approx(1.0, rel=1e-3)  # standardised


def test_mnist1d_repeats_for_a_seed_changes_with_it_and_leaves_global_rngs_alone() -> None:
    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)
    first = data.mnist1d(num_samples=200, seed=5)
    assert np.random.rand() == expected_next
    again = data.mnist1d(num_samples=200, seed=5)
    other = data.mnist1d(num_samples=200, seed=6)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_mnist1d_rejects_too_few_samples() -> None:
    with pytest.raises(ValueError, match="num_samples"):
        data.mnist1d(num_samples=5)
