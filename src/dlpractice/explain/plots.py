"""Figures for explanations: methods side by side, activation maximisation, projections, the sanity checks (lab 06).

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`. Images come
un-normalised ([0, 1] pixels); attribution maps of any scale are shown relative to each image's largest value.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from torch import Tensor

SIGNED = ("integrated gradients", "occlusion")  # methods whose sign means something: for (red) or against (blue)


def as_picture(image: Tensor) -> np.ndarray:
    """(C, H, W) in [0, 1] → what imshow takes: (H, W) for one channel, (H, W, 3) for colour."""
    image = image.detach().float().clamp(0, 1)
    return image[0].numpy() if image.shape[0] == 1 else image.permute(1, 2, 0).numpy()


def relative(attribution: Tensor, signed: bool) -> np.ndarray:
    """One map (C, H, W) summed over channels and divided by its largest |value|: in [-1, 1] (signed) or [0, 1]."""
    heat = attribution.detach().float().sum(dim=0)
    heat = heat if signed else heat.abs()
    return (heat / (heat.abs().max() + 1e-12)).numpy()


def overlay(ax, image: Tensor, attribution: Tensor, signed: bool, title: str = ""):
    """The image in grey with the attribution on top; returns the heat map's artist (for a colour bar)."""
    ax.imshow(as_picture(image).mean(axis=-1) if image.shape[0] == 3 else as_picture(image), cmap="gray")
    artist = ax.imshow(relative(attribution, signed), cmap="RdBu_r" if signed else "inferno",
                       vmin=-1 if signed else 0, vmax=1, alpha=0.7)
    ax.set_title(title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
    return artist


def methods_grid(images: Tensor, maps: dict[str, Tensor], labels: Sequence[str]) -> Figure:
    """One row per image: the image, then each method's map over it; a colour bar under each column."""
    cols = 1 + len(maps)
    fig, axes = plt.subplots(len(images), cols, figsize=(1.7 * cols, 1.7 * len(images) + 0.6), squeeze=False,
                             layout="constrained")
    for row, image in enumerate(images):
        axes[row, 0].imshow(as_picture(image), cmap="gray")
        axes[row, 0].set_title(f"class {labels[row]}", fontsize="small")
        axes[row, 0].set_axis_off()
        for col, (name, attribution) in enumerate(maps.items(), start=1):
            artist = overlay(axes[row, col], image, attribution[row], name in SIGNED, name if row == 0 else "")
            if row == len(images) - 1:
                bar = fig.colorbar(artist, ax=axes[:, col], orientation="horizontal", fraction=0.03, pad=0.02)
                bar.set_label("against ← → for" if name in SIGNED else "relative importance", fontsize="x-small")
                bar.ax.tick_params(labelsize="x-small")
    fig.suptitle("What each method says the CNN looked at (each map scaled to its own maximum)")
    return fig


def activation_maximization(images: Tensor, classes: Sequence[str], probabilities: Tensor) -> Figure:
    """One optimised input per class, titled with the probability the CNN gives that class."""
    cols = min(len(images), 5)
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.0 * cols, 2.2 * rows), squeeze=False, layout="constrained")
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, name, p in zip(axes.ravel(), images, classes, probabilities):
        ax.imshow(as_picture(image), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"class {name}: p = {float(p):.2f}", fontsize="small")
    fig.suptitle("Activation maximisation: inputs optimised to excite each class\n"
                 "(penalties on size and roughness, random shifts; p: the CNN's probability for that class)")
    return fig


def projections(layouts: dict[str, np.ndarray], labels: Tensor, classes: Sequence[str]) -> Figure:
    """Penultimate-layer features in 2-D, one panel per projection, one colour per class (labelled at its centre)."""
    fig, axes = plt.subplots(1, len(layouts), figsize=(5.5 * len(layouts), 5), squeeze=False)
    colours = plt.get_cmap("tab10")
    y = labels.numpy()
    for ax, (method, points) in zip(axes[0], layouts.items()):
        for c, name in enumerate(classes):
            mine = points[y == c]
            if len(mine):
                ax.scatter(mine[:, 0], mine[:, 1], s=8, color=colours(c % 10), label=name, alpha=0.7)
                ax.annotate(name, mine.mean(axis=0), fontsize="large", weight="bold", ha="center", va="center",
                            bbox=dict(boxstyle="round", fc="white", alpha=0.7))
        ax.set_title({"pca": "PCA (linear)", "tsne": "t-SNE (keeps neighbours)"}.get(method, method))
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, -1].legend(title="class", loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize="small")
    fig.suptitle(f"Penultimate-layer features of {len(y)} test images, projected to 2-D")
    fig.tight_layout()
    return fig


def deletion_curves(fractions: Tensor, curves: dict[str, Tensor], aucs: dict[str, float]) -> Figure:
    """Mean class probability as pixels are removed, most important first; area under each curve in the legend."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, curve in curves.items():
        style = dict(color="black", linestyle="--") if name == "random order" else {}
        ax.plot(fractions.numpy(), curve.numpy(), marker=".", label=f"{name} (AUC {aucs[name]:.3f})", **style)
    ax.set_xlabel("fraction of pixels removed (set to black), most important first")
    ax.set_ylabel("probability of the true class (mean)")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title("Deletion curves: a faithful explanation makes the score fall fast (small AUC)")
    fig.tight_layout()
    return fig


def randomization(images: Tensor, trained: dict[str, Tensor], randomized: dict[str, Tensor],
                  correlations: dict[str, float]) -> Figure:
    """For each image, each method's map for the trained network (upper row) and for a randomised one (lower row)."""
    names = list(trained)
    fig, axes = plt.subplots(2 * len(images), len(names), figsize=(1.9 * len(names), 2.0 * 2 * len(images)), squeeze=False)
    for i, image in enumerate(images):
        for col, name in enumerate(names):
            top = f"{name}\nρ = {correlations[name]:.2f}\ntrained" if i == 0 else "trained"
            overlay(axes[2 * i, col], image, trained[name][i], name in SIGNED, top)
            overlay(axes[2 * i + 1, col], image, randomized[name][i], name in SIGNED, "random weights")
    fig.suptitle("Model randomisation: an explanation should change when the weights do "
                 "(ρ: rank correlation trained vs random)")
    fig.tight_layout()
    return fig
