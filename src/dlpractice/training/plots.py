"""Figures of the training labs: loss curves, fits and decision boundaries (lab 01); runs compared, learning rate
beside loss, activations, gradient norms per layer, a resume (lab 02); accuracy and generalisation gap, validation
curves, rows of images (lab 04).

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from torch import Tensor

from dlpractice.training.activations import derivative
from dlpractice.training.loop import Curves, History

CLASS_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def loss_curves(histories: dict[str, History], ylabels: dict[str, str] | None = None) -> Figure:
    """One panel per problem (two per row): training and validation loss per epoch (log scale), best epoch dotted."""
    cols = min(len(histories), 2)
    rows = -(-len(histories) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.5 * cols, 3.8 * rows), squeeze=False)
    for ax in axes.ravel()[len(histories):]:
        ax.set_visible(False)
    for ax, (name, history) in zip(axes.ravel(), histories.items()):
        epochs = np.arange(1, len(history.train_loss) + 1)
        ax.plot(epochs, history.train_loss, label="train")
        ax.plot(epochs, history.val_loss, label="validation")
        if history.best_epoch >= 0:
            ax.axvline(history.best_epoch + 1, color="grey", ls=":", label=f"best validation (epoch {history.best_epoch + 1})")
        ax.set_yscale("log")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel((ylabels or {}).get(name, "loss"))
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Training and validation loss")
    fig.tight_layout()
    return fig


def fitted_curve(x: np.ndarray, y: np.ndarray, x_line: np.ndarray, y_pred: np.ndarray, y_true: np.ndarray, title: str) -> Figure:
    """Noisy data as dots, the true function dashed, the model's prediction as a line."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.scatter(x.ravel(), y.ravel(), s=8, alpha=0.35, color="grey", label="noisy training data")
    ax.plot(x_line.ravel(), y_true.ravel(), "k--", lw=1.5, label="true function")
    ax.plot(x_line.ravel(), y_pred.ravel(), color="#d62728", lw=2, label="model")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3)
    ax.grid(alpha=0.3)
    return fig


def decision_boundary(
    predict_proba: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    title: str,
    resolution: int = 200,
) -> Figure:
    """Regions coloured by the predicted class (paler where the model is less sure), boundaries in black, points on top.

    `predict_proba` maps points of shape (m, 2) to class probabilities of shape (m, k).
    """
    pad = 0.1 * (x.max(axis=0) - x.min(axis=0))
    lo, hi = x.min(axis=0) - pad, x.max(axis=0) + pad
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    proba = predict_proba(np.stack([g0.ravel(), g1.ravel()], axis=1).astype(np.float32))
    k = proba.shape[1]
    colors = CLASS_COLORS[:k]
    predicted = proba.argmax(axis=1).reshape(g0.shape)
    sure = (proba.max(axis=1).reshape(g0.shape) - 1 / k) / (1 - 1 / k)  # 0 at a coin toss, 1 when certain
    strength = (0.15 + 0.3 * sure)[..., None]
    rgb = np.array([to_rgb(c) for c in colors])[predicted]
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(1 - strength * (1 - rgb), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), aspect="auto", interpolation="bilinear")
    for c in range(k):  # the edge of each class's region
        ax.contour(g0, g1, (predicted == c).astype(float), levels=[0.5], colors="k", linewidths=0.8)
    for c in range(k):
        ax.scatter(*x[y == c].T, s=10, color=colors[c], edgecolors="k", linewidths=0.2, label=f"class {c}")
    ax.set_title(title)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def bar_chart(values: dict[str, float], title: str, ylabel: str, ylim: Sequence[float] | None = None) -> Figure:
    """One labelled bar per entry, its value written on top."""
    fig, ax = plt.subplots(figsize=(6, 4))
    bars = ax.bar(list(values), list(values.values()), color=CLASS_COLORS[: len(values)])
    ax.bar_label(bars, fmt="%.3f")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    return fig


