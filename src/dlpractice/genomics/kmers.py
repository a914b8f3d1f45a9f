"""k-mers: the words of length k in a sequence, and their counts as a feature vector of fixed length 4**k (lab 05).

Counting k-mers turns a genome of any length into one row of a table, so that classic models (a random
forest) can classify genomes; the price is that where a word occurs is forgotten.
"""

from __future__ import annotations

from itertools import product
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dlpractice.genomics.encoding import BASES, N_CODE, base_codes


def windows(seq: str, k: int) -> list[str]:
    """Every k-long window of `seq`, in order: len(seq) - k + 1 of them (none if seq is shorter than k)."""
    return [seq[i:i + k] for i in range(len(seq) - k + 1)]


def kmer_names(k: int) -> list[str]:
    """All 4**k words of length k in the order of `kmer_counts`: AA..A, AA..C, ..., TT..T."""
    return ["".join(word) for word in product(BASES, repeat=k)]


def kmer_counts(seq: str, k: int) -> np.ndarray:
    """How often each of the 4**k words occurs in `seq` (int64, ordered as `kmer_names`); windows with N are skipped."""
    codes = base_codes(seq)
    if len(codes) < k:
        return np.zeros(4**k, dtype=np.int64)
    grams = sliding_window_view(codes, k)
    known = (grams != N_CODE).all(axis=1)
    index = grams[known].astype(np.int64) @ (4 ** np.arange(k - 1, -1, -1))  # the word read as a base-4 number
    return np.bincount(index, minlength=4**k)


def kmer_table(seqs: Sequence[str], k: int) -> np.ndarray:
    """(n, 4**k) k-mer frequencies: each row's counts divided by its total, so genome length does not matter."""
    counts = np.stack([kmer_counts(s, k) for s in seqs]).astype(np.float64)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
