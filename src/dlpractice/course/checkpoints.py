"""Finding and safely loading a run's checkpoints (always `weights_only=True`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dlpractice.course.errors import UserError, first_sentence

LAST = "last.ckpt"
PLAIN = (int, float, str, bool, type(None))


def load_safely(path: Path) -> dict[str, Any]:
    """Load a checkpoint with `weights_only=True`; a missing or corrupt file is a UserError."""
    import torch

    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise UserError(f"no checkpoint at {path}") from None
    except Exception as err:  # torch raises several types for truncated or foreign files
        # The first sentence says what failed; torch's longer advice (e.g. to retry with weights_only=False) does not apply.
        raise UserError(f"checkpoint {path} is truncated, corrupt or unsafe to load ({first_sentence(err)})") from None
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise UserError(f"checkpoint {path} is not a Lightning checkpoint (no state_dict)")
    return checkpoint


def last_checkpoint(run_dir: Path) -> Path:
    """The run's `checkpoints/last.ckpt`, checked to load; a UserError if it is absent or corrupt."""
    path = run_dir / "checkpoints" / LAST
    if not path.is_file():
        raise UserError(f"--resume {run_dir}: no checkpoint found (expected {path})")
    load_safely(path)
    return path


def saved_step(path: Path) -> int:
    """The global step at which a checkpoint was saved: where a resumed run's TensorBoard curves continue."""
    return int(load_safely(path)["global_step"])


def is_plain(value: Any) -> bool:
    """True for numbers, strings, booleans, None, and lists, tuples and str-keyed dicts of them."""
    if isinstance(value, PLAIN):
        return True
    if isinstance(value, (list, tuple)):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    return False


def check_plain_hparams(owner: Any) -> None:
    """Fail before training, not at resume time, if `save_hyperparameters` stored something `weights_only` rejects."""
    for name, value in dict(getattr(owner, "hparams", {})).items():
        if not is_plain(value):
            raise TypeError(
                f"hyperparameter '{name}' is a {type(value).__name__}; checkpoints must load with weights_only=True, "
                f"so save plain values (e.g. dataclasses.asdict(config)) or pass ignore=['{name}'] to save_hyperparameters"
            )


def check_fits(path: Path, model: Any) -> None:
    """A UserError unless the checkpoint's weights have exactly the model's names and shapes (checked before training
    starts, so a resume that cannot work writes nothing into the run folder)."""
    saved = load_safely(path)["state_dict"]
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(saved)), sorted(set(saved) - set(expected))
    reshaped = [k for k in expected if k in saved and tuple(saved[k].shape) != tuple(expected[k].shape)]
    for problem, names in (("lacks", missing), ("has extra", unexpected), ("has other shapes for", reshaped)):
        if names:
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            raise UserError(f"checkpoint {path} does not fit this lab's model: it {problem} {', '.join(names[:3])}{more}")
