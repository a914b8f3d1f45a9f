"""Real image datasets through torchvision: MNIST, Fashion-MNIST and CIFAR-10, downloaded once or read from a folder.

Every loader returns the torchvision dataset itself. Its items are (image, label); with the default transform
the image is a float32 tensor (C, H, W) in [0, 1]. `as_tensors` gives a whole dataset as two tensors at once.
Where the files are looked for: see `data_root`; whether they may be downloaded: see `downloads_allowed`.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import torch

from dlpractice.course.errors import UserError
from dlpractice.data.root import data_root, downloads_allowed

if TYPE_CHECKING:
    # Imported where used instead: torchvision takes about a second to import, which `dlpractice list` should not pay.
    from torchvision import datasets

# The Debian/Ubuntu package `dataset-fashion-mnist` installs the original gzipped IDX files here.
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")

# What torchvision's MNIST and FashionMNIST read from ROOT/<class name>/raw/, uncompressed.
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

VISION_DATASETS = ("mnist", "fashion_mnist", "cifar10")


def mnist(
    train: bool = True, *, data_dir: str | Path | None = None, transform: Callable | None = None, download: bool = True
) -> datasets.MNIST:
    """Handwritten digits, 60,000 train or 10,000 test images 1×28×28, from ROOT/MNIST/raw/."""
    root = data_root(data_dir)
    raw = root / "MNIST" / "raw"
    _unpack_idx(raw, [raw])
    return _open("MNIST", "MNIST", root, raw, train, transform, download)


def fashion_mnist(
    train: bool = True, *, data_dir: str | Path | None = None, transform: Callable | None = None, download: bool = True
) -> datasets.FashionMNIST:
    """Zalando's clothing images, 60,000 train or 10,000 test 1×28×28, from ROOT/FashionMNIST/raw/ or the Debian package."""
    root = data_root(data_dir)
    raw = root / "FashionMNIST" / "raw"
    _unpack_idx(raw, [raw, DEBIAN_FASHION_MNIST])
    return _open("FashionMNIST", "Fashion-MNIST", root, raw, train, transform, download)


def cifar10(
    train: bool = True, *, data_dir: str | Path | None = None, transform: Callable | None = None, download: bool = True
) -> datasets.CIFAR10:
    """Ten classes of small colour photos, 50,000 train or 10,000 test images 3×32×32, from ROOT/cifar-10-batches-py/."""
    root = data_root(data_dir)
    return _open("CIFAR10", "CIFAR-10", root, root / "cifar-10-batches-py", train, transform, download)


def load_vision(
    name: str, train: bool = True, *, data_dir: str | Path | None = None, transform: Callable | None = None, download: bool = True
) -> datasets.VisionDataset:
    """One of VISION_DATASETS by name, for configs that name their dataset."""
    loaders = {"mnist": mnist, "fashion_mnist": fashion_mnist, "cifar10": cifar10}
    if name not in loaders:
        raise UserError(f"unknown image dataset '{name}'; valid names: {', '.join(VISION_DATASETS)}")
    return loaders[name](train, data_dir=data_dir, transform=transform, download=download)


def as_tensors(dataset: datasets.MNIST | datasets.CIFAR10) -> tuple[torch.Tensor, torch.Tensor]:
    """All images float32 (N, C, H, W) in [0, 1] and labels int64, from the stored pixels (the transform is not applied).

    Much faster than iterating the dataset; CIFAR-10's training set takes about 600 MB this way.
    """
    pixels = torch.as_tensor(dataset.data)  # MNIST-like: uint8 tensor (N, H, W); CIFAR-10: uint8 array (N, H, W, C)
    images = pixels.unsqueeze(1) if pixels.ndim == 3 else pixels.permute(0, 3, 1, 2)
    return images.float().div_(255), torch.as_tensor(dataset.targets, dtype=torch.int64)


def _open(
    class_name: str, name: str, root: Path, folder: Path, train: bool, transform: Callable | None, download: bool
) -> datasets.VisionDataset:
    """torchvision's `datasets.<class_name>` under `root`, or a one-line UserError saying where to put the files."""
    from torchvision import datasets
    from torchvision.transforms import ToTensor

    allowed = downloads_allowed(download)
    transform = ToTensor() if transform is None else transform
    try:
        return getattr(datasets, class_name)(str(root), train=train, transform=transform, download=allowed)
    except (RuntimeError, OSError) as err:
        # torchvision raises RuntimeError when the files are absent or a download fails, and lets a network
        # error (URLError, an OSError) through: all mean "not here and could not fetch it".
        if allowed:
            reason = " ".join(str(err).split())[:200]
            why = f"could not download it ({type(err).__name__}: {reason})"
        else:
            why = "downloads are off ($DLPRACTICE_OFFLINE=1 or download=False)"
        raise UserError(
            f"{name} not found (or incomplete) in {folder} and {why}: run once online, or put the files in {folder}, "
            f"or pass --data-dir (or set $DLPRACTICE_DATA) to a folder that has them"
        ) from None


def _unpack_idx(raw: Path, sources: list[Path]) -> None:
    """Put the uncompressed IDX files torchvision reads into `raw`, from `NAME.gz` or `NAME` in the first source that has them."""
    for name in IDX_FILES:
        target = raw / name
        if target.is_file():
            continue
        for source in sources:
            if (source / f"{name}.gz").is_file():
                _copy(source / f"{name}.gz", target, gzip.open)
                break
            if source != raw and (source / name).is_file():
                _copy(source / name, target, open)
                break


def _copy(source: Path, target: Path, opener: Callable) -> None:
    # Write beside the target and rename, so that an interrupted copy never leaves a truncated file that
    # torchvision would then take for the real one.
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with opener(source, "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(partial, target)
    except OSError as err:
        raise UserError(f"could not unpack {source} into {target.parent}: {err.strerror or err}") from None
