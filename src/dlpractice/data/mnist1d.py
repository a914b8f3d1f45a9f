"""MNIST-1D (Greydanus, 2020): ten 1-D digit templates, randomly padded, sheared, shifted and noised.

Generated locally from a seed with the `mnist1d` package; its `get_dataset` downloader is never used.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np


@dataclass
class MNIST1D:
    """Signals float32 (n, 40), labels int64 in [0, 10), and `t`, the 40 sample positions for plotting."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    t: np.ndarray


def mnist1d(num_samples: int = 5000, seed: int = 42, train_split: float = 0.8) -> MNIST1D:
    """`num_samples` signals (rounded down to a multiple of 10, balanced classes), the first `train_split` for training.

    The defaults (5,000 samples, seed 42, 80/20) are those of the published dataset.
    """
    if num_samples < 10:
        raise ValueError(f"num_samples must be >= 10 (one per class), got {num_samples}")
    if not 0 < train_split < 1:
        raise ValueError(f"train_split must be in (0, 1), got {train_split}")
    # Imported here: the package pulls in matplotlib and requests, which `import dlpractice.data` should not pay for.
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed, args.train_split = num_samples, seed, train_split
    # make_dataset seeds and draws from the global `random` and `np.random` generators: put them back
    # afterwards so that generating this data does not change the random numbers the caller gets next.
    saved_python, saved_numpy = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(args)
    finally:
        random.setstate(saved_python)
        np.random.set_state(saved_numpy)
    return MNIST1D(
        x_train=data["x"].astype(np.float32),
        y_train=data["y"].astype(np.int64),
        x_test=data["x_test"].astype(np.float32),
        y_test=data["y_test"].astype(np.int64),
        t=np.asarray(data["t"], dtype=np.float32),
    )
