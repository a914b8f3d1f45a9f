"""`fit`: train a LightningModule into a run folder with logging, checkpoints, exact resume and any devices."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import lightning.pytorch as pl
import torch
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import Callback, EarlyStopping, LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger

from dlpractice.course.checkpoints import check_fits, check_plain_hparams, saved_step
from dlpractice.course.errors import UserError, first_sentence
from dlpractice.course.runs import RunContext
from dlpractice.engine.config import EngineConfig
from dlpractice.engine.options import trainer_arguments
from dlpractice.engine.progress import progress_callback
from dlpractice.engine.quiet import quiet_lightning
from dlpractice.engine.rng import RngState


def fit(
    module: pl.LightningModule,
    datamodule: pl.LightningDataModule,
    ctx: RunContext,
    cfg: EngineConfig,
    seed: int,
    extra_callbacks: Sequence[Callback] = (),
) -> pl.Trainer:
    """Train `module` on `datamodule` as `cfg` says, logging and checkpointing into `ctx.dir`; returns the Trainer.

    Seed before building the module too (`lightning.seed_everything(seed)`) so its initial weights are repeatable.
    `extra_callbacks` are the lab's own Lightning callbacks, added to the engine's.
    """
    check_plain_hparams(module)
    check_plain_hparams(datamodule)
    if ctx.resume_from is not None:
        check_fits(ctx.resume_from, module)
    pl.seed_everything(seed, workers=True, verbose=False)
    # On resume the checkpoint folder is not empty by design; Lightning would warn that it is.
    resuming = ("Checkpoint directory .* exists and is not empty.*",) if ctx.resume_from else ()
    with quiet_lightning(resuming), restored_determinism():  # the Trainer switches deterministic mode on when built
        arguments = trainer_arguments(ctx.options)
        try:
            trainer = pl.Trainer(
                max_epochs=cfg.epochs,
                deterministic=cfg.deterministic,
                precision=choose_precision(ctx.options.accelerator),
                logger=tensorboard_logger(ctx),
                callbacks=[*callbacks(ctx, cfg), *extra_callbacks],
                log_every_n_steps=cfg.log_every_n_steps,
                default_root_dir=ctx.dir,
                **arguments,
            )
        except (MisconfigurationException, ValueError, RuntimeError) as err:  # a user's choice Lightning refuses
            raise UserError(f"cannot train with {arguments}: {first_sentence(err)}") from None
        # weights_only=True: unpickle nothing but tensors and plain values, never arbitrary code.
        trainer.fit(module, datamodule=datamodule, ckpt_path=ctx.resume_from, weights_only=True)
    return trainer


@contextmanager
def restored_determinism() -> Iterator[None]:
    """Lightning's `deterministic=True` switches PyTorch's deterministic mode on for the whole process; switch it back
    afterwards, so that code run after training (in a notebook kernel, say) is not slowed down or refused by it."""
    enabled, warn_only = torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled()
    cudnn = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn


def tensorboard_logger(ctx: RunContext) -> TensorBoardLogger:
    """Events go straight into run_dir/tensorboard (no version_N subfolders)."""
    # On resume, hide what the killed run logged after its last checkpoint: those steps are logged again.
    purge = {"purge_step": saved_step(ctx.resume_from)} if ctx.resume_from is not None else {}
    return TensorBoardLogger(save_dir=ctx.tensorboard_dir, name="", version="", default_hp_metric=False, **purge)


def callbacks(ctx: RunContext, cfg: EngineConfig) -> list[Callback]:
    """Checkpoints (last and best), random state, learning-rate logging, progress output, optional early stopping."""
    found: list[Callback] = [RngState(), LearningRateMonitor(logging_interval="epoch"), progress_callback()]
    if cfg.patience is not None:
        found.append(EarlyStopping(monitor=cfg.monitor, mode=cfg.mode, patience=cfg.patience))
    # One callback writes best.ckpt then last.ckpt, at the end of every epoch (Lightning runs checkpoint
    # callbacks after early stopping), so last.ckpt holds the up-to-date best score and patience count.
    found.append(ModelCheckpoint(
        dirpath=ctx.checkpoints_dir, filename="best", monitor=cfg.monitor, mode=cfg.mode,
        save_top_k=1 if cfg.monitor is not None else 0, save_last=True,
        save_on_train_epoch_end=True, enable_version_counter=False,
    ))
    return found


def choose_precision(accelerator: str) -> str:
    """bf16 autocast on a GPU that supports it (faster, same range as float32); plain float32 elsewhere."""
    on_gpu = accelerator in ("gpu", "cuda") or (accelerator == "auto" and torch.cuda.is_available())
    if on_gpu and torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False):
        return "bf16-mixed"
    return "32-true"
