"""Deterministic train/validation/test splits from a seed."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split


def split_indices(
    n: int,
    fractions: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
    stratify: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of train, validation and test parts; the same seed always gives the same parts."""
    if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) < 0:
        raise ValueError(f"fractions must be >= 0 and sum to 1, got {fractions}")
    train_frac, val_frac, test_frac = fractions
    index = np.arange(n)
    rest, test = (index, index[:0]) if test_frac == 0 else train_test_split(
        index, test_size=test_frac, random_state=seed, stratify=stratify)
    if val_frac == 0:
        return np.sort(rest), index[:0], np.sort(test)
    rest_labels = None if stratify is None else stratify[rest]
    train, val = train_test_split(rest, test_size=val_frac / (train_frac + val_frac), random_state=seed + 1, stratify=rest_labels)
    return np.sort(train), np.sort(val), np.sort(test)
