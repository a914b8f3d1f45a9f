"""What `nn.Embedding` and `nn.EmbeddingBag` compute, written the long way (checked against them in the tests).

An embedding is a weight matrix W (V, D) whose row i is the vector of token i. Looking rows up is the same as
multiplying one-hot rows by W, only without building the (N, V) one-hot matrix: for V = 50,000 words that
matrix would be 50,000 times larger than the result.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def one_hot_lookup(weight: Tensor, ids: Tensor) -> Tensor:
    """weight (V, D), ids (...) int64 -> (..., D): one_hot(ids) @ weight, which equals weight[ids]."""
    return F.one_hot(ids, num_classes=weight.shape[0]).to(weight.dtype) @ weight


def bag_of_embeddings(weight: Tensor, ids: Tensor, offsets: Tensor, mode: str = "mean") -> Tensor:
    """What nn.EmbeddingBag computes, one bag at a time: ids (N,) holds every bag's ids back to back, bag b starts
    at offsets[b]; each bag becomes the sum or mean of its rows. (B, D); an empty bag gives zeros."""
    ends = torch.cat([offsets[1:], torch.tensor([len(ids)])])
    bags = []
    for start, end in zip(offsets.tolist(), ends.tolist()):
        rows = weight[ids[start:end]]
        if len(rows) == 0:
            bags.append(weight.new_zeros(weight.shape[1]))
        else:
            bags.append(rows.sum(dim=0) if mode == "sum" else rows.mean(dim=0))
    return torch.stack(bags)
