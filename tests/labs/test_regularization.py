"""Lab 04 regularization: the quick run writes its run folder and shows the lessons; the pieces do what they claim."""

import json
import math

import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn
from torch.utils.data import DataLoader
from torchvision.transforms import v2

import dlpractice
from dlpractice.checks.lab04 import shifts_of
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.course.runner import torch_threads
from dlpractice.data import AugmentedImages
from dlpractice.labs.regularization import (
    TECHNIQUES,
    VARIANTS,
    RegularizationConfig,
    load_parts,
    techniques,
    train_variant,
)
from dlpractice.models.wide_mlp import WideMLP
from dlpractice.training.loop import evaluate
from dlpractice.vision.augmentation import make_augmentation

FIGURES = ["augmented_digits.png", "generalization_gap.png", "learning_curves.png"]
TINY = {"epochs": 2, "repeats": 2, "train_size": 100, "val_size": 100, "hidden": "(32,)"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    threads = torch.get_num_threads()
    outcome = dlpractice.run("04", quick=True, out=tmp_path_factory.mktemp("runs"))
    assert torch.get_num_threads() == threads, "the lab must restore torch's thread count"
    return outcome


@pytest.fixture
def one_thread():
    """Single trainings run on one thread, as the lab does: tiny matrix products on two busy cores crawl."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def small():
    """A small config and its data, for the tests of single trainings."""
    config = RegularizationConfig(train_size=200, val_size=200, hidden=(64, 64), epochs=25, lr=3e-3, weight_decay=5.0,
                                  patience=3, repeats=1)
    return config, load_parts(config)


def test_quick_run_writes_metrics_report_figures_and_tensorboard(quick_run):
    saved = json.loads((quick_run.run_dir / "metrics.json").read_text())
    assert set(quick_run.metrics) <= set(saved)
    assert all(math.isfinite(v) for v in saved.values())
    for variant in VARIANTS:
        for key in ("train_accuracy", "val_accuracy", "test_accuracy", "gap", "test_accuracy_std"):
            assert f"{variant}_{key}" in saved
    assert sorted(p.name for p in (quick_run.run_dir / "figures").glob("*.png")) == FIGURES
    report = (quick_run.run_dir / "report.md").read_text()
    assert "## Regularisers compared (best by validation accuracy:" in report
    assert "## Batch normalisation: train vs eval mode" in report
    table = report.split("## Regularisers compared")[1].split("\n## ")[0]
    assert all(f"| {v} |" in table or f"| **{v}** |" in table for v in VARIANTS)
    assert table.count(" ± ") >= 5 * len(VARIANTS)  # every accuracy, gap and norm with its spread
    config = RegularizationConfig.quick()
    for variant in VARIANTS:  # one TensorBoard run per variant, so TensorBoard overlays them
        events = EventAccumulator(str(quick_run.run_dir / "tensorboard" / variant))
        events.Reload()
        epochs = len(events.Scalars("loss/val"))
        assert epochs == config.epochs or (variant in ("early_stopping", "all") and 0 < epochs < config.epochs)
        assert len(events.Scalars("accuracy/val")) == epochs


def test_quick_run_shows_the_lessons(quick_run):
    m = quick_run.metrics
    assert m["baseline_train_accuracy"] > 0.97 and m["baseline_gap"] > 0.1  # the big network memorises
    assert m["augmentation_gap"] < 0.6 * m["baseline_gap"]  # a new version of every image each epoch
    assert m["all_gap"] < 0.6 * m["baseline_gap"]
    assert m["all_val_accuracy"] >= m["baseline_val_accuracy"] - 0.01
    assert all(m[f"{v}_test_accuracy"] > 0.75 for v in VARIANTS)
    best = max(VARIANTS[1:], key=lambda v: m[f"{v}_val_accuracy"])
    assert m["best_gain_over_baseline"] == pytest.approx(m[f"{best}_test_accuracy"] - m["baseline_test_accuracy"])
    # batch norm: in training mode an image's output depends on the rest of its batch; in evaluation mode not
    assert m["bn_batch_dependence_train"] > 0.05 and m["bn_batch_dependence_eval"] == 0
    assert m["bn_train_vs_eval_max_abs_diff"] > 0.05
    assert m["bn_by_hand_max_abs_diff"] < 1e-5


def test_same_seed_same_metrics_other_seed_other_metrics(tmp_path):
    first, again, other = (dlpractice.run("regularization", quick=True, overrides=TINY, seed=s, out=tmp_path).metrics
                           for s in (0, 0, 1))
    assert first == again
    assert first != other


def test_a_training_repeats_exactly_with_its_seed(small, one_thread):
    config, parts = small
    one, two, other = (train_variant("all", config, parts, seed) for seed in (7, 7, 8))  # every source of randomness
    assert one.curves.val_loss == two.curves.val_loss and one.accuracy == two.accuracy
    assert one.curves.val_loss != other.curves.val_loss


def test_early_stopping_stops_and_keeps_its_best_weights(small, one_thread):
    config, parts = small
    plain, stopped = (train_variant(v, config, parts, 0) for v in ("baseline", "early_stopping"))
    assert plain.epochs == config.epochs
    assert stopped.epochs < config.epochs
    assert stopped.curves.best_epoch == stopped.epochs - 1 - config.patience  # `patience` epochs with no lower loss
    val_loss = evaluate(stopped.model, nn.CrossEntropyLoss(), *parts["val"])[0]
    assert val_loss == pytest.approx(min(stopped.curves.val_loss))  # the best epoch's weights, not the last ones
    assert plain.curves.val_loss[-1] > min(plain.curves.val_loss) * 1.1  # without it, the validation loss climbs


def test_weight_decay_shrinks_the_weights(small, one_thread):
    config, parts = small
    plain, decayed = (train_variant(v, config, parts, 0) for v in ("baseline", "weight_decay"))
    assert decayed.weight_norm < 0.8 * plain.weight_norm


def test_each_variant_switches_on_its_technique():
    assert techniques("baseline") == set()
    assert techniques("all") == set(TECHNIQUES)
    assert all(techniques(t) == {t} for t in TECHNIQUES)
    with pytest.raises(ValueError, match="variant must be one of"):
        techniques("mixup")


def test_wide_mlp_layers_and_size():
    plain = WideMLP(784, (256, 256), 10)
    assert sum(p.numel() for p in plain.parameters()) == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10
    both = WideMLP(784, (256, 256), 10, dropout=0.3, batch_norm=True)
    kinds = [type(m).__name__ for m in both]
    assert kinds == ["Flatten", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert both[1].bias is None and both[-1].bias is not None  # batch norm's beta replaces the bias before it
    assert WideMLP(64, (8,), 3)(torch.zeros(5, 1, 8, 8)).shape == (5, 3)
    with pytest.raises(ValueError, match="dropout must be in"):
        WideMLP(784, (256,), 10, dropout=1.0)


def test_augmented_images_are_drawn_anew_image_by_image():
    torch.manual_seed(0)
    images, labels = torch.rand(64, 1, 28, 28) + 0.1, torch.arange(64)  # no zeros: zeros flowed in
    crop = make_augmentation("shift", 28, 2)
    batch, got_labels = next(iter(DataLoader(AugmentedImages(images, labels, crop), batch_size=64)))
    assert batch.shape == images.shape and torch.equal(got_labels, labels)  # labels stay with their images
    dy, dx = shifts_of(batch, images, 2)
    assert (dy > -1000).all()  # every image is its own input shifted by at most 2 pixels
    assert len(set(zip(dy.tolist(), dx.tolist()))) > 10  # many different shifts in one batch
    # the pitfall the dataset avoids: a v2 transform called on a whole batch moves every image the same way
    whole = v2.RandomCrop(28, padding=2)(torch.ones(64, 1, 28, 28))
    assert all(torch.equal(whole[0], w) for w in whole)
    affine = make_augmentation("affine", 28, 2, 10.0)
    assert affine(images[0]).shape == (1, 28, 28)
    with pytest.raises(ValueError, match="augmentation must be one of"):
        make_augmentation("flip", 28, 2)


def test_registered_as_lab_04():
    lab = registry.find("4")
    assert (lab.id, lab.name) == ("04", "regularization")
    assert [(t.metric, t.threshold, t.direction) for t in lab.targets] == [("best_gain_over_baseline", 0.03, "max")]
    assert lab.cpu_budget_s == 90


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": 0}, "epochs must be > 0"),
    ({"lr": -0.01}, "lr must be > 0"),
    ({"repeats": 0}, "repeats must be > 0"),
    ({"dropout": 1.0}, "dropout must be in"),
    ({"hidden": "(0,)"}, "hidden must be one or more widths"),
    ({"train_size": 20}, "must be >= 50"),
    ({"train_size": 3500, "val_size": 1000}, "leave >= 1000"),
    ({"train_size": 101}, "train_size % batch_size must not be 1"),
    ({"patience": 0}, "patience must be > 0"),
    ({"augmentation": "flip"}, "not a valid 'shift' | 'affine'"),
    ({"threads": 0}, "threads must be between 1"),
])
def test_bad_config_values_are_user_errors(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("regularization", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "regularization").exists()  # refused before any run folder was made
