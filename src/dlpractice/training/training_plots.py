"""Figures of lab 02: runs compared, learning rate beside loss, activations, gradient norms per layer, a resume.

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from dlpractice.training.activations import derivative
from dlpractice.training.loop import Curves


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
