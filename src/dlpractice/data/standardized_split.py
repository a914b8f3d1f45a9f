"""Train/validation/test tensors standardised with the training part's statistics (no peeking at the test part)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from dlpractice.data.splits import split_indices


@dataclass
class Split:
    """Train/validation/test tensors, inputs standardised with the training part's mean and std."""

    parts: dict[str, tuple[Tensor, Tensor]]  # "train" | "val" | "test" -> (x, y)
    index: dict[str, np.ndarray]
    mean: Tensor
    std: Tensor

    def scale(self, x: np.ndarray) -> Tensor:
        return (torch.from_numpy(np.asarray(x, dtype=np.float32)) - self.mean) / self.std


def make_split(
    x: np.ndarray, y: np.ndarray, seed: int, classification: bool, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
) -> Split:
    """Split (stratified for classification) and standardise every part with the training part's statistics only."""
    train_i, val_i, test_i = split_indices(len(x), fractions, seed=seed, stratify=y if classification else None)
    index = {"train": train_i, "val": val_i, "test": test_i}
    xt = torch.from_numpy(np.asarray(x, dtype=np.float32))
    yt = torch.from_numpy(y)
    mean, std = xt[train_i].mean(dim=0), xt[train_i].std(dim=0)
    std = torch.where(std > 0, std, torch.ones_like(std))  # a constant column stays as it is
    parts = {name: ((xt[i] - mean) / std, yt[i]) for name, i in index.items()}
    return Split(parts, index, mean, std)
