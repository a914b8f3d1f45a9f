"""Silence Lightning's banner lines (hardware summary, tips) while it trains; its warnings still show."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# Info lines that say nothing a student needs: which accelerators exist, advertising tips.
NOISE = ("GPU available", "TPU available", "HPU available", "💡 Tip", "LOCAL_RANK:", "`weights_only` was not set")

# Warnings that are expected in this course: small in-memory datasets need no loader workers.
EXPECTED_WARNINGS = (r".*does not have many workers.*", r".*number of training batches .* is smaller than the logging interval.*")


class DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(NOISE)


@contextmanager
def quiet_lightning(extra_warnings: tuple[str, ...] = ()) -> Iterator[None]:
    """Filter the banners for the duration of the block and put the loggers back as they were afterwards."""
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch.utilities.rank_zero", "lightning.pytorch.accelerators.cuda",
                                                    "lightning.pytorch.trainer.connectors.checkpoint_connector")]
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
