"""sequences.forecasting: windows, the naive forecasts and RMSE by hand; the ARIMA order chosen is the AIC minimum of
the grid as statsmodels fits it; ARIMA's one-step forecasts condition on the true past (statsmodels' own filter with
the same parameters, and an AR(1) by hand); roll-outs feed each prediction back; standardisation comes from the
training part only; the same seed trains the same network. Small series and short runs: behaviour, not quality."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from dlpractice.data.time_series import multi_periodic_series, split_last
from dlpractice.sequences.forecasting import (
    Scaler,
    arima_by_aic,
    arima_one_step,
    arima_roll_out,
    arima_trend,
    fit_arima,
    naive_forecast,
    naive_one_step,
    one_blas_thread,
    one_step,
    rmse,
    roll_out,
    seasonal_naive_forecast,
    seasonal_naive_one_step,
    train_forecaster,
    windows,
)

IDENTITY = Scaler(0.0, 1.0)


@pytest.fixture(scope="module")
def small() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(series, train, test): 150 steps of the synthetic series, the last 30 held out."""
    series = multi_periodic_series(150, seed=1)
    return (series, *split_last(series))


# ---- windows, scores, naive forecasts


def test_windows_shapes_and_values() -> None:
    x, y = windows(np.arange(10.0), 3)
    assert x.shape == (7, 3) and y.shape == (7,)
    for i in range(7):
        assert np.array_equal(x[i], [i, i + 1, i + 2]) and y[i] == i + 3
    x[0, 0] = 99.0  # a copy, not a view of the series
    assert windows(np.arange(10.0), 3)[0][0, 0] == 0.0
    for bad in (0, 10):
        with pytest.raises(ValueError):
            windows(np.arange(10.0), bad)


def test_rmse_by_hand() -> None:
    assert rmse([1.0, 2.0, 3.0], [1.0, 4.0, 1.0]) == pytest.approx(np.sqrt(8 / 3))
    with pytest.raises(ValueError):
        rmse([1.0, 2.0], [1.0])


def test_naive_forecasts_by_hand() -> None:
    history = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.array_equal(naive_forecast(history, 3), [5.0, 5.0, 5.0])
    assert np.array_equal(seasonal_naive_forecast(history, 5, period=2), [4.0, 5.0, 4.0, 5.0, 4.0])
    assert np.array_equal(seasonal_naive_forecast(history, 2, period=3), [3.0, 4.0])
    test = np.array([6.0, 7.0, 8.0])
    assert np.array_equal(naive_one_step(history, test), [5.0, 6.0, 7.0])
    assert np.array_equal(seasonal_naive_one_step(history, test, period=2), [4.0, 5.0, 6.0])
    assert np.array_equal(seasonal_naive_one_step(history, test, period=5), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        seasonal_naive_forecast(history, 3, period=6)


# ---- ARIMA


def test_arima_order_is_the_aic_minimum_of_the_grid(small) -> None:
    """Every order of a 2 x 2 x 2 grid fitted with statsmodels directly: the chosen one has the smallest AIC."""
    from statsmodels.tsa.arima.model import ARIMA

    _, train, _ = small
    order, results = arima_by_aic(train, max_p=1, max_d=1, max_q=1)
    aics = {}
    for p in (0, 1):
        for d in (0, 1):
            for q in (0, 1):
                with warnings.catch_warnings(), one_blas_thread():
                    warnings.simplefilter("ignore")  # convergence and starting-parameter warnings
                    aics[(p, d, q)] = ARIMA(train, order=(p, d, q), trend=arima_trend(d)).fit().aic
    assert order == min(aics, key=aics.get)
    assert results.aic == pytest.approx(aics[order])
    assert results.model.order == order


def test_arima_one_step_equals_statsmodels_filter_on_the_whole_series(small) -> None:
    """Our one-step forecasts are those of the model with the same parameters run over train + test."""
    from statsmodels.tsa.arima.model import ARIMA

    series, train, test = small
    results = fit_arima(train, (2, 1, 1))
    ours = arima_one_step(results, test)
    whole = ARIMA(series, order=(2, 1, 1), trend=arima_trend(1)).filter(results.params)
    assert ours.shape == test.shape
    assert np.allclose(ours, whole.predict(start=len(train)), atol=1e-8)


def test_arima_one_step_and_roll_out_of_an_ar1_by_hand(small) -> None:
    """AR(1) with mean mu: one step ahead mu + phi (y[t-1] - mu) from the true previous value; h steps ahead of the
    end of training mu + phi^h (y[T] - mu). statsmodels' 'const' of ARIMA is the mean."""
    _, train, test = small
    results = fit_arima(train, (1, 0, 0))
    mu, phi = results.params[0], results.params[1]
    previous = np.concatenate([train[-1:], test[:-1]])
    assert np.allclose(arima_one_step(results, test), mu + phi * (previous - mu), atol=1e-8)
    h = np.arange(1, 11)
    assert np.allclose(arima_roll_out(results, 10), mu + phi ** h * (train[-1] - mu), atol=1e-8)


def test_arima_one_step_sees_the_past_only(small) -> None:
    """Changing test value k changes the forecasts after it, never those up to it."""
    _, train, test = small
    results = fit_arima(train, (2, 0, 1))
    before = arima_one_step(results, test)
    changed = test.copy()
    changed[10] += 5.0
    after = arima_one_step(results, changed)
    assert np.allclose(before[:11], after[:11], atol=1e-10)
    assert abs(before[11] - after[11]) > 0.1


# ---- recurrent forecasters


class LastValue(nn.Module):
    """Returns the newest value of its window, plus `step`."""

    def __init__(self, step: float = 0.0):
        super().__init__()
        self.step = step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, -1, 0] + self.step


