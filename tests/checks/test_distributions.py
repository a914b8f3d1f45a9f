"""`checks.distributions`: correct random answers pass over many seeds (the stated false-alarm rate), the usual
wrong ones (fixed counts, skewed draws, a private fixed seed) fail."""

import numpy as np
import pytest

from dlpractice.checks.core import CheckFailed
from dlpractice.checks.distributions import FALSE_ALARM, expect_count, expect_differs, expect_normal, expect_spread


def test_independent_draws_pass_over_many_seeds():
    for seed in range(200):  # 200 x 2 tests at 1e-9 each: a failure here would be a bug, not bad luck
        mask = np.random.default_rng(seed).random((64, 100)) < 0.3
        expect_count(int(mask.sum()), mask.size, 0.3, "c", "kept units")
        expect_spread(mask.sum(axis=1), 100, 0.3, "c", "kept units")
    assert FALSE_ALARM <= 1e-6


def test_a_wrong_probability_is_caught():
    mask = np.random.default_rng(0).random((64, 100)) < 0.5
    with pytest.raises(CheckFailed, match="independent draws with probability 0.3 give"):
        expect_count(int(mask.sum()), mask.size, 0.3, "c", "kept units")


def test_a_fixed_count_per_row_is_too_even():
    rng = np.random.default_rng(0)
    mask = np.stack([rng.permutation(100) < 30 for _ in range(64)])  # exactly 30 kept in every row
    expect_count(int(mask.sum()), mask.size, 0.3, "c", "kept units")  # the mean alone cannot tell
    with pytest.raises(CheckFailed, match="too even"):
        expect_spread(mask.sum(axis=1), 100, 0.3, "c", "kept units")


def test_rows_that_share_one_draw_vary_too_much():
    rng = np.random.default_rng(0)
    mask = np.repeat(rng.random((64, 1)) < 0.3, 100, axis=1)  # one draw per row, copied across it
    with pytest.raises(CheckFailed, match="vary far more"):
        expect_spread(mask.sum(axis=1), 100, 0.3, "c", "kept units")


def test_the_same_output_on_every_call_is_caught():
    def private_seed():
        return np.random.default_rng(42).random(5) < 0.5

    with pytest.raises(CheckFailed, match="the same mask on every call"):
        expect_differs(private_seed(), private_seed(), "c", "mask")
    expect_differs(np.random.random(5), np.random.random(5), "c", "mask")


def test_normal_draws_are_judged_on_their_shape():
    for seed in range(50):
        expect_normal(np.random.default_rng(seed).normal(size=20000), "c", "the numbers")
    uniform = (np.random.default_rng(0).random(20000) - 0.5) * np.sqrt(12)  # mean 0, std 1, and flat
    assert abs(uniform.mean()) < 0.05 and abs(uniform.std() - 1) < 0.05
    with pytest.raises(CheckFailed, match="do not look like draws from a normal"):
        expect_normal(uniform, "c", "the numbers")
