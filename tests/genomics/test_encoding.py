"""Genomes as network input: one-hot (4 channels) and numeric encodings."""

import numpy as np
import pytest

from dlpractice.genomics import encoding


def test_one_hot_and_numeric_encodings():
    x = encoding.one_hot_encode("ACGTNu", length=8)
    assert x.shape == (4, 8) and x.dtype == np.float32
    assert x[:, :4].tolist() == np.eye(4).tolist()  # A, C, G, T: one row each, in that order
    assert x[:, 4].sum() == 0 and x[:, 6:].sum() == 0  # N and the padding are columns of zeros
    assert x[3, 5] == 1  # RNA's U reads as T
    assert encoding.numeric_encode("CTGAN", 6).tolist() == [[0.25, 0.5, 0.75, 1.0, 0.0, 0.0]]
    batch = encoding.encode_batch(["ACG", "ACGTA"])
    assert batch.shape == (2, 4, 5) and batch[0, :, 3:].sum() == 0
    with pytest.raises(ValueError, match="does not fit"):
        encoding.one_hot_encode("ACGT", length=3)
