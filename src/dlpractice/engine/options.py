"""`dlpractice run`'s hardware options, checked before a run folder exists and turned into Trainer arguments.

Lightning finds most mistakes itself, but only once the Trainer is built, after the lab has loaded its data and
written its config; and it accepts `--devices 99` on a 2-core CPU, starting 99 worker processes that fill the
machine's memory. `check_options` refuses all of that up front, in one line each.
"""

from __future__ import annotations

import os
from typing import Any

import lightning.pytorch as pl
import torch

from dlpractice.course.errors import UserError, first_sentence
from dlpractice.course.runs import RunOptions, external_launcher
from dlpractice.engine.quiet import quiet_lightning


def trainer_arguments(options: RunOptions) -> dict[str, Any]:
    """accelerator, devices, strategy and num_nodes for `pl.Trainer`.

    Under an external launcher, `--devices auto` means the processes it started on each node, and the node
    count comes from the launcher too, so `torchrun --nproc-per-node 2 ... dlpractice run 03` needs no more options.
    """
    devices: int | str = int(options.devices) if str(options.devices).isdigit() else options.devices
    num_nodes = options.num_nodes
    launcher = external_launcher()
    if launcher == "torchrun" and devices == "auto":
        devices = int(os.environ["LOCAL_WORLD_SIZE"])
        num_nodes = int(os.environ["WORLD_SIZE"]) // devices
    elif launcher == "slurm" and devices == "auto":
        num_nodes = int(os.environ.get("SLURM_NNODES", "1"))
        devices = int(os.environ["SLURM_NTASKS"]) // num_nodes
    return {"accelerator": options.accelerator, "devices": devices, "strategy": options.strategy,
            "num_nodes": num_nodes}


def check_options(options: RunOptions) -> None:
    """A one-line UserError for an accelerator this machine lacks, an unknown strategy, or more devices than it has."""
    arguments = trainer_arguments(options)
    on_gpu = options.accelerator in ("gpu", "cuda") or (options.accelerator == "auto" and torch.cuda.is_available())
    if options.accelerator in ("gpu", "cuda") and not torch.cuda.is_available():
        raise UserError(f"--accelerator {options.accelerator}: PyTorch finds no GPU on this machine; "
                        "use --accelerator cpu (or auto)")
    # On a CPU each device is a process with its own copy of the model and data: never more than the cores.
    available, kind = (torch.cuda.device_count(), "GPU(s)") if on_gpu else (os.cpu_count() or 1, "CPU cores")
    if isinstance(arguments["devices"], int) and arguments["devices"] > available:
        raise UserError(f"--devices {arguments['devices']}: this machine has {available} {kind}; "
                        f"use at most {available} (or auto)")
    if options.num_nodes < 1:
        raise UserError(f"--num-nodes must be >= 1, got {options.num_nodes}")
    try:  # Lightning's own checks (strategy names, combinations); building a Trainer writes nothing
        with quiet_lightning():
            pl.Trainer(logger=False, enable_checkpointing=False, enable_progress_bar=False,
                       enable_model_summary=False, **arguments)
    except Exception as err:  # Lightning raises ValueError, MisconfigurationException, RuntimeError ...
        given = [f"--{name.replace('_', '-')} {value}" for name, value in arguments.items()
                 if value != getattr(RunOptions, name)] or ["these options"]
        raise UserError(f"{' '.join(given)}: {first_sentence(err)}") from None

