"""Fixtures shared by the test modules."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

# ../shared/data beside the repository holds real datasets for tests (see its README); it may be absent.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


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
