"""data.adding_problem: shapes and types, two markers per sequence (one in each half), the target their numbers'
sum, repeatable for a seed, and the mean's MSE of about 1/6."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice.data.adding_problem import MEAN_BASELINE_MSE, adding_problem


@pytest.mark.parametrize("steps", [2, 7, 50])
def test_two_markers_one_in_each_half_and_the_target_is_their_sum(steps) -> None:
    x, y = adding_problem(500, steps, seed=0)
    assert x.shape == (500, steps, 2) and x.dtype == np.float32
    assert y.shape == (500,) and y.dtype == np.float32
    values, markers = x[:, :, 0], x[:, :, 1]
    assert ((values >= 0) & (values <= 1)).all()
    assert np.isin(markers, (0.0, 1.0)).all() and (markers.sum(axis=1) == 2).all()
    half = steps // 2
    assert (markers[:, :half].sum(axis=1) == 1).all() and (markers[:, half:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (values * markers).sum(axis=1), rtol=1e-6)


def test_repeats_for_a_seed_and_changes_with_it() -> None:
    x1, y1 = adding_problem(50, 10, seed=1)
    x2, y2 = adding_problem(50, 10, seed=1)
    x3, _ = adding_problem(50, 10, seed=2)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_predicting_the_mean_gives_an_mse_of_one_sixth() -> None:
    """y is the sum of two independent U(0, 1): mean 1, variance 2/12."""
    _, y = adding_problem(200_000, 20, seed=0)
    assert y.mean() == pytest.approx(1.0, abs=0.01)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(MEAN_BASELINE_MSE, abs=0.003)
    markers_positions = adding_problem(2000, 20, seed=0)[0][:, :, 1].sum(axis=0)
    assert (markers_positions > 0).all()  # every position gets marked: both halves are drawn whole


def test_refuses_fewer_than_two_steps() -> None:
    with pytest.raises(ValueError, match="2 steps"):
        adding_problem(5, 1, seed=0)