def test_roll_out_feeds_predictions_back() -> None:
    history = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    assert np.allclose(roll_out(LastValue(), history, 6, width=3, scaler=IDENTITY), 5.0)
    assert np.allclose(roll_out(LastValue(), history, 4, width=3, scaler=Scaler(2.0, 4.0)), 5.0)  # scaling undone
    assert np.allclose(roll_out(LastValue(1.0), history, 4, width=3, scaler=IDENTITY), [6.0, 7.0, 8.0, 9.0])


def test_one_step_reads_the_true_window() -> None:
    """A last-value model is the naive one-step forecast; each window ends just before the predicted value."""
    series = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    out = one_step(LastValue(), series, width=3, start=5, scaler=Scaler(1.0, 2.0))
    assert np.allclose(out, naive_one_step(series[:5], series[5:]))
    with pytest.raises(ValueError):
        one_step(LastValue(), series, width=3, start=2, scaler=IDENTITY)


def test_scaler_is_fitted_on_the_training_part_only(small) -> None:
    series, train, _ = small
    _, scaler, seconds = train_forecaster(train, width=8, hidden=4, epochs=1)
    assert scaler.mean == pytest.approx(train.mean()) and scaler.std == pytest.approx(train.std())
    assert scaler.mean != pytest.approx(series.mean())
    assert np.allclose(scaler.inverse(scaler.transform(series)), series)
    assert seconds > 0


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_same_seed_same_forecasts(small, kind: str) -> None:
    series, train, test = small

    def forecasts(seed: int) -> np.ndarray:
        model, scaler, _ = train_forecaster(train, width=8, kind=kind, hidden=6, epochs=2, seed=seed)
        return np.concatenate([one_step(model, series, 8, len(train), scaler), roll_out(model, train, 5, 8, scaler)])

    first = forecasts(0)
    assert first.shape == (len(test) + 5,)
    assert np.array_equal(first, forecasts(0))
    assert not np.allclose(first, forecasts(1))


def test_a_short_run_learns_a_sine() -> None:
    """15 epochs on a clean sine of period 20: one step ahead the network beats repeating the last value."""
    series = np.sin(2 * np.pi * np.arange(200) / 20)
    train, test = split_last(series)
    model, scaler, _ = train_forecaster(train, width=10, hidden=8, epochs=15, lr=1e-2, batch_size=32)
    ours = rmse(one_step(model, series, 10, len(train), scaler), test)
    assert ours < 0.5 * rmse(naive_one_step(train, test), test)
