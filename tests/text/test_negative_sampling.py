"""text.negative_sampling: the noise distribution is count**0.75 normalised, the table sampler draws from it
(chi-square test) repeatably, and the loss is the formula, finite even for scores of ±200 in float32."""

from __future__ import annotations

import numpy as np
import torch
from scipy import stats

from dlpractice.text import NoiseSampler, negative_sampling_loss, noise_distribution


def test_noise_distribution_proportional_to_count_power() -> None:
    counts = np.array([1000, 100, 10, 1])
    p = noise_distribution(counts)
    assert p.dtype == np.float64
    assert np.isclose(p.sum(), 1.0)
    assert np.allclose(p / p[-1], counts ** 0.75)
    assert np.allclose(noise_distribution(counts, power=1.0), counts / counts.sum())
    assert np.allclose(noise_distribution(counts, power=0.0), 0.25)


def test_sampler_frequencies_match_the_distribution(lee) -> None:
    """400,000 draws over the Lee vocabulary's 1,815 words: Pearson's chi-square against the distribution stays under
    its 1 - 1e-6 quantile (a false alarm once in a million runs; the seed fixes this one)."""
    counts = lee.vocab.counts
    n = 400_000
    samples = NoiseSampler(counts, seed=0).sample((n // 4, 4))
    assert samples.shape == (n // 4, 4) and samples.dtype == torch.int64
    observed = np.bincount(samples.numpy().ravel(), minlength=len(counts))
    expected = n * noise_distribution(counts)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert chi2 < stats.chi2.ppf(1 - 1e-6, df=len(counts) - 1)
    assert observed[0] > observed[-1]  # "the" is drawn far more often than a rare word


def test_sampler_same_seed_same_samples() -> None:
    counts = np.array([50, 30, 10, 5, 5])
    first = NoiseSampler(counts, seed=3).sample((100, 5))
    assert torch.equal(first, NoiseSampler(counts, seed=3).sample((100, 5)))
    assert not torch.equal(first, NoiseSampler(counts, seed=4).sample((100, 5)))
    assert first.min() >= 0 and first.max() < len(counts)


def test_loss_equals_the_formula() -> None:
    """-log σ(u_o·v) - Σ_k log σ(-u_k·v), averaged over the batch, computed by hand in float64."""
    generator = torch.Generator().manual_seed(0)
    B, K, D = 6, 4, 8
    centre = torch.randn(B, D, generator=generator, dtype=torch.float64)
    context = torch.randn(B, D, generator=generator, dtype=torch.float64)
    negatives = torch.randn(B, K, D, generator=generator, dtype=torch.float64)
    expected = 0.0
    for b in range(B):
        expected -= np.log(1 / (1 + np.exp(-float(centre[b] @ context[b]))))
        for k in range(K):
            expected -= np.log(1 / (1 + np.exp(float(negatives[b, k] @ centre[b]))))
    expected /= B
    loss = negative_sampling_loss(centre, context, negatives)
    assert loss.shape == ()
    assert abs(loss.item() - expected) < 1e-10


def test_loss_finite_for_extreme_scores_in_float32() -> None:
    """Scores of ±200 (log σ underflows to -inf below -104 in float32): the worst case costs 200 per word, the best
    case about 0, and the gradients stay finite."""
    K = 3
    centre = torch.tensor([[10.0, 10.0]], requires_grad=True)
    context = torch.tensor([[-10.0, -10.0]])  # score -200
    negatives = torch.tensor([[[10.0, 10.0]] * K])  # scores +200
    worst = negative_sampling_loss(centre, context, negatives)
    assert torch.isfinite(worst) and abs(worst.item() - 200 * (1 + K)) < 1e-3
    worst.backward()
    assert torch.isfinite(centre.grad).all()
    best = negative_sampling_loss(centre, -context, -negatives)
    assert torch.isfinite(best) and 0 <= best.item() < 1e-6
