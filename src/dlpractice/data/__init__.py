"""Datasets for the labs: synthetic and bundled sets offline, real ones through torchvision.

Offline sets (synthetic, tables, the MNIST sample, MNIST-1D) come as NumPy arrays; the torchvision sets
(MNIST, Fashion-MNIST, CIFAR-10) come as torchvision datasets, with `as_tensors` to get whole tensors.

One dataset or split per file: a file here loads, downloads, generates or splits data (and knows where it is kept),
nothing about models or training. It may import only course/ (and NumPy, torch, torchvision), never models/ or
anything above.
"""

from dlpractice.data.augmented_images import AugmentedImages
from dlpractice.data.mnist1d import MNIST1D, mnist1d
from dlpractice.data.mnist_sample import mnist_sample
from dlpractice.data.root import data_root, downloads_allowed, offline
from dlpractice.data.splits import split_indices
from dlpractice.data.standardized_split import Split, make_split
from dlpractice.data.synthetic import blobs, noisy_sinusoid, spirals, two_moons
from dlpractice.data.tables import TABLES, Table, load_table
from dlpractice.data.vision import VISION_DATASETS, as_tensors, cifar10, fashion_mnist, load_vision, mnist

__all__ = [
    "AugmentedImages",
    "MNIST1D",
    "Split",
    "TABLES",
    "VISION_DATASETS",
    "Table",
    "as_tensors",
    "blobs",
    "cifar10",
    "data_root",
    "downloads_allowed",
    "fashion_mnist",
    "load_table",
    "load_vision",
    "make_split",
    "mnist",
    "mnist1d",
    "mnist_sample",
    "noisy_sinusoid",
    "offline",
    "spirals",
    "split_indices",
    "two_moons",
]
