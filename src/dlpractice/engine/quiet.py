"""Silence Lightning's banner lines (hardware summary, tips) while it trains; its warnings still show."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# Info lines that say nothing a student needs: which accelerators exist, advertising tips.
NOISE = ("GPU available", "TPU available", "HPU available", "💡 Tip", "LOCAL_RANK:")
LOGGERS = ("lightning.pytorch.utilities.rank_zero", "lightning.pytorch.accelerators.cuda")

# Warnings a student can do nothing about: small in-memory datasets need no loader workers, and
# Lightning 2.6 calls a torch pytree API that newer torch releases deprecate.
EXPECTED_WARNINGS = (r".*does not have many workers.*", r".*isinstance\(treespec, LeafSpec\)` is deprecated.*")


class DropNoise(logging.Filter):
    """Drops the log records that start with one of the NOISE prefixes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(NOISE)


@contextmanager
def quiet_lightning(extra_warnings: tuple[str, ...] = ()) -> Iterator[None]:
    """Filter the banners for the duration of the block and put the loggers back as they were afterwards."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    noise = DropNoise()
    for logger in loggers:
        logger.addFilter(noise)
    try:
        with warnings.catch_warnings():
            for pattern in EXPECTED_WARNINGS + extra_warnings:
                warnings.filterwarnings("ignore", message=pattern)
            yield
    finally:
        for logger in loggers:
            logger.removeFilter(noise)
