"""The training loops written out by hand (labs 01, 02, 04, 05): the short one first, then the general one.

`train_tensors` is lab 01's loop, the one students read first: the data are two tensors that fit in memory,
sliced into batches by hand, and the optimiser is always Adam. `train` is lab 02's general loop: batches come
from a `DataLoader`, the optimiser and the learning-rate schedule are the caller's, every step's learning rate
is recorded, and it can stop early, keep the best weights, or continue a resumed run. Later labs hand these
steps to Lightning (`dlpractice.engine.fit`); nothing here imports it.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from dlpractice.models.evaluation import predict
from dlpractice.training.sampler import SeededSampler
from dlpractice.training.schedules import Schedule

LossFn = Callable[[Tensor, Tensor], Tensor]


@dataclass
class History:
    """Mean loss per epoch on the training and validation parts, and the epoch (from 0) with the lowest validation loss."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1


# --------------------------------------------------------------------------- lab 01: the short loop

def train_tensors(
    model: nn.Module,
    loss_fn: LossFn,
    x_train: Tensor,
    y_train: Tensor,
    x_val: Tensor,
    y_val: Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int | None = None,
    seed: int = 0,
    writer: Any = None,
    tag: str = "",
    keep_best: bool = True,
) -> History:
    """Train `model` with Adam; `batch_size=None` uses the whole training part as one batch.

    One epoch = one pass over the (shuffled) training part. If `writer` (a TensorBoard SummaryWriter)
    is given, the losses go to `<tag>/train_loss` and `<tag>/val_loss`, one point per epoch.
    With `keep_best`, the model ends with the weights of its best epoch on the validation part
    (the test part is never looked at while training, so it still gives an honest estimate).
    """
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)  # its own generator: shuffling does not disturb model init
    n = len(x_train)
    batch_size = batch_size or n
    history = History()
    best_state = None
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=shuffle)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()                               # 1. clear the gradients of the last step
            loss = loss_fn(model(x_train[batch]), y_train[batch])  # 2. forward pass and loss
            loss.backward()                                     # 3. backward pass: p.grad for every parameter
            optimizer.step()                                    # 4. update the parameters
            total += loss.item() * len(batch)
        history.train_loss.append(total / n)
        history.val_loss.append(evaluate(model, loss_fn, x_val, y_val)[0])
        if history.best_epoch < 0 or history.val_loss[-1] < history.val_loss[history.best_epoch]:
            history.best_epoch = epoch
            best_state = copy.deepcopy(model.state_dict()) if keep_best else None
        if writer is not None:
            writer.add_scalar(f"{tag}/train_loss", history.train_loss[-1], epoch)
            writer.add_scalar(f"{tag}/val_loss", history.val_loss[-1], epoch)
    if keep_best and best_state is not None:
        model.load_state_dict(best_state)
    return history


def evaluate(model: nn.Module, loss_fn: LossFn, x: Tensor, y: Tensor) -> tuple[float, float]:
    """(loss, accuracy) on (x, y) in evaluation mode; accuracy is NaN unless y holds class ids (integers)."""
    out = predict(model, x)
    accuracy = (out.argmax(dim=1) == y).float().mean().item() if not y.is_floating_point() else float("nan")
    return loss_fn(out, y).item(), accuracy


# --------------------------------------------------------------------------- lab 02: Dataset, DataLoader, any optimiser

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
    """`History` (loss per epoch, best epoch) plus validation accuracy per epoch and the learning rate of each step."""

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


def train(model: nn.Module, loss_fn: LossFn, loader: DataLoader, val: tuple[Tensor, Tensor],
          optimizer: torch.optim.Optimizer, epochs: int, *, schedule: Schedule | None = None, writer: Any = None,
          tag: str = "", curves: Curves | None = None, start_epoch: int = 0, patience: int | None = None,
          keep_best: bool = False) -> Curves:
    """Train for epochs `start_epoch .. epochs - 1`, recording curves (continued if given: that is a resume).

    With `patience`, stop early after that many epochs without a lower validation loss; with `keep_best`,
    end with the weights of the best epoch. With a TensorBoard `writer`, the losses and accuracy go to
    loss/train, loss/val, accuracy/val per epoch and the learning rate to lr per step (under `tag/` if given).
    """
    curves = curves if curves is not None else Curves()
    prefix = f"{tag}/" if tag else ""
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
            writer.add_scalar(f"{prefix}loss/train", curves.train_loss[-1], epoch)
            writer.add_scalar(f"{prefix}loss/val", val_loss, epoch)
            if not math.isnan(val_accuracy):  # a classification problem
                writer.add_scalar(f"{prefix}accuracy/val", val_accuracy, epoch)
            for step in range(first_step, len(curves.lr)):
                writer.add_scalar(f"{prefix}lr", curves.lr[step], step)
        if patience is not None and len(curves.val_loss) - 1 - curves.best_epoch >= patience:
            break  # early stopping: `patience` epochs in a row without a lower validation loss
    if best_state is not None:
        model.load_state_dict(best_state)
    return curves
