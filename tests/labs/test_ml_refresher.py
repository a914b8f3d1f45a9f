"""Lab 00 ml-refresher: a quick run writes its run folder, meets its targets, and the same seed gives the same metrics."""

import json

import pytest

import dlpractice
from dlpractice.course import registry
from dlpractice.labs.ml_refresher import MlRefresherConfig


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return [dlpractice.run("ml-refresher", quick=True, seed=seed, out=out) for seed in (0, 0, 1)]


def test_quick_run_writes_metrics_figures_and_report(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    for name in ("linear_regression_test_r2", "random_forest_train_r2", "gradient_boosting_test_mse",
                 "gradient_boosting_cv_r2_mean", "plain_f1", "balanced_f1", "majority_baseline_accuracy"):
        assert name in saved
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == ["confusion_matrices.png", "measured_vs_predicted.png"]
    assert "Regression on the diabetes table" in (outcome.run_dir / "report.md").read_text()
    assert all(outcome.met.values()), outcome.met


def test_the_lessons_show_in_the_numbers(quick_runs):
    m = quick_runs[0].metrics
    assert m["random_forest_train_r2"] - m["random_forest_test_r2"] > 0.3  # the forest overfits
    assert m["majority_baseline_accuracy"] > 0.9 and m["majority_baseline_f1"] == 0  # accuracy lies
    assert m["balanced_recall"] > m["plain_recall"]  # class weights trade precision for recall
    assert m["seeded_forest_repeatable"] == 1.0


def test_same_seed_same_metrics_other_seed_other_metrics(quick_runs):
    first, again, other = (outcome.metrics for outcome in quick_runs)
    assert first == again
    assert first != other


def test_registered_as_lab_00():
    assert registry.find("00").name == "ml-refresher"
    assert registry.find("0").name == "ml-refresher"


@pytest.mark.parametrize("values, message", [
    ({"test_fraction": 1.0}, "test_fraction"),
    ({"minority_fraction": 0.6}, "minority_fraction"),
    ({"cv_folds": 1}, "cv_folds"),
    ({"trees": 0}, "trees"),
])
def test_config_rejects_bad_values(values, message):
    with pytest.raises(ValueError, match=message):
        MlRefresherConfig(**values)
