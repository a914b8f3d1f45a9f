"""A 1-D CNN for whole genomes, after the coronavirus study: primer-wide filters, pooling, dense + dropout (lab 05)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class GenomeCNN(nn.Module):
    """Conv1d(width) -> ReLU -> MaxPool1d(pool) -> Flatten -> Dropout -> Linear(classes).

    Each filter is a position weight matrix as wide as a primer (21 bases by default): it scores every
    window of the genome. Max pooling keeps each filter's best score in every stretch of `pool` positions,
    so a motif moved a few bases by an insertion or deletion still lands in the same pooled unit. The dense
    layer learns *where* along the genome which filter votes for which class; being linear, a pooled unit's
    share of a class score is exactly its value times its weight.
    """

    def __init__(self, length: int, in_channels: int = 4, n_classes: int = 5, filters: int = 16, width: int = 21,
                 pool: int = 10, dropout: float = 0.5) -> None:
        super().__init__()
        if length < width + pool - 1:
            raise ValueError(f"genomes of length {length} are too short for filters of width {width} and pooling {pool}")
        self.pool = pool
        self.conv = nn.Conv1d(in_channels, filters, width)
        self.dense = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(filters * ((length - width + 1) // pool), n_classes))

    def pooled(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(values, starts), each (n, filters, L'): each filter's best score in each stretch of the genome, and
        the start of the window that gave it (where the filter's first weight sat)."""
        return F.max_pool1d(self.conv(x).relu(), self.pool, return_indices=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.dense(F.max_pool1d(self.conv(x).relu(), self.pool))
