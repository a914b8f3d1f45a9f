"""Finding and safely loading a run's checkpoints (always `weights_only=True`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlpractice.errors import UserError

LAST = "last.ckpt"


def load_safely(path: Path) -> dict[str, Any]:
    """Load a checkpoint with `weights_only=True`; a missing or corrupt file is a UserError."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise UserError(f"no checkpoint at {path}") from None
    except Exception as err:  # torch raises several types for truncated or foreign files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise UserError(f"checkpoint {path} cannot be loaded safely: {reason}") from None


def last_checkpoint(run_dir: Path) -> Path:
    """The run's `checkpoints/last.ckpt`, checked to load; a UserError if it is absent or corrupt."""
    path = run_dir / "checkpoints" / LAST
    if not path.is_file():
        raise UserError(f"--resume {run_dir}: no checkpoint found (expected {path})")
    load_safely(path)
    return path
