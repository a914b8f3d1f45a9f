"""explain.projection: the features before the last linear layer, laid out in 2-D (PCA, t-SNE)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlpractice.explain import last_linear, penultimate_features, project
from support.explain_models import images28, vgg


def test_penultimate_features_are_the_input_of_the_last_linear() -> None:
    """For SmallVGG the penultimate features are model.features(x).flatten(1), also when computed in batches."""
    model, x = vgg(width=8), images28(7)
    with torch.no_grad():
        expected = model.features(x).flatten(1)
    assert torch.allclose(penultimate_features(model, x), expected, atol=1e-6)
    assert torch.allclose(penultimate_features(model, x, batch_size=3), expected, atol=1e-6)
    assert not last_linear(model)._forward_pre_hooks


def test_project_pca_is_the_top_two_principal_components() -> None:
    """PCA coordinates are the data's scores on its two leading principal axes (from an SVD), up to sign."""
    rng = np.random.default_rng(0)
    data = rng.normal(size=(50, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1]) + 2.0
    centred = data - data.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    expected = u[:, :2] * s[:2]
    ours = project(torch.tensor(data, dtype=torch.float32), "pca")
    assert ours.shape == (50, 2)
    for column in range(2):
        sign = np.sign(ours[:, column] @ expected[:, column])
        assert np.allclose(sign * ours[:, column], expected[:, column], atol=1e-3)


def test_project_tsne_and_bad_method() -> None:
    """t-SNE gives finite (N, 2) coordinates, the same for the same seed; an unknown method is refused."""
    features = torch.randn(40, 8, generator=torch.Generator().manual_seed(0))
    layout = project(features, "tsne", seed=1)
    assert layout.shape == (40, 2) and np.isfinite(layout).all()
    assert np.allclose(layout, project(features, "tsne", seed=1))
    with pytest.raises(ValueError):
        project(features, "umap")
