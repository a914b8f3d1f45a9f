"""Where real datasets live on disk, and whether we may download them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATA_ENV = "DLPRACTICE_DATA"
OFFLINE_ENV = "DLPRACTICE_OFFLINE"


def data_root(data_dir: str | Path | None = None) -> Path:
    """The folder that holds datasets: `data_dir` (the CLI's --data-dir), else $DLPRACTICE_DATA, else the user cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    from_env = os.environ.get(DATA_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_cache_dir("dlpractice"))


def offline() -> bool:
    """True when $DLPRACTICE_OFFLINE is set to 1 (or true/yes/on)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def downloads_allowed(download: bool = True) -> bool:
    # The environment wins over the argument so that tests and offline classrooms can rule out the network
    # for every caller at once, even code that asks for download=True.
    return download and not offline()
