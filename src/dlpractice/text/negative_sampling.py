"""Negative sampling: instead of a softmax over the whole vocabulary, tell the true context word apart from a few
random "noise" words (Mikolov et al. 2013).

For a centre vector v, the true context's output vector u_o and K noise words' u_1..u_K, the loss is
    -log σ(u_o · v) - Σ_k log σ(-u_k · v),
so it pulls the true pair together and pushes the noise apart. Noise words are drawn from the unigram
distribution raised to the power 0.75, which gives rare words more chances than their counts alone would.
Like word2vec's C code and gensim, the sampler fills a large table with word ids in proportion to that
distribution and draws uniformly from it: one random integer per sample.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

TABLE_SIZE = 1 << 22  # 4M entries: a word of probability p fills p·4M slots (gensim: 1e8; 4M is plenty for 1e5 words)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> np.ndarray:
    """(V,) float64 probabilities proportional to count ** power."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


class NoiseSampler:
    """Draws noise word ids from `noise_distribution` with a lookup table and its own NumPy generator (NumPy's
    generator draws integers about 5x faster than torch.randint on a CPU: 5 noise words per example add up)."""

    def __init__(self, counts: np.ndarray, seed: int, power: float = 0.75) -> None:
        cumulative = np.cumsum(noise_distribution(counts, power))
        slots = (np.arange(TABLE_SIZE) + 0.5) / TABLE_SIZE
        self.table = np.minimum(np.searchsorted(cumulative, slots), len(cumulative) - 1)
        self.rng = np.random.default_rng(seed)

    def sample(self, shape: tuple[int, ...]) -> Tensor:
        """int64 word ids of the given shape."""
        return torch.from_numpy(self.table[self.rng.integers(0, TABLE_SIZE, shape)])


def negative_sampling_loss(centre: Tensor, context: Tensor, negatives: Tensor) -> Tensor:
    """centre (B, D) input vectors, context (B, D) and negatives (B, K, D) output vectors -> the loss above, summed
    over the K noise words and averaged over the batch (a scalar). logsigmoid stays finite where log(sigmoid(x))
    underflows to -inf (x < -104 in float32)."""
    positive = (centre * context).sum(dim=1)  # (B,)
    negative = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)  # (B, K)
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(dim=1)).mean()
