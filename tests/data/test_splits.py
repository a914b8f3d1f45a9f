"""split_indices: disjoint train/validation/test indices, repeatable, optionally stratified."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice import data


def test_split_indices_are_disjoint_cover_everything_and_have_the_asked_sizes() -> None:
    train, val, test = data.split_indices(1000, (0.6, 0.2, 0.2), seed=0)
    assert len(set(train) & set(val)) == len(set(train) & set(test)) == len(set(val) & set(test)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), np.arange(1000))
    assert (len(train), len(val), len(test)) == (600, 200, 200)


def test_split_indices_repeat_for_a_seed_and_change_with_it() -> None:
    first = data.split_indices(500, seed=7)
    again = data.split_indices(500, seed=7)
    other = data.split_indices(500, seed=8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_split_indices_stratified_keep_the_class_proportions_in_every_part() -> None:
    labels = np.array([0] * 900 + [1] * 100)  # 10 % minority class
    for part in data.split_indices(1000, (0.7, 0.15, 0.15), seed=0, stratify=labels):
        assert labels[part].mean() == pytest.approx(0.10, abs=0.01)


def test_split_indices_without_validation_part() -> None:
    train, val, test = data.split_indices(100, (0.8, 0.0, 0.2), seed=0)
    assert (len(train), len(val), len(test)) == (80, 0, 20)


@pytest.mark.parametrize("fractions", [(0.5, 0.2, 0.2), (1.2, -0.1, -0.1)])
def test_split_indices_reject_fractions_that_do_not_sum_to_one(fractions) -> None:
    with pytest.raises(ValueError, match="fractions"):
        data.split_indices(100, fractions)
