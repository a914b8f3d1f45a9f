"""Lab 08 rnn: the quick run checks the hand cells against PyTorch, measures gradients through time, trains on the
adding problem, forecasts both series against ARIMA and the naive forecasts, classifies and generates names, and
writes every figure and table; it repeats with its seed; bad config values are one-line errors before any folder."""

import json
import math

import pytest

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.labs.rnn import RnnConfig

FIGURES = ["adding_problem.png", "forecast_sunspots.png", "forecast_synthetic.png", "gradient_norms.png",
           "names_confusion.png"]
TIMINGS = ("_s", "_time")  # metric names ending so are wall times, never repeatable


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return [dlpractice.run("08", quick=True, seed=seed, out=out) for seed in (0, 0)]


def test_quick_run_writes_metrics_figures_and_every_table(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved) and all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == FIGURES
    report = (outcome.run_dir / "report.md").read_text()
    for title in ("## Hand-written cells vs PyTorch", "## Gradient norm", "## The adding problem, T = 10",
                  "## Forecasting the last 20% of the synthetic series", "## Forecasting the last 20% of the sunspots",
                  "## Names → language", "## New names sampled per language"):
        assert title in report
    assert "| ARIMA(" in report and "| naive |" in report and "| LSTM |" in report and "| GRU |" in report


def test_quick_run_measures_what_the_lab_is_about(quick_runs):
    m = quick_runs[0].metrics
    assert m["cells_max_difference"] < 1e-5  # the hand cells are PyTorch's
    assert m["rnn_gradient_far_to_near"] < 1e-2  # 20 steps back the plain RNN's gradient has all but vanished
    assert m["lstm_gate_bias_2_gradient_far_to_near"] > m["rnn_gradient_far_to_near"]
    assert m["exploding_gradient_norm"] > 1e3 and m["clipped_gradient_norm"] == pytest.approx(1.0, rel=1e-4)
    assert m["adding_rnn_test_mse"] > 0.1  # the plain RNN stays near predicting the mean (1/6)
    assert m["sunspots_arima_vs_naive"] < 1 and m["sunspots_recurrent_vs_naive"] < 1
    assert m["names_gru_test_accuracy"] > 0.5 > m["names_classic_test_accuracy"]  # 2,000 names, a few epochs


def test_same_seed_same_metrics(quick_runs):
    first, again = (outcome.metrics for outcome in quick_runs)
    assert {k: v for k, v in first.items() if not k.endswith(TIMINGS)} == \
           {k: v for k, v in again.items() if not k.endswith(TIMINGS)}


def test_registered_as_lab_08():
    lab = registry.find("8")
    assert (lab.id, lab.name) == ("08", "rnn")
    assert lab.cpu_budget_s == 120
    targets = {str(t) for t in lab.targets}
    assert {"cells_max_difference <= 1e-05", "adding_best_gated_test_mse <= 0.01", "adding_rnn_test_mse >= 0.1",
            "names_gru_test_accuracy >= 0.8"} <= targets


@pytest.mark.parametrize("overrides, message", [
    ({"adding_steps": 2}, "adding_steps must be >= 4"),
    ({"adding_steps": 10_000}, "adding_steps must be <= 500"),
    ({"temperature": 0}, "temperature must be > 0"),
    ({"arima_max_p": 9}, "arima_max_p and arima_max_q must be between 0 and 5"),
    ({"series_length": 50}, "series_length must be between"),
    ({"max_names": 10}, "max_names must be >= 500"),
    ({"classic_steps": -1}, "classic_steps must be > 0"),
])
def test_bad_config_values_are_user_errors_before_any_run_folder(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("rnn", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "rnn").exists()


def test_quick_config_is_small():
    quick, full = RnnConfig.quick(), RnnConfig()
    assert quick.adding_updates < full.adding_updates and quick.max_names is not None and full.max_names is None
