"""Training any image classifier with the engine: a LightningModule around an nn.Module, and its data module.

The model is any nn.Module from images (N, C, H, W) to class scores (N, classes). Training uses cross-entropy,
AdamW and a one-cycle learning-rate schedule (warm up, then anneal to almost zero), one scheduler step per batch.
"""

from __future__ import annotations

from typing import Callable

import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torchmetrics.classification import MulticlassAccuracy

from dlpractice.vision.augmentation import AugmentedImages
from dlpractice.engine import ArrayDataModule


class ImageClassifier(pl.LightningModule):
    """Logs train_loss, val_loss and val_accuracy; `channels_last` stores images as (N, H, W, C) in memory,
    which the CPU's and GPU's convolution kernels run faster on (the tensor's shape does not change)."""

    def __init__(self, model: nn.Module, num_classes: int, lr: float = 0.01, weight_decay: float = 5e-4,
                 channels_last: bool = True) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["model"])  # plain values only: checkpoints load with weights_only=True
        self.model = model.to(memory_format=torch.channels_last) if channels_last else model
        self.val_accuracy = MulticlassAccuracy(num_classes, average="micro")  # micro: the fraction right

    def forward(self, x: Tensor) -> Tensor:
        if self.hparams.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return self.model(x)

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True, sync_dist=True)
        return loss

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.val_accuracy(logits, y)
        self.log("val_loss", F.cross_entropy(logits, y), sync_dist=True)
        self.log("val_accuracy", self.val_accuracy)

    def configure_optimizers(self) -> dict:
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=self.hparams.lr,
                                                       total_steps=self.trainer.estimated_stepping_batches)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


class ImageDataModule(ArrayDataModule):
    """In-memory image tensors; `train_transform` (torchvision.transforms.v2) is applied to training images only,
    afresh for each image each epoch, so the network rarely sees the same picture twice."""

    def __init__(self, train: tuple[Tensor, Tensor], val: tuple[Tensor, Tensor], test: tuple[Tensor, Tensor] | None = None,
                 batch_size: int = 128, seed: int = 0, train_transform: Callable[[Tensor], Tensor] | None = None) -> None:
        super().__init__(train, val, test, batch_size, seed)
        if train_transform is not None:
            self.train = AugmentedImages(*self.train.tensors, transform=train_transform)


@torch.no_grad()
def predict_logits(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """Class scores for all images, on the CPU, computed batch by batch in evaluation mode (batch norm uses its
    running statistics) on whatever device the model is."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        return torch.cat([model(images[i:i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)])
    finally:
        model.train(was_training)
