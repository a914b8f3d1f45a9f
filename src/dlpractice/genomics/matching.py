"""In-silico PCR, the short way (lab 05): does a primer occur in a genome, exactly or with few mismatches, and where?

A convolution does it for every primer, genome and position at once: with one-hot genomes and a one-hot
primer as the filter, the output at a position is the number of bases that match there (N matches
nothing). The best position of a genome gives its fewest mismatches — the same sum a CNN filter computes,
with weights fixed to the primer instead of learned.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from dlpractice.genomics.encoding import encode_batch, one_hot_encode


def best_matches(primers: Sequence[str], genomes: np.ndarray | Sequence[str], chunk: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """(matches, starts), each (n_primers, n_genomes): the most bases each primer matches at any position of each
    genome, and that position. `genomes` are sequences or their one-hot batch (n, 4, L); primers share one length."""
    if len({len(p) for p in primers}) > 1:
        raise ValueError("primers must all have the same length")
    onehot = genomes if isinstance(genomes, np.ndarray) else encode_batch(list(genomes))
    matches = np.zeros((len(primers), len(onehot)), dtype=np.int64)
    starts = np.zeros_like(matches)
    if not primers or onehot.shape[2] < len(primers[0]):
        return matches, starts
    filters = torch.from_numpy(np.stack([one_hot_encode(p) for p in primers]))
    with torch.no_grad():
        for first in range(0, len(onehot), chunk):  # chunks of genomes keep the (genomes, primers, L) output small
            found = F.conv1d(torch.from_numpy(onehot[first:first + chunk]), filters).max(dim=2)
            matches[:, first:first + chunk] = found.values.round().long().T.numpy()
            starts[:, first:first + chunk] = found.indices.T.numpy()
    return matches, starts


def min_mismatches(primers: Sequence[str], genomes: np.ndarray | Sequence[str]) -> np.ndarray:
    """(n_primers, n_genomes): the fewest mismatches of each primer over all positions of each genome."""
    width = len(primers[0]) if primers else 0
    return width - best_matches(primers, genomes)[0]


def presence(mismatches: np.ndarray, labels: np.ndarray, target: int, max_mismatches: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """For each primer: the fraction of target-class genomes it occurs in, and the fraction of other genomes."""
    found = mismatches <= max_mismatches
    return found[:, labels == target].mean(axis=1), found[:, labels != target].mean(axis=1)
