"""A tiny Lightning lab for the engine's tests: an MLP with dropout fitting a noisy sinusoid in a few seconds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import lightning.pytorch as pl
import torch
from torch import nn

from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.runs import RunContext
from dlpractice.data import as_tensors, mnist, noisy_sinusoid, split_indices
from dlpractice.engine import ArrayDataModule, EngineConfig, check_options, final_metrics, fit

CRASH_STATUS = 17


@dataclass
class ToyConfig(EngineConfig):
    seed: int = 0
    n: int = 512
    hidden: int = 32
    dropout: float = 0.2
    lr: float = 0.01
    batch_size: int = 32
    dataset: Literal["sinusoid", "mnist"] = "sinusoid"  # mnist: mean brightness -> digit/9, to exercise real-data loading
    crash_at_step: int | None = None  # stop after this many optimizer steps, as `crash` says
    crash: Literal["kill", "raise"] = "kill"  # kill: die hard (os._exit), a simulated kill -9; raise: a RuntimeError

    @classmethod
    def quick(cls) -> "ToyConfig":
        return cls(epochs=4, n=256, log_every_n_steps=2)


class ToyRegressor(pl.LightningModule):
    def __init__(self, hidden: int, dropout: float, lr: float) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Dropout(dropout), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True, sync_dist=True)
        return loss

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), y), sync_dist=True)

    def configure_optimizers(self) -> dict:
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


def mnist_brightness(n: int, ctx: RunContext) -> tuple:
    images, labels = as_tensors(mnist(train=False, data_dir=ctx.options.data_dir))
    return images[:n].mean(dim=(1, 2, 3)).unsqueeze(1).numpy(), (labels[:n, None].float() / 9).numpy()


class CrashAt(pl.Callback):
    """Simulates `kill -9` mid-epoch (no cleanup, no checkpoint, no metrics), or a bug that raises there."""

    def __init__(self, step: int, how: str) -> None:
        self.step, self.how = step, how

    def on_train_batch_end(self, trainer: pl.Trainer, *args: object) -> None:
        if trainer.global_step >= self.step:
            if self.how == "raise":
                raise RuntimeError(f"simulated failure at step {self.step}")
            os._exit(CRASH_STATUS)


def run(config: ToyConfig, ctx: RunContext) -> LabResult:
    x, y = noisy_sinusoid(config.n, noise=0.1, seed=config.seed) if config.dataset == "sinusoid" else mnist_brightness(config.n, ctx)
    train, val, test = split_indices(config.n, (0.6, 0.2, 0.2), seed=config.seed)
    data = ArrayDataModule((x[train], y[train]), (x[val], y[val]), (x[test], y[test]), config.batch_size, config.seed)
    pl.seed_everything(config.seed, verbose=False)  # the initial weights come from the seed
    module = ToyRegressor(config.hidden, config.dropout, config.lr)
    # A resumed run must not crash again at the same step.
    crash = [CrashAt(config.crash_at_step, config.crash)] if config.crash_at_step is not None and ctx.resume_from is None else []
    trainer = fit(module, data, ctx, config, seed=config.seed, extra_callbacks=crash)
    module.eval()
    with torch.no_grad():
        test_mse = nn.functional.mse_loss(module(torch.as_tensor(x[test])), torch.as_tensor(y[test])).item()
    logged = final_metrics(trainer)
    return LabResult(metrics={
        "test_mse": test_mse,
        "val_loss": logged["val_loss"],
        "train_loss": logged["train_loss_epoch"],
        "epochs": float(trainer.current_epoch),
        "global_step": float(trainer.global_step),
    })


LAB = Lab(
    name="toy",
    title="Toy regression for the engine tests",
    dataset="noisy sinusoid (synthetic)",
    config=ToyConfig,
    run=run,
    targets=(Target("test_mse", 1.0, "min"),),
    cpu_budget_s=30,
    uses_checkpoints=True,
    check_options=check_options,
)
