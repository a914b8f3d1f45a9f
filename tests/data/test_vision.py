"""torchvision datasets (MNIST, Fashion-MNIST, CIFAR-10) read from disk, never the network, and as tensors."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest
import torch

from dlpractice import data
from dlpractice.course.errors import UserError
from dlpractice.data import vision
from support.paths import IDX_FILES, SHARED_DATA

MNIST_GZ = SHARED_DATA / "mnist"


def need_shared_mnist() -> None:
    if not all((MNIST_GZ / f"{name}.gz").is_file() for name in IDX_FILES):
        pytest.skip(f"the real MNIST files are absent from {MNIST_GZ}")


@pytest.fixture
def mnist_root(shared_mnist_root: Path) -> Path:
    return shared_mnist_root


def test_real_mnist_loads_from_a_data_dir(mnist_root: Path) -> None:
    train = data.mnist(train=True, data_dir=mnist_root)
    test = data.mnist(train=False, data_dir=mnist_root)
    assert (len(train), len(test)) == (60_000, 10_000)
    image, label = train[0]
    assert label == 5  # the first MNIST training digit is a 5
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert image.min() == 0.0 and image.max() == 1.0
    assert test[0][1] == 7


def test_as_tensors_matches_the_items_of_the_dataset(mnist_root: Path) -> None:
    test = data.load_vision("mnist", train=False, data_dir=mnist_root)
    images, labels = data.as_tensors(test)
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    for i in (0, 1234, 9999):
        image, label = test[i]
        torch.testing.assert_close(images[i], image)
        assert labels[i].item() == label


def test_mnist_loads_from_gzipped_files_put_in_the_raw_folder(tmp_path: Path) -> None:
    need_shared_mnist()
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in IDX_FILES:
        shutil.copy(MNIST_GZ / f"{name}.gz", raw)
    assert len(data.mnist(train=False, data_dir=tmp_path)) == 10_000


@pytest.mark.parametrize("name, label, folder", [
    ("mnist", "MNIST", "MNIST/raw"),
    ("fashion_mnist", "Fashion-MNIST", "FashionMNIST/raw"),
    ("cifar10", "CIFAR-10", "cifar-10-batches-py"),
])
def test_absent_dataset_offline_is_a_one_line_user_error_naming_it_and_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, label: str, folder: str
) -> None:
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")
    root = tmp_path / "empty"
    root.mkdir()
    with pytest.raises(UserError) as caught:
        data.load_vision(name, data_dir=root)
    message = str(caught.value)
    assert "\n" not in message
    assert label in message and str(root / folder) in message
    assert "--data-dir" in message
    assert list(root.iterdir()) == []  # looking for a dataset writes nothing


def test_download_false_is_respected_without_the_offline_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    with pytest.raises(UserError, match="MNIST"):
        data.mnist(data_dir=tmp_path, download=False)


def test_a_failed_download_is_a_user_error_saying_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from torchvision.datasets import CIFAR10

    def no_network(self) -> None:
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    monkeypatch.setattr(CIFAR10, "download", no_network)  # what urllib raises with no network, without trying it
    with pytest.raises(UserError) as caught:
        data.cifar10(data_dir=tmp_path)
    message = str(caught.value)
    assert "could not download" in message and "CIFAR-10" in message and str(tmp_path) in message
    assert "\n" not in message


CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_fake_cifar10(root: Path, per_batch: int = 4) -> None:
    """torchvision's on-disk CIFAR-10 layout: pickled dicts of uint8 rows (3×32×32, channel-major) and labels."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for batch in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        pixels = rng.integers(0, 256, size=(per_batch, 3, 32, 32), dtype=np.uint8)
        pixels[0] = 0
        pixels[0, 0] = 255  # the first image of every batch is pure red
        entry = {"data": pixels.reshape(per_batch, -1), "labels": [i % 10 for i in range(per_batch)]}
        (folder / batch).write_bytes(pickle.dumps(entry))
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": CIFAR_CLASSES}))


@pytest.fixture
def cifar10_without_checksums(monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision checks each CIFAR-10 file's MD5, which a fake cannot match: drop the checksums for this test only."""
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "train_list", [[name, None] for name, _ in CIFAR10.train_list])
    monkeypatch.setattr(CIFAR10, "test_list", [[name, None] for name, _ in CIFAR10.test_list])
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": None})


def test_cifar10_loads_from_its_torchvision_folder(tmp_path: Path, cifar10_without_checksums: None) -> None:
    write_fake_cifar10(tmp_path)
    train = data.cifar10(train=True, data_dir=tmp_path)
    test = data.cifar10(train=False, data_dir=tmp_path)
    assert (len(train), len(test)) == (20, 4)
    assert train.classes == CIFAR_CLASSES
    image, label = train[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and label == 0
    assert image[0].min() == 1.0 and image[1:].max() == 0.0  # red stays in channel 0
    images, labels = data.as_tensors(train)
    assert images.shape == (20, 3, 32, 32) and labels.tolist() == [i % 10 for i in range(4)] * 5
    for i in (0, 7, 19):
        torch.testing.assert_close(images[i], train[i][0])


def test_cifar10_with_wrong_checksums_is_a_user_error(tmp_path: Path) -> None:
    write_fake_cifar10(tmp_path)  # the real torchvision checks stay on: the fake files do not match
    with pytest.raises(UserError, match="CIFAR-10"):
        data.cifar10(data_dir=tmp_path)


def test_fashion_mnist_is_copied_from_the_debian_package_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The package holds the four original gzipped IDX files, the same format as MNIST's: MNIST's files stand in.
    need_shared_mnist()
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", MNIST_GZ)
    test = data.fashion_mnist(train=False, data_dir=tmp_path)
    assert len(test) == 10_000
    assert sorted(p.name for p in (tmp_path / "FashionMNIST" / "raw").iterdir()) == sorted(IDX_FILES)


@pytest.mark.skipif(not vision.DEBIAN_FASHION_MNIST.is_dir(),
                    reason=f"the Debian package dataset-fashion-mnist is not installed ({vision.DEBIAN_FASHION_MNIST} is absent)")
def test_real_fashion_mnist_from_the_debian_package(tmp_path: Path) -> None:
    train = data.fashion_mnist(train=True, data_dir=tmp_path)
    test = data.fashion_mnist(train=False, data_dir=tmp_path)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.classes[0] == "T-shirt/top"
    image, label = test[0]
    assert image.shape == (1, 28, 28) and 0 <= label < 10


def test_unknown_image_dataset_is_a_user_error_listing_the_valid_names() -> None:
    with pytest.raises(UserError) as caught:
        data.load_vision("imagenet")
    assert "imagenet" in str(caught.value)
    for name in data.VISION_DATASETS:
        assert name in str(caught.value)
