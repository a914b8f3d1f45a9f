"""engine.Classifier: any classifier nn.Module trained by Lightning, with the optimiser and schedule named by plain
values, proved by a one-epoch `fit` on a tiny in-memory dataset."""

from __future__ import annotations

import copy
from pathlib import Path

import lightning.pytorch as pl
import pytest
import torch
from torch import nn

from dlpractice.course.checkpoints import check_plain_hparams
from dlpractice.course.runs import RunContext, RunOptions
from dlpractice.engine import ArrayDataModule, Classifier, EngineConfig, final_metrics, fit

N_TRAIN, BATCH = 96, 8  # twelve optimiser steps in the one epoch


def small_cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def tiny_images(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 8, 8, generator=generator), torch.randint(0, 3, (n,), generator=generator)


class LearningRates(pl.Callback):
    """The learning rate each training batch is taken with."""

    def __init__(self) -> None:
        self.seen: list[float] = []

    def on_train_batch_start(self, trainer: pl.Trainer, *args: object) -> None:
        self.seen.append(trainer.optimizers[0].param_groups[0]["lr"])


@pytest.fixture(scope="module")
def one_cycle_run(tmp_path_factory: pytest.TempPathFactory):
    """One epoch of AdamW with weight decay and the one-cycle schedule, trained by `fit` into a run folder."""
    run_dir = tmp_path_factory.mktemp("classifier")
    module = Classifier(small_cnn(), num_classes=3, optimizer="adamw", lr=0.01, weight_decay=0.05,
                        schedule="one-cycle")
    data = ArrayDataModule(tiny_images(N_TRAIN, 0), tiny_images(24, 1), batch_size=BATCH)
    ctx = RunContext(dir=run_dir, options=RunOptions(out=run_dir, accelerator="cpu", devices="1"))
    rates = LearningRates()
    trainer = fit(module, data, ctx, EngineConfig(epochs=1, log_every_n_steps=1), seed=0, extra_callbacks=[rates])
    return module, trainer, run_dir, rates.seen


def test_adam_is_the_default_optimizer_with_a_constant_learning_rate() -> None:
    configured = Classifier(small_cnn(), num_classes=3, lr=0.003).configure_optimizers()
    assert type(configured["optimizer"]) is torch.optim.Adam
    assert configured["optimizer"].param_groups[0]["lr"] == 0.003
    assert "lr_scheduler" not in configured


def test_adamw_gets_the_weight_decay(one_cycle_run) -> None:
    _, trainer, *_ = one_cycle_run
    [optimizer] = trainer.optimizers
    assert type(optimizer) is torch.optim.AdamW
    assert optimizer.param_groups[0]["weight_decay"] == 0.05


def test_one_cycle_steps_once_per_batch_up_to_lr_and_down_to_almost_zero(one_cycle_run) -> None:
    _, trainer, _, rates = one_cycle_run
    [config] = trainer.lr_scheduler_configs
    scheduler = config.scheduler
    assert isinstance(scheduler, torch.optim.lr_scheduler.OneCycleLR) and config.interval == "step"
    assert trainer.global_step == N_TRAIN // BATCH == len(rates)
    assert scheduler.total_steps == trainer.global_step  # planned for exactly the batches of the run
    assert len(set(rates)) == len(rates)  # a new learning rate for every batch
    assert rates[0] == pytest.approx(0.01 / 25)  # warm-up from lr / div_factor ...
    assert max(rates) > 0.9 * 0.01 and max(rates) <= 0.01  # ... up to lr ...
    assert rates.index(max(rates)) < len(rates) // 2
    assert rates[-1] < 0.01 / 1000  # ... and annealed to almost nothing


def test_val_accuracy_is_logged_as_a_fraction(one_cycle_run) -> None:
    _, trainer, *_ = one_cycle_run
    logged = final_metrics(trainer)
    assert {"train_loss_epoch", "val_loss", "val_accuracy"} <= set(logged)
    assert 0.0 <= logged["val_accuracy"] <= 1.0
    assert logged["val_accuracy"] * 24 == pytest.approx(round(logged["val_accuracy"] * 24), abs=1e-4)  # k of 24 right


def test_hparams_are_plain_values_and_the_checkpoint_loads_with_weights_only(one_cycle_run) -> None:
    module, _, run_dir, _ = one_cycle_run
    expected = {"num_classes": 3, "optimizer": "adamw", "lr": 0.01, "weight_decay": 0.05, "schedule": "one-cycle",
                "channels_last": False}
    assert dict(module.hparams) == expected  # the model itself is not a hyperparameter
    check_plain_hparams(module)
    checkpoint = torch.load(Path(run_dir) / "checkpoints" / "last.ckpt", weights_only=True)
    assert checkpoint["hyper_parameters"] == expected


def test_channels_last_changes_the_memory_layout_not_the_outputs() -> None:
    model = small_cnn().eval()
    x = torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        expected = copy.deepcopy(model)(x)
        module = Classifier(model, num_classes=3, channels_last=True).eval()
        out = module(x)
    assert module.hparams.channels_last
    assert module.model[0].weight.is_contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
