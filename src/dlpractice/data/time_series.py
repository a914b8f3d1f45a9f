"""Two series for forecasting (lab 08), both offline: a synthetic multi-periodic series generated from a seed, and the
yearly sunspot numbers 1700-2008 that ship with statsmodels. Plus the split every forecast is scored on: the last
part held out, never shuffled, so the model only ever sees the past.

The synthetic series is a slow linear trend (0.3 over the whole series) plus three sines with periods 17, 40 and 97
steps and amplitudes 1, 0.6 and 0.8, and Gaussian noise of std 0.15.
A linear ARIMA of small order (p <= 3) has room for one sine's pair of roots at most, so its long roll-out loses the
other periods; a recurrent network that reads a window of a few dozen steps can keep all three going (the numbers are
in sequences/forecasting.py).
"""

from __future__ import annotations

import numpy as np

PERIODS = (17.0, 40.0, 97.0)  # incommensurate: the sum never repeats within the series
AMPLITUDES = (1.0, 0.6, 0.8)


def multi_periodic_series(n: int = 1000, noise: float = 0.15, trend: float = 0.3, seed: int = 0) -> np.ndarray:
    """(n,) float64: `trend` * t / n + the three sines (each with a random phase) + Gaussian noise of std `noise`."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    phases = rng.uniform(0.0, 2 * np.pi, size=len(PERIODS))
    seasonal = sum(a * np.sin(2 * np.pi * t / p + phase) for a, p, phase in zip(AMPLITUDES, PERIODS, phases))
    return trend * t / n + seasonal + noise * rng.standard_normal(n)


def sunspots() -> tuple[np.ndarray, np.ndarray]:
    """(years, values): the yearly mean sunspot number, 1700 to 2008 (309 values, float64), from statsmodels' copy
    of the SIDC series; nothing is downloaded. The solar cycle is about 11 years long, and irregular."""
    from statsmodels.api import datasets

    frame = datasets.sunspots.load_pandas().data
    return frame["YEAR"].to_numpy(np.int64), frame["SUNACTIVITY"].to_numpy(np.float64)


def split_last(series: np.ndarray, fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """(train, test): the last round(fraction * len) values held out as the test part, in time order."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    series = np.asarray(series)
    held_out = int(round(fraction * len(series)))
    if held_out == 0 or held_out == len(series):
        raise ValueError(f"a series of {len(series)} values cannot hold out {fraction:.0%} and keep both parts")
    return series[:-held_out], series[-held_out:]
