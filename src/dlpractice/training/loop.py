"""The training loop of the first labs, written out step by step (later labs hand it to Lightning)."""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import torch
from torch import Tensor, nn


@dataclass
class History:
    """Mean loss per epoch on the training and validation parts, and the epoch (from 0) with the lowest validation loss."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int = -1


def train(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
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
        history.val_loss.append(evaluate_loss(model, loss_fn, x_val, y_val))
        if history.best_epoch < 0 or history.val_loss[-1] < history.val_loss[history.best_epoch]:
            history.best_epoch = epoch
            best_state = copy.deepcopy(model.state_dict()) if keep_best else None
        if writer is not None:
            writer.add_scalar(f"{tag}/train_loss", history.train_loss[-1], epoch)
            writer.add_scalar(f"{tag}/val_loss", history.val_loss[-1], epoch)
    if keep_best and best_state is not None:
        model.load_state_dict(best_state)
    return history


def evaluate_loss(model: nn.Module, loss_fn: Callable[[Tensor, Tensor], Tensor], x: Tensor, y: Tensor) -> float:
    """The loss on (x, y) in evaluation mode, without building a graph."""
    model.eval()
    with torch.no_grad():
        return loss_fn(model(x), y).item()


def predict(model: nn.Module, x: Tensor) -> Tensor:
    """The model's raw outputs on x, in evaluation mode, without building a graph."""
    model.eval()
    with torch.no_grad():
        return model(x)


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with `n` intra-op threads, then restore the previous number (`None`: leave it alone).

    Tiny models run fastest on one thread: handing a 64x64 matrix product to a second thread costs
    more than the arithmetic, and when another program is busy on the other core it can cost 10-50x.
    """
    previous = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
