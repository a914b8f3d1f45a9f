"""The model-randomisation sanity check (Adebayo et al., 2018): an explanation that hardly changes when the
network's weights are replaced by random ones explains the image, not the network (lab 06)."""

from __future__ import annotations

import copy
import warnings

import torch
from scipy.stats import ConstantInputWarning, spearmanr
from torch import Tensor, nn


def randomized_copy(model: nn.Module, seed: int = 0) -> nn.Module:
    """A copy of the model with every layer re-initialised (batch norm's running statistics reset too), on the
    model's device; the original is left untouched. An untrained model built right after `torch.manual_seed(seed)`
    would come back identical: pick a seed other than the one the model was built with."""
    device = next(model.parameters(), torch.empty(0)).device
    clone = copy.deepcopy(model).cpu()  # initialised on the CPU: the same copy for a seed on any device
    with torch.random.fork_rng(devices=[]):  # re-initialising does not move the caller's random numbers
        torch.manual_seed(seed)
        for module in clone.modules():
            if hasattr(module, "reset_parameters"):  # the model itself too: a bare nn.Linear probe is a model
                module.reset_parameters()
    return clone.to(device)


def rank_correlation(a: Tensor, b: Tensor, mask: Tensor | None = None) -> Tensor:
    """Spearman rank correlation between two maps of each image (of |values|, summed over channels): (N,).

    `mask` (N, H, W), if given, keeps only those pixels: e.g. the digit's strokes, where methods that multiply by
    (input − black baseline) are not zero for every network alike. A constant map (e.g. a Grad-CAM that the ReLU
    has zeroed) has no ranks: NaN."""
    flat_a = a.abs().sum(dim=1).flatten(1).numpy()
    flat_b = b.abs().sum(dim=1).flatten(1).numpy()
    keep = [None] * len(flat_a) if mask is None else mask.flatten(1).bool().numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantInputWarning)  # the NaN says it
        return torch.tensor([float(spearmanr(x if k is None else x[k], y if k is None else y[k]).statistic)
                             for x, y, k in zip(flat_a, flat_b, keep)])
