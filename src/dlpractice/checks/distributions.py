"""Checking random answers: a distribution test with a stated false-alarm rate, and independence across calls.

A correct random answer must pass, whatever its luck; a wrong one (a fixed-count mask, a skewed draw, the same
"random" output on every call from a private generator with a fixed seed) must fail. Each test accepts a correct
answer except with probability FALSE_ALARM, and checks run seeded (`tensors.isolated`), so the same answer always
gets the same verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from dlpractice.checks.core import CheckFailed, as_array

# One correct answer in a billion is refused by chance: never, in practice, over every student of every year.
FALSE_ALARM = 1e-9


def expect_count(count: int, n: int, p: float, case: str, what: str) -> None:
    """`count` successes out of `n` independent trials of probability `p` (a two-sided binomial test)."""
    low, high = stats.binom.ppf(FALSE_ALARM / 2, n, p), stats.binom.isf(FALSE_ALARM / 2, n, p)
    if not low <= count <= high:
        raise CheckFailed(f"case '{case}': {what}: {count} of {n}, where independent draws with probability {p:g} "
                          f"give {low:.0f} to {high:.0f} (all but one time in {1 / FALSE_ALARM:.0e})")


def expect_spread(counts: Any, n_per_group: int, p: float, case: str, what: str) -> None:
    """Per-group counts of independent Bernoulli(p) draws: the groups differ as much as chance makes them (a mask
    with exactly the same count in every row, or rows far apart, is not independent draws). Chi-square test of
    the counts' dispersion, two-sided at FALSE_ALARM."""
    counts = as_array(counts).astype(float).ravel()
    variance = n_per_group * p * (1 - p)
    if variance == 0 or len(counts) < 2:
        return
    statistic = float(((counts - n_per_group * p) ** 2).sum() / variance)  # ~ chi-square with len(counts) dof
    low, high = stats.chi2.ppf(FALSE_ALARM / 2, len(counts)), stats.chi2.isf(FALSE_ALARM / 2, len(counts))
    if statistic < low:
        raise CheckFailed(f"case '{case}': {what}: the counts per row are too even for independent random draws "
                          "(a fixed number chosen per row?); draw each element independently")
    if statistic > high:
        raise CheckFailed(f"case '{case}': {what}: the counts per row vary far more than independent draws with "
                          f"probability {p:g} would")


def expect_uniform(counts: Any, case: str, what: str) -> None:
    """Counts of draws over equally likely outcomes (a chi-square test): a skewed draw, or two draws that depend on
    each other (counted over the pairs), fails."""
    observed = as_array(counts).astype(float).ravel()
    if observed.sum() == 0:
        return
    p_value = stats.chisquare(observed).pvalue
    if p_value < FALSE_ALARM:
        raise CheckFailed(f"case '{case}': {what} are not equally likely (counts {observed.astype(int).tolist()}, "
                          f"chi-square p = {p_value:.1e}); draw each one uniformly and independently")


def expect_normal(sample: Any, case: str, what: str, mean: float = 0.0, std: float = 1.0) -> None:
    """Draws from the normal distribution N(mean, std²), judged on the whole shape (Kolmogorov–Smirnov), not only the
    mean and spread: a uniform or Laplace sample rescaled to the right mean and std fails."""
    values = as_array(sample).astype(float).ravel()
    p_value = stats.kstest(values, "norm", args=(mean, std)).pvalue
    if p_value < FALSE_ALARM:
        raise CheckFailed(f"case '{case}': {what} do not look like draws from a normal distribution with mean {mean:g} "
                          f"and std {std:g} (Kolmogorov–Smirnov p = {p_value:.1e})")


def expect_differs(first: Any, second: Any, case: str, what: str) -> None:
    """Two calls give different random outputs (a private generator with a fixed seed repeats itself)."""
    if np.array_equal(as_array(first), as_array(second)):
        raise CheckFailed(f"case '{case}': the same {what} on every call; draw from the global generator "
                          "(torch.rand..., np.random...) instead of one seeded inside your function")
