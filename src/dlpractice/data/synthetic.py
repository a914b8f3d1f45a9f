"""Small synthetic datasets generated from a seed: nothing to download, the same data on every machine."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs, make_moons


def noisy_sinusoid(n: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x uniform on [-2π, 2π], y = sin(x) + Gaussian noise; both float32 of shape (n, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2 * np.pi, 2 * np.pi, size=(n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return x.astype(np.float32), y.astype(np.float32)


def two_moons(n: int = 1000, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X float32 (n, 2), y int64 in {0, 1}."""
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)


def spirals(n: int = 1500, arms: int = 3, noise: float = 0.2, turns: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`arms` interleaved spirals, one class per arm: X float32 (n, 2), y int64 in [0, arms)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % arms
    radius = rng.uniform(0.05, 1.0, size=n)
    angle = 2 * np.pi * (turns * radius + y / arms) + noise * rng.standard_normal(n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x.astype(np.float32), y.astype(np.int64)


def blobs(n: int = 1000, centers: int = 4, std: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one class each: X float32 (n, 2), y int64 in [0, centers)."""
    x, y = make_blobs(n_samples=n, centers=centers, cluster_std=std, random_state=seed)
    return x.astype(np.float32), y.astype(np.int64)
