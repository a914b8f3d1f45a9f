"""Figures for convolutional networks: kernels on an image, learned filters, feature maps, mistakes (labs 03, 06).

Each function returns a matplotlib Figure; a lab saves it with `ctx.save_figure(fig, name)`.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from dlpractice.explain.feature_maps import feature_maps as explain_feature_maps
from dlpractice.explain.filters import first_layer_filters
from dlpractice.vision.conv_by_hand import EDGE_KERNELS, apply_kernel, edge_magnitude


def show_image(ax, image: Tensor, title: str = "", cmap: str = "gray", symmetric: bool = False) -> None:
    """One image (C, H, W) or (H, W): grey for one channel, colour for three (rescaled to [0, 1])."""
    image = image.detach().float().cpu()
    if image.ndim == 3 and image.shape[0] == 3:
        rgb = image.permute(1, 2, 0)
        ax.imshow(((rgb - rgb.min()) / (rgb.max() - rgb.min() + 1e-8)).numpy())
    else:
        image = image.reshape(image.shape[-2:])
        limit = float(image.abs().max()) or 1.0
        ax.imshow(image.numpy(), cmap="RdBu_r" if symmetric else cmap,
                  vmin=-limit if symmetric else None, vmax=limit if symmetric else None)
    ax.set_title(title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])


def kernels_on_image(image: Tensor) -> Figure:
    """A grey image (H, W), each kernel of EDGE_KERNELS applied to it, and the Sobel gradient magnitude."""
    fig, axes = plt.subplots(1, len(EDGE_KERNELS) + 2, figsize=(2.3 * (len(EDGE_KERNELS) + 2), 2.6))
    show_image(axes[0], image, "image")
    for ax, (name, kernel) in zip(axes[1:], EDGE_KERNELS.items()):
        show_image(ax, apply_kernel(image, kernel), name, symmetric=name != "box blur")
    show_image(axes[-1], edge_magnitude(image), "Sobel magnitude", cmap="magma")
    fig.suptitle("Hand-made kernels (red: positive response, blue: negative)")
    fig.tight_layout()
    return fig


def filters(model: nn.Module, limit: int = 32) -> Figure:
    """The kernels of the model's first convolution, one panel per output channel (colour for 3 input channels)."""
    weight = first_layer_filters(model)[:limit]
    cols = min(len(weight), 8)
    rows = -(-len(weight) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.4 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for i, (ax, kernel) in enumerate(zip(axes.ravel(), weight)):
        show_image(ax, kernel if kernel.shape[0] == 3 else kernel[0], f"{i}", symmetric=kernel.shape[0] != 3)
    fig.suptitle(f"Learned first-layer filters ({weight.shape[-2]}×{weight.shape[-1]}, red > 0 > blue)")
    fig.tight_layout()
    return fig


def conv_outputs(model: nn.Module, images: Tensor, layers: int = 2) -> list[Tensor]:
    """The outputs of the model's first `layers` Conv2d modules on `images`, in evaluation mode."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)][:layers]
    return [explain_feature_maps(model, images, conv) for conv in convs]


def feature_maps(model: nn.Module, images: Tensor, labels: Sequence[str], maps: int = 6) -> Figure:
    """For each image (a row): the image, then `maps` maps of the first conv layer, then `maps` of the second."""
    first, second = conv_outputs(model, images)
    maps = min(maps, first.shape[1], second.shape[1])
    fig, axes = plt.subplots(len(images), 1 + 2 * maps, figsize=(1.25 * (1 + 2 * maps), 1.45 * len(images)), squeeze=False)
    for row, (image, label) in enumerate(zip(images, labels)):
        show_image(axes[row, 0], image, label)
        for j in range(maps):
            show_image(axes[row, 1 + j], first[row, j], f"conv1 #{j}" if row == 0 else "", cmap="viridis")
            show_image(axes[row, 1 + maps + j], second[row, j], f"conv2 #{j}" if row == 0 else "", cmap="viridis")
    (c1, h1, w1), (c2, h2, w2) = first.shape[1:], second.shape[1:]
    fig.suptitle(f"Feature maps: the first {maps} of conv layer 1 ({c1} maps of {h1}×{w1}) and of conv layer 2 "
                 f"({c2} maps of {h2}×{w2})")
    fig.tight_layout()
    return fig


def mistakes(images: Tensor, labels: Tensor, predicted: Tensor, classes: Sequence[str], limit: int = 16) -> Figure:
    """Up to `limit` test images the model got wrong, titled 'true → predicted'."""
    wrong = torch.nonzero(predicted != labels).flatten()[:limit]
    cols = 8
    rows = max(1, -(-len(wrong) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.5 * cols, 1.7 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, i in zip(axes.ravel(), wrong.tolist()):
        show_image(ax, images[i], f"{classes[labels[i]]} → {classes[predicted[i]]}")
    fig.suptitle(f"Test images the CNN got wrong ({int((predicted != labels).sum())} in all; true → predicted)")
    fig.tight_layout()
    return fig


def accuracy_bars(scores: dict[str, dict[str, float]], title: str) -> Figure:
    """Grouped bars: for each model, its accuracy on each test set (e.g. original and shifted images)."""
    models = list(scores)
    sets = list(next(iter(scores.values())))
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(sets)
    for k, name in enumerate(sets):
        bars = ax.bar(np.arange(len(models)) + k * width, [scores[m][name] for m in models], width, label=name)
        ax.bar_label(bars, fmt="%.3f", fontsize="small")
    ax.set_xticks(np.arange(len(models)) + width * (len(sets) - 1) / 2, models)
    ax.set_ylim(0, 1.18)
    ax.set_ylabel("test accuracy")
    ax.set_title(title)
    ax.legend(loc="upper center", ncol=len(sets))
    ax.grid(axis="y", alpha=0.3)
    return fig
