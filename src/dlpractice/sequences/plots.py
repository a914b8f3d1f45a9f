"""Figures for lab 08: gradients through time, the adding problem, forecasts and roll-outs, names by language.

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlpractice.data.adding_problem import MEAN_BASELINE_MSE


def gradient_norms(norms: dict[str, np.ndarray]) -> Figure:
    """||∂loss/∂h_t|| against how many steps t lies before the output, one line per kind of cell (log scale)."""
    fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        back = np.arange(len(values))[::-1]  # the last step is 0 steps back
        ax.semilogy(back, np.maximum(values, 1e-30), label=name, lw=1.5)
    ax.set_xlabel("steps back from the output (k)")
    ax.set_ylabel("‖∂loss / ∂h$_{T-k}$‖")
    ax.set_title("How far back a gradient reaches")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return fig


def clipping(norms_before: Sequence[float], norms_after: Sequence[float], max_norm: float) -> Figure:
    """Gradient norms of an exploding RNN at each update, before and after clipping by global norm."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    ax.semilogy(norms_before, label="before clipping", lw=1.2)
    ax.semilogy(norms_after, label=f"after clipping to {max_norm:g}", lw=1.2)
    ax.set_xlabel("update")
    ax.set_ylabel("global gradient norm")
    ax.set_title("Clipping by global norm keeps every step bounded")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return fig


def adding_curves(curves: dict[str, Sequence[tuple[float, float]]], steps: int) -> Figure:
    """Test MSE against training progress for each model on the adding problem, with the predict-the-mean baseline."""
    fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    for name, points in curves.items():
        x, y = zip(*points) if points else ((), ())
        ax.semilogy(x, y, label=name, lw=1.5)
    ax.axhline(MEAN_BASELINE_MSE, color="gray", ls="--", lw=1, label="predicting the mean (1/6)")
    ax.set_xlabel("training progress")
    ax.set_ylabel("test MSE")
    ax.set_title(f"The adding problem, T = {steps}")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return fig


def forecasts(title: str, x: np.ndarray, series: np.ndarray, split: int, predictions: dict[str, np.ndarray],
              context: int = 120) -> Figure:
    """The end of the training part, the held-out part, and each model's forecast of it."""
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    start = max(0, split - context)
    ax.plot(x[start:], series[start:], color="black", lw=1.2, label="observed")
    ax.axvline(x[split], color="gray", ls=":", lw=1)
    for name, values in predictions.items():
        ax.plot(x[split:split + len(values)], values, lw=1.2, label=name)
    ax.set_title(title)
    ax.legend(fontsize="small", ncol=2)
    ax.grid(alpha=0.3)
    return fig


def confusion(matrix: np.ndarray, labels: Sequence[str], title: str) -> Figure:
    """Row-normalised confusion matrix: the share of each true language given to each prediction."""
    rows = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
    image = ax.imshow(rows, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize="small")
    ax.set_yticks(range(len(labels)), labels, fontsize="small")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of the true language")
    return fig