# --------------------------------------------------------------------------- lab 02

STYLES = ["-", "--", "-.", ":"]  # runs that coincide (Adam and AdamW, say) stay visible


def compare_runs(curves: dict[str, Curves], title: str) -> Figure:
    """Training loss (left) and validation loss (right) per epoch, one line per run, log scale."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
    for i, (name, run) in enumerate(curves.items()):
        epochs = np.arange(1, len(run.train_loss) + 1)
        axes[0].plot(epochs, run.train_loss, STYLES[i % 4], label=name)
        axes[1].plot(epochs, run.val_loss, STYLES[i % 4], label=name)
    for ax, part in zip(axes, ("training", "validation")):
        ax.set(yscale="log", title=f"{part} loss", xlabel="epoch")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("cross-entropy")
    axes[1].legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def lr_and_loss(curves: dict[str, Curves], title: str) -> Figure:
    """The learning rate of every step beside the training and validation loss per epoch, one line per schedule."""
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.2))
    for i, (name, run) in enumerate(curves.items()):
        epochs = np.arange(1, len(run.val_loss) + 1)
        axes[0].plot(np.arange(len(run.lr)), run.lr, STYLES[i % 4], label=name)
        axes[1].plot(epochs, run.train_loss, STYLES[i % 4], label=name)
        axes[2].plot(epochs, run.val_loss, STYLES[i % 4], label=name)
    axes[0].set(title="learning rate at each step", xlabel="optimiser step", ylabel="learning rate")
    axes[1].set(title="training loss", xlabel="epoch", ylabel="cross-entropy", yscale="log")
    axes[2].set(title="validation loss", xlabel="epoch", yscale="log")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def activation_curves(activations: dict[str, Callable[[torch.Tensor], torch.Tensor]]) -> Figure:
    """One panel per activation: f(x) and its derivative f'(x), computed by autograd, on [-4, 4]."""
    x = torch.linspace(-4, 4, 401)
    cols = 3
    rows = -(-len(activations) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), sharex=True, squeeze=False)
    for ax in axes.ravel()[len(activations):]:
        ax.set_visible(False)
    for ax, (name, fn) in zip(axes.ravel(), activations.items()):
        with torch.no_grad():
            ax.plot(x, fn(x), label="f(x)")
        ax.plot(x, derivative(fn, x), "--", label="f'(x)")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle("Activation functions and their derivatives (by autograd)")
    fig.tight_layout()
    return fig


def gradient_norms_per_layer(norms: dict[str, list[float]], title: str) -> Figure:
    """The weight-gradient norm of each layer (1 = next to the input), one line per network, log scale."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, values in norms.items():
        ratio = values[0] / values[-1]
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=4, label=f"{name} (first/last = {ratio:.1e})")
    ax.set(yscale="log", xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖ of the layer", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def resume_curves(losses: dict[str, list[float]], epochs_done: int, title: str) -> Figure:
    """Loss per epoch of several runs (left) and each one's distance from the first (right); dotted: where they stopped."""
    names = list(losses)
    reference = np.asarray(losses[names[0]])
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    styles = ["-", "--", ":", "-."]
    for i, name in enumerate(names):
        values = np.asarray(losses[name])
        epochs = np.arange(1, len(values) + 1)
        axes[0].plot(epochs, values, styles[i % 4], marker="o" if i == 1 else None, ms=3, label=name)
        axes[1].plot(epochs, np.abs(values - reference), styles[i % 4], marker="o" if i == 1 else None, ms=3, label=name)
    axes[0].set(title="training loss per epoch", xlabel="epoch", ylabel="cross-entropy", yscale="log")
    axes[1].set(title=f"|difference from '{names[0]}'|", xlabel="epoch")
    for ax in axes:
        ax.axvline(epochs_done + 0.5, color="grey", ls=":", label="stopped and resumed here")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize="small")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- lab 04

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
