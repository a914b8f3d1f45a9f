"""Subsampling of frequent words (Mikolov et al. 2013): "the" carries little about its neighbours, so most of its
occurrences are dropped before the windows are taken, which also brings the other words closer together.

The keep probability is the one of word2vec's C code and gensim: with f = count / total and threshold t
(`sample`, 1e-3 by default), p = (sqrt(f / t) + 1) · t / f, capped at 1. Words with f below about 2.6 t are
always kept. (The paper's formula, a discard probability of 1 - sqrt(t / f), is a different curve.)
"""

from __future__ import annotations

import numpy as np


def keep_probability(counts: np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """(V,) float64: the probability that one occurrence of each word is kept. sample = 0 keeps every word."""
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    frequency = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(frequency / sample) + 1) * sample / frequency)


def subsample(ids: np.ndarray, keep: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask over the tokens `ids`: True where the occurrence is kept, each drawn independently."""
    return rng.random(len(ids)) < keep[ids]
