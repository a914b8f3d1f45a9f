"""Figures of lab 04: accuracy and generalisation gap per variant with their spread, validation curves, image rows."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from torch import Tensor

from dlpractice.training.loop import Curves

PARTS = {"train_accuracy": "train", "val_accuracy": "validation", "test_accuracy": "test"}


def accuracy_and_gap(summary: dict[str, dict[str, tuple[float, float]]], repeats: int) -> Figure:
    """Left: train, validation and test accuracy per variant; right: the gap (train − validation).

    Bars are means over the seeds, error bars ± one standard deviation.
    """
    names = list(summary)
    x = np.arange(len(names))
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4.5), gridspec_kw={"width_ratios": [2, 1]})
    width = 0.27
    for i, (key, label) in enumerate(PARTS.items()):
        means = [summary[n][key][0] for n in names]
        stds = [summary[n][key][1] for n in names]
        left.bar(x + (i - 1) * width, means, width, yerr=stds, capsize=3, label=label)
    lowest = min(summary[n][k][0] for n in names for k in PARTS)
    left.set_ylim(max(0.0, lowest - 0.05), 1.005)
    left.set_xticks(x, names, rotation=20)
    left.set_ylabel("accuracy")
    left.set_title(f"Accuracy, mean ± std over {repeats} seeds")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
    left.grid(axis="y", alpha=0.3)
    gaps = [summary[n]["gap"][0] for n in names]
    bars = right.barh(x, gaps, xerr=[summary[n]["gap"][1] for n in names], capsize=3, color="#d62728")
    right.bar_label(bars, fmt="%.3f", padding=4)
    right.set_yticks(x, names)
    right.invert_yaxis()
    right.set_xlim(0, max(gaps) * 1.35 + 1e-3)
    right.set_xlabel("train − validation accuracy")
    right.set_title("Generalisation gap (smaller is better)")
    right.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def validation_curves(curves: dict[str, Curves]) -> Figure:
    """Validation loss and accuracy per epoch for each variant; a dot marks the best epoch of runs that stopped early."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(13, 4.2))
    for name, c in curves.items():
        epochs = np.arange(1, len(c.val_loss) + 1)
        (line,) = loss_ax.plot(epochs, c.val_loss, label=name)
        acc_ax.plot(epochs, c.val_accuracy, color=line.get_color(), label=name)
        if len(c.val_loss) < max(len(o.val_loss) for o in curves.values()):  # stopped early: show where it kept its weights
            loss_ax.plot(c.best_epoch + 1, c.val_loss[c.best_epoch], "o", color=line.get_color())
    loss_ax.set_yscale("log")
    loss_ax.set_ylabel("validation loss (cross-entropy, log scale)")
    acc_ax.set_ylabel("validation accuracy")
    for ax in (loss_ax, acc_ax):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    loss_ax.legend(fontsize="small")
    fig.suptitle("Validation curves (first seed): the unregularised loss turns up while its accuracy stalls")
    fig.tight_layout()
    return fig


def image_rows(rows: dict[str, Tensor], title: str) -> Figure:
    """One row of grey images (N, 1, H, W) per entry, the entry's name on the left."""
    cols = max(len(images) for images in rows.values())
    fig, axes = plt.subplots(len(rows), cols, figsize=(1.1 * cols, 1.2 * len(rows)), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c, ax in enumerate(axes[r]):
            if c < len(images):
                ax.imshow(images[c, 0].numpy(), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
