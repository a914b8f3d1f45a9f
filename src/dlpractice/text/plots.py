"""Figures for lab 07: training loss, word maps, model vs human similarity, the sentiment probe.

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from dlpractice.text.linear_probe import ProbeScore
from dlpractice.text.word_similarity import PairScores


def loss_curves(curves: dict[str, list[float]], steps_per_epoch: dict[str, float]) -> Figure:
    """Mean loss per example at each SGD step, against epochs, one line per run (a running mean over 20 steps)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
    for name, losses in curves.items():
        values = np.asarray(losses, dtype=float)
        width = min(20, max(1, len(values) // 5))
        smooth = np.convolve(values, np.ones(width) / width, mode="valid")
        ax.plot((np.arange(len(smooth)) + width) / steps_per_epoch[name], smooth, label=name, lw=1.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("negative-sampling loss per example")
    ax.set_title("Our word2vec's training loss (gensim reports none per step)")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def similarity_scatter(scores: dict[str, dict[str, PairScores]]) -> Figure:
    """One panel per word-similarity set: each pair's human score against its cosine, one colour per model."""
    sets = list(next(iter(scores.values())))
    fig, axes = plt.subplots(1, len(sets), figsize=(5.2 * len(sets), 4.2), layout="constrained", squeeze=False)
    for ax, name in zip(axes[0], sets):
        for (model, per_set), marker in zip(scores.items(), "ox^s"):
            s = per_set[name]
            ax.scatter(s.human, s.model, s=14, alpha=0.6, marker=marker,
                       label=f"{model}: Spearman {s.spearman:.2f}")
        pairs = next(iter(scores.values()))[name]
        ax.set_title(f"{name}: {pairs.pairs} pairs scored, {pairs.oov} out of vocabulary", fontsize="medium")
        ax.set_xlabel("human similarity score")
        ax.set_ylabel("cosine of the two word vectors")
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    return fig


def word_map(points: dict[str, np.ndarray], words: Sequence[str], highlight: Sequence[str] = ()) -> Figure:
    """The same words placed by each 2-D projection (PCA, t-SNE), each point labelled with its word."""
    fig, axes = plt.subplots(1, len(points), figsize=(7 * len(points), 6.5), layout="constrained", squeeze=False)
    for ax, (name, xy) in zip(axes[0], points.items()):
        ax.scatter(xy[:, 0], xy[:, 1], s=6, c="lightgray")
        for (x, y), word in zip(xy, words):
            strong = word in highlight
            ax.annotate(word, (x, y), fontsize=8 if strong else 6, color="crimson" if strong else "black",
                        weight="bold" if strong else "normal")
        ax.set_title(f"{name} of the {len(words)} most frequent words' vectors")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def probe_bars(scores: Sequence[ProbeScore], title: str) -> Figure:
    """Accuracy (mean ± std over the folds) of a logistic regression on each kind of features."""
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.7 * len(scores)), layout="constrained")
    y = np.arange(len(scores))
    ax.barh(y, [s.accuracy for s in scores], xerr=[s.accuracy_std for s in scores], color="steelblue", capsize=3)
    ax.set_yticks(y, [f"{s.features}\n({s.dimensions:,} features)" for s in scores], fontsize="small")
    for i, s in enumerate(scores):
        ax.text(0.01, i, f"{s.accuracy:.3f}", va="center", color="white", fontsize="small", weight="bold")
    ax.axvline(0.5, color="gray", ls="--", lw=1, label="chance")
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy (mean ± std over the folds)")
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="small", loc="lower right")
    return fig
