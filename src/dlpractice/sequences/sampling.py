"""Sampling the next token with a temperature: divide the logits by T, then draw from the softmax.

T = 1 draws from the model's own distribution; T < 1 sharpens it towards the most likely token, and T = 0 is
the limit, the argmax (greedy decoding, the same output every time); T > 1 flattens it towards uniform, so the
output gets more varied and more often wrong. tests/sequences/test_sampling.py checks all three.
"""

from __future__ import annotations

import torch
from torch import Tensor


def sample_with_temperature(logits: Tensor, temperature: float, generator: torch.Generator | None = None) -> Tensor:
    """logits (..., V) → int64 ids (...), one draw per row. `generator`: the random source (torch's global one
    when None), on the logits' device.

    The division is done in float64: logits of 10 at T = 1e-6 are 1e7, which float64 still subtracts and
    exponentiates exactly enough; only T below about 1e-300 would overflow.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return logits.argmax(dim=-1)
    probabilities = torch.softmax(logits.double() / temperature, dim=-1)
    rows = probabilities.reshape(-1, logits.shape[-1])
    return torch.multinomial(rows, 1, generator=generator).reshape(logits.shape[:-1])
