"""Figures of lab 05: confusion matrices of a cross-validation, and saliency along the genome for each class."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay


def confusion_matrices(per_fold: list[np.ndarray], pooled: np.ndarray, class_names: list[str], title: str) -> Figure:
    """One small matrix per fold, then the pooled one (the sum over folds: every genome tested once)."""
    panels = len(per_fold) + 1
    cols = min(panels, 4)
    rows = -(-panels // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.4 * rows), squeeze=False)
    for ax in axes.ravel()[panels:]:
        ax.set_visible(False)
    matrices = [*per_fold, pooled]
    for k, (ax, matrix) in enumerate(zip(axes.ravel(), matrices)):
        pooled_panel = k == len(per_fold)
        labels = class_names if pooled_panel else [str(i) for i in range(len(class_names))]
        ConfusionMatrixDisplay(matrix, display_labels=labels).plot(ax=ax, colorbar=False, cmap="Greens" if pooled_panel else "Blues")
        accuracy = np.trace(matrix) / max(matrix.sum(), 1)
        ax.set_title(f"{'pooled' if pooled_panel else f'fold {k + 1}'}: accuracy {accuracy:.3f}", fontsize="medium")
        ax.tick_params(axis="x", labelrotation=45 if pooled_panel else 0)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def saliency_along_genome(profiles: np.ndarray, class_names: list[str], planted: list[list[int]],
                          primers: list[list[int]], width: int) -> Figure:
    """One panel per class: the mean |gradient x input| over its genomes at each position, planted signatures
    shaded (when known), and the starts of the class's top primer candidates marked with triangles."""
    fig, axes = plt.subplots(len(class_names), 1, figsize=(12, 1.9 * len(class_names)), sharex=True, squeeze=False)
    for ax, name, profile, spans, starts in zip(axes[:, 0], class_names, profiles, planted, primers):
        ax.plot(profile, lw=0.7, color="#1f77b4")
        for k, start in enumerate(spans):
            ax.axvspan(start, start + width, color="#d62728", alpha=0.3, lw=0, label="planted signature" if k == 0 else None)
        top = profile.max() if profile.size and profile.max() > 0 else 1.0
        ax.plot(starts, [1.05 * top] * len(starts), "v", color="#2ca02c", ms=7, label="top primer candidates")
        ax.set_ylim(0, 1.15 * top)
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        ax.set_yticks([])
    axes[0, 0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize="small", ncol=2, frameon=False)
    axes[-1, 0].set_xlabel("position in the genome (bases)")
    axes[0, 0].set_title("mean |gradient x input| of the true class over each class's genomes", loc="left", fontsize="medium")
    fig.tight_layout()
    return fig
