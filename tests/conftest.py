"""Fixtures shared by the test modules (helpers that are not fixtures live in tests/support)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from support.paths import IDX_FILES, SHARED_DATA


@pytest.fixture(scope="session")
def shared_mnist_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root with the real MNIST gunzipped where torchvision looks (ROOT/MNIST/raw/), from ../shared/data."""
    source = SHARED_DATA / "mnist"
    if not all((source / f"{name}.gz").is_file() for name in IDX_FILES):
        pytest.skip(f"the real MNIST files are absent from {source}")
    root = tmp_path_factory.mktemp("mnist_root")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in IDX_FILES:
        with gzip.open(source / f"{name}.gz", "rb") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return root


@pytest.fixture(scope="session")
def genomes():
    """Lab 05's synthetic genomes, small: 40 genomes of about 1,500 bases in 3 classes, 2 planted signatures each."""
    from dlpractice.data.genomes import synthetic_genomes

    return synthetic_genomes(class_sizes=(12, 20, 8), length=1500, signatures_per_class=2, seed=3)
