"""Figures the labs share: loss curves, a fitted curve, decision boundaries, bar charts.

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from dlpractice.training.loop import History

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
