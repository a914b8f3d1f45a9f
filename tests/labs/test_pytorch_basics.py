"""Lab 01 pytorch-basics: the quick run writes its run folder, the same seed repeats, backprop by hand matches autograd."""

import json
import math

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

import dlpractice
from dlpractice.autograd import backprop
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.labs.pytorch_basics import PytorchBasicsConfig
from dlpractice.models import MLP, count_parameters, mlp_parameter_formula
from dlpractice.training.loop import evaluate, train_tensors

FIGURES = ["loss_curves.png", "moons_boundary.png", "sine_fit.png", "spirals_boundary.png", "tabular_comparison.png"]
PROBLEMS = ("sine", "moons", "spirals", "tabular")


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    threads = torch.get_num_threads()
    runs = [dlpractice.run("01", quick=True, seed=seed, out=out) for seed in (0, 0, 1)]
    assert torch.get_num_threads() == threads, "the lab must restore torch's thread count"
    return runs


def test_quick_run_writes_metrics_report_figures_and_tensorboard(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved)
    assert all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == FIGURES
    report = (outcome.run_dir / "report.md").read_text()
    for title in ("Parameter counts", "Backpropagation by hand vs autograd", "Neural network vs trees on a table"):
        assert f"## {title}" in report
    events = EventAccumulator(str(outcome.run_dir / "tensorboard"))
    events.Reload()
    tags = events.Tags()["scalars"]
    config = PytorchBasicsConfig.quick()
    for problem in PROBLEMS:
        epochs = config.tabular_epochs if problem == "tabular" else config.epochs
        for part in ("train", "val"):
            assert len(events.Scalars(f"{problem}/{part}_loss")) == epochs, tags


def test_quick_run_learns(quick_runs):
    m = quick_runs[0].metrics
    assert m["sine_test_r2"] > 0.9
    assert m["moons_test_accuracy"] > 0.9
    assert m["spirals_test_accuracy"] > 0.9
    for model in ("mlp", "random_forest", "gradient_boosting"):
        assert m[f"tabular_{model}_test_accuracy"] > 0.85
    assert m["param_count_formula_matches"] == 1.0
    assert m["backprop_max_abs_diff"] < 1e-5
    assert m["backprop_wrong_relu_max_abs_diff"] > 1e-2
    assert m["gd_by_hand_last_step_loss"] < 0.5 * m["gd_by_hand_first_step_loss"]


def test_same_seed_same_metrics_other_seed_other_metrics(quick_runs):
    first, again, other = (outcome.metrics for outcome in quick_runs)
    assert first == again
    assert first != other


def test_registered_as_lab_01():
    lab = registry.find("1")
    assert (lab.id, lab.name) == ("01", "pytorch-basics")
    assert {t.metric for t in lab.targets} == {"sine_test_r2", "moons_test_accuracy", "spirals_test_accuracy"}


@pytest.mark.parametrize("d_in, hidden, d_out, n, dtype, tol", [
    (3, 16, 2, 64, torch.float32, 1e-5),
    (5, 7, 1, 10, torch.float64, 1e-12),
    (1, 32, 3, 200, torch.float64, 1e-12),
])
def test_backprop_by_hand_matches_autograd_and_a_wrong_one_does_not(d_in, hidden, d_out, n, dtype, tol):
    gen = torch.Generator().manual_seed(n)
    x = torch.randn(n, d_in, generator=gen, dtype=dtype)
    y = torch.randn(n, d_out, generator=gen, dtype=dtype)
    params = backprop.init_params(d_in, hidden, d_out, seed=n, dtype=dtype)
    params["b1"] += 0.1 * torch.randn(hidden, generator=gen, dtype=dtype)  # non-zero biases count too
    auto = backprop.autograd_gradients(params, x, y)
    right = backprop.compare(backprop.manual_gradients(params, x, y), auto)
    assert set(right) == {"w1", "b1", "w2", "b2"}
    assert max(right.values()) < tol, right
    wrong = backprop.compare(backprop.manual_gradients(params, x, y, forget_relu_mask=True), auto)
    assert max(wrong["w1"], wrong["b1"]) > 1e-3, wrong  # the check catches a forgotten ReLU mask
    assert max(wrong["w2"], wrong["b2"]) < tol  # ...which only touches the first layer's gradients


def test_gradient_descent_by_hand_lowers_the_loss():
    x = torch.linspace(-2, 2, 100).unsqueeze(1)
    losses = backprop.gradient_descent_by_hand(x, torch.sin(x), hidden=16, steps=200, lr=0.1)
    assert len(losses) == 200
    assert losses[-1] < 0.3 * losses[0]


@pytest.mark.parametrize("sizes, expected", [
    ((1, 64, 64, 1), 4353),  # 1*64+64 + 64*64+64 + 64*1+1
    ((2, 3), 9),  # no hidden layer: one Linear(2, 3)
    ((30, 16, 1), 513),
    ((4, 8, 16, 8, 2), 338),
])
def test_parameter_count_matches_the_formula(sizes, expected):
    model = MLP(sizes[0], sizes[1:-1], sizes[-1])
    assert model.sizes == sizes
    assert count_parameters(model) == mlp_parameter_formula(sizes) == expected
    assert sum(isinstance(m, nn.Linear) for m in model) == len(sizes) - 1
    assert not isinstance(model[-1], nn.ReLU)  # the output layer has no activation


def test_count_parameters_skips_frozen_ones():
    model = MLP(2, (4,), 1)
    model[0].weight.requires_grad_(False)
    assert count_parameters(model) == 17 - 8  # 2*4+4 + 4*1+1, less the 8 frozen weights
    assert count_parameters(model, trainable_only=False) == mlp_parameter_formula((2, 4, 1))


def test_the_loop_keeps_the_best_validation_epoch_and_logs_every_epoch():
    class Recorder:
        def __init__(self):
            self.calls = []

        def add_scalar(self, tag, value, step):
            self.calls.append((tag, step))

    torch.manual_seed(0)
    x, y = torch.randn(60, 2), torch.randn(60, 1)  # pure noise: the validation loss soon turns up
    model, writer = MLP(2, (32,), 1), Recorder()
    history = train_tensors(model, nn.MSELoss(), x[:40], y[:40], x[40:], y[40:], epochs=60, lr=0.05, writer=writer, tag="t")
    assert len(history.train_loss) == len(history.val_loss) == 60
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.best_epoch < 59
    assert evaluate(model, nn.MSELoss(), x[40:], y[40:])[0] == pytest.approx(min(history.val_loss))
    assert writer.calls[:2] == [("t/train_loss", 0), ("t/val_loss", 0)] and len(writer.calls) == 120


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": 0}, "epochs must be > 0"),
    ({"lr": -0.01}, "lr must be > 0"),
    ({"hidden": 0}, "hidden must be > 0"),
    ({"spiral_arms": 2}, "spiral_arms must be >= 3"),
    ({"batch_size": 0}, "batch_size must be > 0"),
    ({"n_moons": 10}, "must be >= 50"),
])
def test_bad_config_values_are_user_errors(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("pytorch-basics", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "pytorch-basics").exists()  # refused before any run folder was made
