"""What the classifier head sees: penultimate-layer features (the input of the last nn.Linear), projected to 2-D
with PCA (linear, keeps large distances) or t-SNE (non-linear, keeps neighbourhoods) (lab 06)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch import Tensor, nn

from dlpractice.models.evaluation import device_of, evaluating


def last_linear(model: nn.Module) -> nn.Linear:
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"{type(model).__name__} has no nn.Linear layer")
    return linears[-1]


@torch.no_grad()
def penultimate_features(model: nn.Module, images: Tensor, batch_size: int = 1000) -> Tensor:
    """The input of the model's last nn.Linear for each image, (N, features), captured with a forward pre-hook."""
    found: list[Tensor] = []
    handle = last_linear(model).register_forward_pre_hook(lambda module, inputs: found.append(inputs[0].flatten(1).cpu()))
    device = device_of(model)
    try:
        with evaluating(model):
            for start in range(0, len(images), batch_size):
                model(images[start:start + batch_size].to(device))
    finally:
        handle.remove()
    return torch.cat(found)


def project(features: Tensor | np.ndarray, method: Literal["pca", "tsne"] = "pca", seed: int = 0) -> np.ndarray:
    """(N, 2) coordinates. t-SNE starts from the PCA layout, so it is repeatable for a given seed."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    data = np.asarray(features, dtype=np.float32)
    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(data)
    if method == "tsne":
        perplexity = min(30.0, (len(data) - 1) / 3)  # t-SNE needs perplexity < number of points
        return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(data)
    raise ValueError(f"method must be 'pca' or 'tsne', got '{method}'")
