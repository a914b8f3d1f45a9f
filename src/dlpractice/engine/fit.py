"""`fit`: train a LightningModule into a run folder with logging, checkpoints, exact resume and any devices."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger

from dlpractice.engine.checkpoints import LAST, check_plain_hparams
from dlpractice.engine.config import EngineConfig
from dlpractice.engine.progress import progress_callback
from dlpractice.engine.quiet import quiet_lightning
from dlpractice.engine.rng import RngState
from dlpractice.runs import RunContext


def fit(
    module: pl.LightningModule,
    datamodule: pl.LightningDataModule,
    ctx: RunContext,
    cfg: EngineConfig,
    seed: int,
) -> pl.Trainer:
    """Train `module` on `datamodule` as `cfg` says, logging and checkpointing into `ctx.dir`; returns the Trainer.

    Seed before building the module too (`lightning.seed_everything(seed)`) so its initial weights are repeatable.
    """
    check_plain_hparams(module)
    pl.seed_everything(seed, workers=True, verbose=False)
    trainer = pl.Trainer(
        max_epochs=cfg.max_epochs,
        deterministic=cfg.deterministic,
        accelerator=ctx.accelerator,
        devices=int(ctx.devices) if ctx.devices.isdigit() else ctx.devices,
        strategy=ctx.strategy,
        precision=choose_precision(ctx.accelerator),
        logger=TensorBoardLogger(save_dir=ctx.tensorboard_dir, name="", version="", default_hp_metric=False),
        callbacks=callbacks(ctx, cfg),
        log_every_n_steps=cfg.log_every_n_steps,
        default_root_dir=ctx.dir,
    )
    # On resume the checkpoint folder is not empty by design; Lightning would warn that it is.
    resuming = ("Checkpoint directory .* exists and is not empty.*",) if ctx.resume_from else ()
    with quiet_lightning(resuming):
        # weights_only=True: unpickle nothing but tensors and plain values, never arbitrary code.
        trainer.fit(module, datamodule=datamodule, ckpt_path=ctx.resume_from, weights_only=True)
    return trainer


def callbacks(ctx: RunContext, cfg: EngineConfig) -> list[Callback]:
    """Checkpoints (last and best), random state, learning-rate logging, progress output, optional early stopping."""
    found: list[Callback] = [RngState(), LearningRateMonitor(logging_interval="epoch"), progress_callback()]
    found.append(ModelCheckpoint(dirpath=ctx.checkpoints_dir, filename="last", save_top_k=1, monitor=None,
                                 enable_version_counter=False))  # overwritten every epoch: what --resume continues
    if cfg.monitor is not None:
        found.append(ModelCheckpoint(dirpath=ctx.checkpoints_dir, filename="best", monitor=cfg.monitor, mode=cfg.mode,
                                     save_top_k=1, enable_version_counter=False))
    if cfg.patience is not None:
        found.append(EarlyStopping(monitor=cfg.monitor, mode=cfg.mode, patience=cfg.patience))
    return found


def choose_precision(accelerator: str) -> str:
    """bf16 autocast on a GPU that supports it (faster, same range as float32); plain float32 elsewhere."""
    on_gpu = accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())
    if on_gpu and torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False):
        return "bf16-mixed"
    return "32-true"
