"""Mini-batch training with a Dataset and a DataLoader: the hand-written loop of lab 02.

Lab 01's loop (`dlpractice.training.loop.train`) slices tensors itself and always uses Adam. Here the data comes
through a `DataLoader`, the optimiser and the learning-rate schedule are the caller's, and every step's
learning rate is recorded. Later labs hand this loop to Lightning (`dlpractice.engine.fit`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from dlpractice.training.sampler import SeededSampler
from dlpractice.training.loop import History
from dlpractice.training.schedules import Schedule

LossFn = Callable[[Tensor, Tensor], Tensor]


class ArrayDataset(Dataset):
    """Rows of a table as (features, target) pairs: features float32, class ids int64, regression targets float32."""

    def __init__(self, x: Any, y: Any) -> None:
        self.x = torch.as_tensor(x, dtype=torch.float32)
        y = torch.as_tensor(y)
        # CrossEntropyLoss wants int64 class ids; MSELoss wants floats of the prediction's dtype
        self.y = y.long() if not y.is_floating_point() else y.float()
        if len(self.x) != len(self.y):
            raise ValueError(f"x has {len(self.x)} rows but y has {len(self.y)}")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        return self.x[index], self.y[index]


def seeded_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """Shuffled batches whose order depends only on (seed, epoch): call `loader.sampler.set_epoch(epoch)` each epoch.

    `DataLoader(shuffle=True)` draws its order from the global random state instead; this sampler makes a
    resumed run, and Lightning's `ArrayDataModule`, see exactly the same batches.
    """
    return DataLoader(dataset, batch_size=batch_size, sampler=SeededSampler(len(dataset), seed))  # type: ignore[arg-type]


@dataclass
class Curves(History):
    """Lab 01's History (loss per epoch, best epoch) plus validation accuracy per epoch and the learning rate of each step."""

    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


def train_epoch(model: nn.Module, loader: DataLoader, loss_fn: LossFn, optimizer: torch.optim.Optimizer,
                schedule: Schedule | None = None, lrs: list[float] | None = None) -> float:
    """One pass over the loader, one optimiser step per batch; the mean training loss per sample.

    A schedule that steps every batch (cosine, one-cycle) steps here; `lrs` collects each step's learning rate.
    """
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        if lrs is not None:
            lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        if schedule is not None and schedule.every == "step":
            schedule.step()
        total += loss.item() * len(x)  # the last batch may be smaller: weigh each batch by its size
        count += len(x)
    return total / count


def evaluate(model: nn.Module, loss_fn: LossFn, x: Tensor, y: Tensor) -> tuple[float, float]:
    """(loss, accuracy) on (x, y) in evaluation mode; accuracy is NaN for regression (float targets)."""
    model.eval()
    with torch.no_grad():
        out = model(x)
        accuracy = (out.argmax(dim=1) == y).float().mean().item() if not y.is_floating_point() else float("nan")
        return loss_fn(out, y).item(), accuracy


def train(model: nn.Module, loss_fn: LossFn, loader: DataLoader, val: tuple[Tensor, Tensor],
          optimizer: torch.optim.Optimizer, epochs: int, *, schedule: Schedule | None = None, writer: Any = None,
          curves: Curves | None = None, start_epoch: int = 0, patience: int | None = None,
          keep_best: bool = False) -> Curves:
    """Train for epochs `start_epoch .. epochs - 1`, recording curves (continued if given: that is a resume).

    With `patience`, stop early after that many epochs without a lower validation loss; with `keep_best`,
    end with the weights of the best epoch. With a TensorBoard `writer`, the losses and accuracy go to
    loss/train, loss/val, accuracy/val per epoch and the learning rate to lr per step.
    """
    curves = curves if curves is not None else Curves()
    best_state = None
    for epoch in range(start_epoch, epochs):
        if isinstance(loader.sampler, SeededSampler):
            loader.sampler.set_epoch(epoch)
        first_step = len(curves.lr)
        curves.train_loss.append(train_epoch(model, loader, loss_fn, optimizer, schedule, curves.lr))
        val_loss, val_accuracy = evaluate(model, loss_fn, *val)
        curves.val_loss.append(val_loss)
        curves.val_accuracy.append(val_accuracy)
        if curves.best_epoch < 0 or val_loss < curves.val_loss[curves.best_epoch]:
            curves.best_epoch = len(curves.val_loss) - 1
            best_state = copy.deepcopy(model.state_dict()) if keep_best else None
        if schedule is not None and schedule.every != "step":
            schedule.step(val_loss)
        if writer is not None:
            writer.add_scalar("loss/train", curves.train_loss[-1], epoch)
            writer.add_scalar("loss/val", val_loss, epoch)
            if not math.isnan(val_accuracy):  # a classification problem
                writer.add_scalar("accuracy/val", val_accuracy, epoch)
            for step in range(first_step, len(curves.lr)):
                writer.add_scalar("lr", curves.lr[step], step)
        if patience is not None and len(curves.val_loss) - 1 - curves.best_epoch >= patience:
            break  # early stopping: `patience` epochs in a row without a lower validation loss
    if best_state is not None:
        model.load_state_dict(best_state)
    return curves
