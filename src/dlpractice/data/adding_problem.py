"""The adding problem (Hochreiter & Schmidhuber, 1997), in the form most papers since use (Le et al., 2015;
Arjovsky et al., 2016): a test of whether a recurrent network can carry a number across many steps.

Each sequence has `steps` steps of two channels: channel 0 holds numbers drawn uniformly in [0, 1], channel 1 is 0
everywhere except at two positions, one drawn in the first half and one in the second, where it is 1. The target is
the sum of the two marked numbers. Predicting the mean, 1, for every sequence gives an MSE of Var(u₁ + u₂) =
2 · 1/12 = 1/6 ≈ 0.167: the level a model that has not learned to remember stays at.
"""

from __future__ import annotations

import numpy as np

MEAN_BASELINE_MSE = 1 / 6  # the MSE of predicting the mean target, 1, whatever the sequence


def adding_problem(n: int, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` sequences of `steps` steps: x float32 (n, steps, 2), y float32 (n,). The first marked position is in
    [0, steps // 2), the second in [steps // 2, steps), so the two are never the same position and the first is
    always in the first half: a model must hold it for at least steps - steps // 2 steps. Repeats for a seed."""
    if steps < 2:
        raise ValueError(f"the adding problem needs at least 2 steps (one per half), got {steps}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, steps))
    first = rng.integers(0, steps // 2, size=n)
    second = rng.integers(steps // 2, steps, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, steps))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=2).astype(np.float32)  # (n, steps, 2)
    y = (values[rows, first] + values[rows, second]).astype(np.float32)
    return x, y
