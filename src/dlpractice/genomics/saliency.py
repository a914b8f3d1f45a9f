"""Reading a trained genome CNN (lab 05): which positions of a genome made it say "this class"?

Two views. Gradient x input: how much the class score would change per unit of each input value, times that
value; with one-hot input, summing over the 4 channels leaves one number per position, the contribution of
the base that is there. Maximal activations: the pooled units (a filter's best window in a stretch of the
genome) that push the class score up most, each pointing at the window where its filter fired.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from dlpractice.explain.input_x_gradient import input_x_gradient
from dlpractice.models.genome_cnn import GenomeCNN


def gradient_x_input(model: GenomeCNN, x: Tensor, target: Tensor, batch: int = 64) -> np.ndarray:
    """(n, L): d(score of the target class)/d(input) x input, summed over the channels (`batch` genomes at a time)."""
    parts = [input_x_gradient(model, x[i:i + batch], target[i:i + batch]) for i in range(0, len(x), batch)]
    return torch.cat(parts).sum(dim=1).numpy()


def top_activations(model: GenomeCNN, x: Tensor, target: Tensor, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(relevance, start), each (n, count): per genome, the `count` pooled units with the largest |pooled value
    x d(target score)/d(pooled value)| — their share of the class score — and where each unit's filter fired."""
    model.eval()
    with torch.no_grad():
        values, starts = model.pooled(x)
    values.requires_grad_(True)
    model.dense(values).gather(1, target[:, None]).sum().backward()
    relevance = (values.grad * values).detach().flatten(1)
    best = relevance.abs().topk(count, dim=1)
    return relevance.gather(1, best.indices).numpy(), starts.flatten(1).gather(1, best.indices).numpy()


def window_sums(values: np.ndarray, width: int) -> np.ndarray:
    """(..., L - width + 1): the sum of `values` over every window of `width` positions (a running sum)."""
    totals = np.cumsum(np.pad(values, [(0, 0)] * (values.ndim - 1) + [(1, 0)]), axis=-1)
    return totals[..., width:] - totals[..., :-width]


def top_windows(scores: np.ndarray, count: int, width: int) -> list[int]:
    """Starts of up to `count` best-scoring windows (score > 0), no two overlapping (greedy, best first)."""
    chosen: list[int] = []
    for start in np.argsort(-scores, kind="stable"):
        if scores[start] <= 0 or len(chosen) == count:
            break
        if all(abs(int(start) - c) >= width for c in chosen):
            chosen.append(int(start))
    return chosen
