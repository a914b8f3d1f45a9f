"""Data augmentation for digits: random shifts by hand, and torchvision's transforms applied image by image (lab 04).

A shift of a pixel or two, or a small rotation, keeps a digit the same digit: the label stays true, and the
network sees a slightly different image every epoch instead of the same 500 again. (A flip would not be
label-preserving: a mirrored 2 is no digit, a 6 turned upside down is a 9.)
"""

from __future__ import annotations

from typing import Callable, Literal

import torch
import torch.nn.functional as F
from torch import Tensor

AUGMENTATIONS = ("shift", "affine")


def random_shift(images: Tensor, max_shift: int, generator: torch.Generator | None = None) -> Tensor:
    """Shift each image of a batch (N, C, H, W) by its own random (dy, dx), each in -max_shift..max_shift; zeros flow in.

    The same as torchvision's `v2.RandomCrop((H, W), padding=max_shift)` image by image: pad with zeros,
    then crop an H×W window at a random offset — here for the whole batch at once, with indexing.
    """
    if max_shift < 0:
        raise ValueError(f"max_shift must be >= 0, got {max_shift}")
    n, _, h, w = images.shape
    padded = F.pad(images, (max_shift,) * 4)
    top = torch.randint(0, 2 * max_shift + 1, (n, 1, 1, 1), generator=generator)  # 2s + 1 offsets: both ends included
    left = torch.randint(0, 2 * max_shift + 1, (n, 1, 1, 1), generator=generator)
    rows = top + torch.arange(h).reshape(1, 1, h, 1)
    cols = left + torch.arange(w).reshape(1, 1, 1, w)
    batch = torch.arange(n).reshape(n, 1, 1, 1)
    channel = torch.arange(images.shape[1]).reshape(1, -1, 1, 1)
    return padded[batch, channel, rows, cols]


def make_augmentation(kind: Literal["shift", "affine"], size: int, max_shift: int, max_rotation: float = 10.0) -> Callable:
    """A torchvision v2 transform for one image (C, size, size): a random shift, or a shift plus a small rotation."""
    from torchvision.transforms import v2  # imported here: torchvision takes a second to import

    if kind == "shift":
        return v2.RandomCrop(size, padding=max_shift)
    if kind == "affine":
        return v2.RandomAffine(degrees=max_rotation, translate=(max_shift / size, max_shift / size))
    raise ValueError(f"augmentation must be one of {', '.join(AUGMENTATIONS)}, got '{kind}'")
