"""The small tables bundled inside scikit-learn (no download): features, target and what the task is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
from sklearn import datasets

from dlpractice.course.errors import UserError

Task = Literal["classification", "regression"]

# Only loaders whose data ships inside the scikit-learn wheel: `fetch_*` ones would need the network.
_LOADERS: dict[str, tuple[Callable, Task]] = {
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}
TABLES: tuple[str, ...] = tuple(_LOADERS)


@dataclass
class Table:
    """X is float32 (n, features); y is int64 class ids for classification, float32 for regression."""

    name: str
    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    target_names: list[str]  # class names; empty for regression
    task: Task


def load_table(name: str) -> Table:
    """One of TABLES by name (iris, wine, breast_cancer, digits, diabetes), in scikit-learn's row order."""
    if name not in _LOADERS:
        raise UserError(f"unknown table '{name}'; valid names: {', '.join(TABLES)}")
    loader, task = _LOADERS[name]
    bunch = loader()
    y = bunch.target.astype(np.int64 if task == "classification" else np.float32)
    target_names = [str(t) for t in bunch.get("target_names", [])] if task == "classification" else []
    return Table(
        name=name,
        X=bunch.data.astype(np.float32),
        y=y,
        feature_names=[str(f) for f in bunch.feature_names],
        target_names=target_names,
        task=task,
    )
