"""Any classifier `nn.Module` as a LightningModule: the hand loop's steps, each in the method Lightning calls.

What is left to write is what differs between models: the loss of a batch and the optimiser. The loop,
`zero_grad`/`backward`/`step`, train/eval modes, `no_grad` for validation, moving batches to the device,
logging, checkpoints and early stopping are Lightning's (through `dlpractice.engine.fit`).
"""

from __future__ import annotations

from typing import Literal

import lightning.pytorch as pl
import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torchmetrics.classification import MulticlassAccuracy

from dlpractice.training.optimizers import make_optimizer


class Classifier(pl.LightningModule):
    """Cross-entropy loss; logs train_loss, val_loss and val_accuracy (torchmetrics).

    `optimizer` is one of `dlpractice.training.optimizers.OPTIMIZERS` (lab 02 compares them); `schedule="one-cycle"`
    warms the learning rate up to `lr`, then anneals it to almost zero, one scheduler step per batch (the CNN labs).
    `channels_last` stores images as (N, H, W, C) in memory, which the CPU's and GPU's convolution kernels run
    faster on (the tensor's shape does not change); it is for image models only.
    """

    def __init__(self, model: nn.Module, num_classes: int, optimizer: str = "adam", lr: float = 1e-3,
                 weight_decay: float = 0.0, schedule: Literal["constant", "one-cycle"] = "constant",
                 channels_last: bool = False) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["model"])  # plain values only, so checkpoints load with weights_only=True
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
        return loss  # Lightning calls backward() and the optimiser's step() with it

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.val_accuracy(logits, y)
        self.log("val_loss", F.cross_entropy(logits, y), sync_dist=True)
        self.log("val_accuracy", self.val_accuracy)

    def configure_optimizers(self) -> dict:
        hp = self.hparams
        optimizer = make_optimizer(hp.optimizer, self.parameters(), lr=hp.lr, weight_decay=hp.weight_decay)
        if hp.schedule == "constant":
            return {"optimizer": optimizer}
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=hp.lr,
                                                       total_steps=self.trainer.estimated_stepping_batches)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
