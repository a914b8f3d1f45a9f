"""What a cross-validated genome CNN leaves behind (lab 05): out-of-fold predictions and what each fold's model saw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class CrossValidation:
    """Out-of-fold predictions of the CNN, and what each genome's fold model saw in it."""

    predicted: np.ndarray  # (n,) the class each genome was predicted as by the model that did not train on it
    fold_of: np.ndarray  # (n,) the fold that tested each genome
    saliency: np.ndarray  # (n, L) gradient x input of the true class
    hotspots: list[list[tuple[int, float]]]  # per genome: (window start, evidence) of its most salient windows
