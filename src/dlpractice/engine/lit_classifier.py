"""Any classifier `nn.Module` as a LightningModule: the hand loop's steps, each in the method Lightning calls."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from torch import Tensor, nn
from torch.nn import functional as F
from torchmetrics.classification import MulticlassAccuracy

from dlpractice.training.optimizers import make_optimizer


class LitClassifier(pl.LightningModule):
    """Cross-entropy loss, accuracy from torchmetrics, one of `dlpractice.training.optimizers.OPTIMIZERS`.

    What is left to write is what differs between models: the loss of a batch and the optimiser. The loop,
    `zero_grad`/`backward`/`step`, train/eval modes, `no_grad` for validation, moving batches to the device,
    logging, checkpoints and early stopping are Lightning's (through `dlpractice.engine.fit`).
    """

    def __init__(self, model: nn.Module, num_classes: int, optimizer: str = "adam", lr: float = 1e-3) -> None:
        super().__init__()
        self.save_hyperparameters(ignore=["model"])  # plain values only, so checkpoints load with weights_only=True
        self.model = model
        self.val_accuracy = MulticlassAccuracy(num_classes=num_classes, average="micro")

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True, sync_dist=True)
        return loss  # Lightning calls backward() and the optimiser's step() with it

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), sync_dist=True)
        self.val_accuracy(logits, y)
        self.log("val_acc", self.val_accuracy)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return make_optimizer(self.hparams.optimizer, self.parameters(), lr=self.hparams.lr)
