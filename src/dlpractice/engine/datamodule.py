"""A LightningDataModule for datasets that fit in memory: train, validation and test arrays."""

from __future__ import annotations

from typing import Any, Callable

import lightning.pytorch as pl
import torch
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from dlpractice.data.augmented_images import AugmentedImages
from dlpractice.training.sampler import SeededSampler

Arrays = tuple[Any, ...]  # e.g. (x, y) as NumPy arrays or tensors with the same first dimension


class ArrayDataModule(pl.LightningDataModule):
    """Batches of in-memory arrays; the training set is shuffled by a `SeededSampler` so resumed runs repeat exactly.

    `train_transform` (a torchvision.transforms.v2 transform, say) is applied to training images only, afresh
    for each image each epoch, so the network rarely sees the same picture twice; `train` is then (images, labels).
    """

    def __init__(self, train: Arrays, val: Arrays, test: Arrays | None = None, batch_size: int = 64, seed: int = 0,
                 train_transform: Callable[[Tensor], Tensor] | None = None) -> None:
        super().__init__()
        self.train, self.val, self.test = (to_dataset(part) for part in (train, val, test))
        if train_transform is not None:
            self.train = AugmentedImages(*self.train.tensors, transform=train_transform)
        self.batch_size = batch_size
        self.seed = seed

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train, batch_size=self.batch_size, sampler=SeededSampler(len(self.train), self.seed))

    def val_dataloader(self) -> DataLoader:
        return DataLoader(self.val, batch_size=self.batch_size)

    def test_dataloader(self) -> DataLoader:
        if self.test is None:
            raise ValueError("this ArrayDataModule has no test arrays")
        return DataLoader(self.test, batch_size=self.batch_size)


def to_dataset(arrays: Arrays | None) -> TensorDataset | None:
    return None if arrays is None else TensorDataset(*(torch.as_tensor(a) for a in arrays))
