"""sequences.sampling: temperature 0 (and a tiny one) is the argmax; at T = 1 the draws follow the softmax of the
logits (a chi-square test, seeded, at a false-alarm rate of 1e-6, which a wrong temperature fails); a higher
temperature gives draws of higher entropy, up to uniform."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from dlpractice.sequences.sampling import sample_with_temperature

LOGITS = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0, -3.0])  # softmax: 0.56 .. 0.0038
DRAWS = 20_000  # the rarest token is then expected 76 times, well above chi-square's 5
ALPHA = 1e-6  # false-alarm rate: a correct sampler fails one seed in a million


def counts(temperature: float, seed: int = 0) -> np.ndarray:
    """How often each token is drawn in DRAWS independent draws from LOGITS."""
    generator = torch.Generator().manual_seed(seed)
    ids = sample_with_temperature(LOGITS.expand(DRAWS, -1), temperature, generator)
    return np.bincount(ids.numpy(), minlength=len(LOGITS))


def entropy(frequencies: np.ndarray) -> float:
    p = frequencies[frequencies > 0] / frequencies.sum()
    return float(-(p * np.log(p)).sum())


def test_zero_temperature_is_the_argmax() -> None:
    logits = torch.randn(3, 4, 10, generator=torch.Generator().manual_seed(0))
    ids = sample_with_temperature(logits, 0.0)
    assert ids.dtype == torch.int64 and ids.shape == (3, 4)
    assert torch.equal(ids, logits.argmax(dim=-1))
    # near 0 it is the argmax too: the runner-up's odds are below exp(-gap / T)
    assert torch.equal(sample_with_temperature(logits, 1e-4, torch.Generator().manual_seed(1)), ids)


def test_draws_follow_the_softmax_at_temperature_one() -> None:
    expected = DRAWS * torch.softmax(LOGITS.double(), dim=0).numpy()
    assert chisquare(counts(1.0), expected).pvalue > ALPHA
    # the test has power: draws at T = 1.5 (or 0.7) are told apart from the T = 1 softmax
    assert chisquare(counts(1.5), expected).pvalue < ALPHA
    assert chisquare(counts(0.7), expected).pvalue < ALPHA


def test_draws_follow_the_scaled_softmax_at_any_temperature() -> None:
    expected = DRAWS * torch.softmax(LOGITS.double() / 2.5, dim=0).numpy()
    assert chisquare(counts(2.5), expected).pvalue > ALPHA


def test_higher_temperature_higher_entropy() -> None:
    entropies = [entropy(counts(t)) for t in (0.25, 0.5, 1.0, 2.0, 4.0, 100.0)]
    assert entropies == sorted(entropies) and len(set(entropies)) == len(entropies)
    assert entropies[-1] == pytest.approx(np.log(len(LOGITS)), abs=0.01)  # T → ∞: uniform


def test_seeded_generator_repeats_and_negative_temperature_is_refused() -> None:
    first = sample_with_temperature(LOGITS.expand(50, -1), 1.0, torch.Generator().manual_seed(7))
    again = sample_with_temperature(LOGITS.expand(50, -1), 1.0, torch.Generator().manual_seed(7))
    assert torch.equal(first, again)
    with pytest.raises(ValueError, match="temperature"):
        sample_with_temperature(LOGITS, -0.5)
