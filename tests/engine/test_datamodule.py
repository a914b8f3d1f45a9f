"""engine.ArrayDataModule: in-memory arrays in batches; `train_transform` reaches the training images only."""

from __future__ import annotations

import numpy as np
import torch

from dlpractice.engine import ArrayDataModule


class Jitter:
    """A random transform that records what it was given: adds one random brightness offset per call."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []
        self.generator = torch.Generator().manual_seed(0)

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        self.shapes.append(tuple(image.shape))
        return image + torch.rand((), generator=self.generator)


def images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 4, 4), dtype=np.float32), rng.integers(0, 3, n)


def batches(loader) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = zip(*loader)
    return torch.cat(xs), torch.cat(ys)


def test_without_a_transform_batches_are_the_arrays() -> None:
    train, val, test = images(10, 0), images(6, 1), images(4, 2)
    data = ArrayDataModule(train, val, test, batch_size=4, seed=0)
    x, y = batches(data.train_dataloader())
    order = torch.as_tensor(list(data.train_dataloader().sampler))
    assert sorted(order.tolist()) == list(range(10))
    torch.testing.assert_close(x, torch.as_tensor(train[0])[order])
    assert torch.equal(y, torch.as_tensor(train[1])[order])
    torch.testing.assert_close(batches(data.val_dataloader())[0], torch.as_tensor(val[0]))
    torch.testing.assert_close(batches(data.test_dataloader())[0], torch.as_tensor(test[0]))


def test_train_transform_reaches_each_training_image_only_with_a_fresh_draw_every_epoch() -> None:
    train, val, test = images(10, 0), images(6, 1), images(4, 2)
    jitter = Jitter()
    data = ArrayDataModule(train, val, test, batch_size=4, seed=0, train_transform=jitter)
    sampler = data.train_dataloader().sampler
    order = torch.as_tensor(list(sampler))

    first_x, first_y = batches(data.train_dataloader())
    assert jitter.shapes == [(1, 4, 4)] * 10  # one image at a time, each once per epoch
    offsets = (first_x - torch.as_tensor(train[0])[order]).flatten(1)
    assert torch.allclose(offsets, offsets[:, :1].expand_as(offsets), atol=1e-6)  # the transform's own change
    assert offsets[:, 0].unique().numel() == 10  # a separate draw for each image
    assert torch.equal(first_y, torch.as_tensor(train[1])[order])  # labels untouched

    second_x, _ = batches(data.train_dataloader())  # the next epoch (same order: the sampler's epoch is unchanged)
    assert len(jitter.shapes) == 20
    assert not torch.allclose(second_x, first_x)  # drawn afresh

    drawn = len(jitter.shapes)
    torch.testing.assert_close(batches(data.val_dataloader())[0], torch.as_tensor(val[0]))
    torch.testing.assert_close(batches(data.test_dataloader())[0], torch.as_tensor(test[0]))
    assert len(jitter.shapes) == drawn  # validation and test images are never transformed
