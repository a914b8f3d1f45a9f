"""A shuffling sampler whose order depends only on (seed, epoch): a resumed run sees the same batches (lab 02)."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class SeededSampler(Sampler[int]):
    """Shuffles `range(n)` with a generator seeded from `(seed, epoch)`; Lightning calls `set_epoch` each epoch.

    PyTorch's default `RandomSampler` draws from the global random state, so the order of epoch 5
    depends on everything drawn before it; here it is a pure function of its arguments.
    """

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch)
        return iter(torch.randperm(self.n, generator=generator).tolist())

    def __len__(self) -> int:
        return self.n
