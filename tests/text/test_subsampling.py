"""text.subsampling: keep_probability is gensim's (read back from a gensim model's `sample_int`), capped at 1, and
subsample keeps each word's occurrences in the proportion it says."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from dlpractice.text import keep_probability, subsample


@pytest.mark.parametrize("sample", [1e-3, 1e-4, 0.0])
def test_keep_probability_equals_gensims(lee, sample: float) -> None:
    """gensim stores each word's keep probability × (2**32 - 1) as `sample_int` once build_vocab has run."""
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    model = Word2Vec(vector_size=8, min_count=5, sample=sample, workers=1)
    model.build_vocab(lee.sentences)
    theirs = np.array([model.wv.get_vecattr(w, "sample_int") for w in lee.vocab.words]) / 2**32
    ours = keep_probability(lee.vocab.counts, sample)
    assert ours.dtype == np.float64 and ours.shape == (len(lee.vocab),)
    assert np.abs(ours - theirs).max() < 1e-9
    if sample:
        assert ours[0] < 0.5  # "the" is mostly dropped
        assert (ours == 1).sum() > len(ours) // 2  # rare words are always kept (the cap)
    else:
        assert (ours == 1).all()


def test_keep_probability_formula_and_cap() -> None:
    """(sqrt(f / t) + 1) · t / f below the cap; never above 1."""
    counts = np.array([9000, 900, 90, 10])
    f = counts / counts.sum()
    p = keep_probability(counts, sample=0.01)
    assert np.allclose(p[:2], (np.sqrt(f[:2] / 0.01) + 1) * 0.01 / f[:2])
    assert p[0] < p[1] < 1
    assert p[2] == p[3] == 1.0


def test_subsample_keeps_the_expected_fraction() -> None:
    """Four words of 20,000 occurrences each, kept with probabilities 0.1, 0.5, 0.9 and 1: each kept count lies within
    5 binomial standard deviations of n·p (a false alarm about once in 10**6 per word; the seed fixes the draw)."""
    keep = np.array([0.1, 0.5, 0.9, 1.0])
    n = 20_000
    ids = np.random.default_rng(0).permutation(np.repeat(np.arange(4), n))
    mask = subsample(ids, keep, np.random.default_rng(1))
    assert mask.dtype == bool and mask.shape == ids.shape
    kept = np.bincount(ids[mask], minlength=4)
    assert kept[3] == n
    assert np.all(np.abs(kept - n * keep) <= 5 * np.sqrt(n * keep * (1 - keep)))
    again = subsample(ids, keep, np.random.default_rng(1))
    assert np.array_equal(mask, again)
