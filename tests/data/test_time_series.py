"""data.time_series: the synthetic series is repeatable for a seed and holds the periods it says, sunspots are
statsmodels' yearly 1700-2008 values, and split_last holds out the last part in time order."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice.data.time_series import PERIODS, multi_periodic_series, split_last, sunspots


def test_multi_periodic_series_is_float64_and_repeatable() -> None:
    a = multi_periodic_series(500, seed=3)
    assert a.shape == (500,) and a.dtype == np.float64
    assert np.array_equal(a, multi_periodic_series(500, seed=3))
    assert not np.array_equal(a, multi_periodic_series(500, seed=4))


def test_multi_periodic_series_has_its_periods_trend_and_noise() -> None:
    """The three strongest frequencies of the noise-free, trend-free series are 1/17, 1/40 and 1/97 (to the nearest
    frequency bin); the trend adds `trend` over the series; the noise is the difference from the noise-free one."""
    n = 4000
    clean = multi_periodic_series(n, noise=0.0, trend=0.0)
    spectrum = np.abs(np.fft.rfft(clean))
    peaks = np.sort(np.argsort(spectrum)[-3:])
    assert np.allclose(n / peaks, sorted(PERIODS, reverse=True), rtol=0.02)
    trended = multi_periodic_series(n, noise=0.0, trend=2.0)
    assert np.allclose(trended - clean, 2.0 * np.arange(n) / n)
    noise = multi_periodic_series(n, noise=0.15, trend=0.0) - clean
    assert noise.std() == pytest.approx(0.15, rel=0.05)


def test_sunspots_are_yearly_from_1700_to_2008() -> None:
    years, values = sunspots()
    assert years[0] == 1700 and years[-1] == 2008 and len(years) == len(values) == 309
    assert np.all(np.diff(years) == 1)
    assert values.dtype == np.float64 and values.min() >= 0
    assert values[0] == 5.0 and 150 < values.max() < 200  # 1700's value; the peak is 1957's 190.2


def test_split_last_holds_out_the_end_in_order() -> None:
    series = np.arange(10.0)
    train, test = split_last(series, 0.2)
    assert np.array_equal(train, np.arange(8.0)) and np.array_equal(test, [8.0, 9.0])
    train, test = split_last(sunspots()[1])
    assert (len(train), len(test)) == (247, 62)
    for bad in (0.0, 1.0, 0.01):
        with pytest.raises(ValueError):
            split_last(series, bad)
