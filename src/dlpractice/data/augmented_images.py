"""Images with their labels, each image transformed afresh every time a loader draws it (labs 03 and 04)."""

from __future__ import annotations

from typing import Callable

from torch import Tensor
from torch.utils.data import Dataset


class AugmentedImages(Dataset):
    """(transform(image), label) pairs: a new random version of each image every time the loader draws it.

    The transform is applied to one image at a time on purpose: a v2 transform called on a whole batch
    (N, C, H, W) draws one set of random parameters and moves every image of the batch the same way.
    """

    def __init__(self, images: Tensor, labels: Tensor, transform: Callable[[Tensor], Tensor] | None = None) -> None:
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        image = self.images[index]
        return (image if self.transform is None else self.transform(image)), self.labels[index]
