"""text.embedding_lookup: one_hot_lookup is nn.Embedding (values and gradients, for ids of any shape) and
bag_of_embeddings is nn.EmbeddingBag (mean and sum, offsets, empty bags)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlpractice.text import bag_of_embeddings, one_hot_lookup

V, D = 11, 4


@pytest.mark.parametrize("shape", [(), (7,), (3, 5)])
def test_one_hot_lookup_equals_nn_embedding(shape: tuple[int, ...]) -> None:
    """Same output as nn.Embedding and weight[ids], and the same gradient for the weight (repeated ids included)."""
    generator = torch.Generator().manual_seed(0)
    embedding = nn.Embedding(V, D)
    weight = embedding.weight.detach().clone().requires_grad_()
    ids = torch.randint(0, V, shape, generator=generator)
    ours, theirs = one_hot_lookup(weight, ids), embedding(ids)
    assert ours.shape == (*shape, D)
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.allclose(ours, weight[ids], atol=1e-6)
    upstream = torch.randn((*shape, D), generator=generator)
    (ours * upstream).sum().backward()
    (theirs * upstream).sum().backward()
    assert torch.allclose(weight.grad, embedding.weight.grad, atol=1e-6)
    assert weight.grad.abs().sum() > 0


@pytest.mark.parametrize("mode", ["mean", "sum"])
def test_bag_of_embeddings_equals_nn_embedding_bag(mode: str) -> None:
    """Bags of 3, 0, 1, 4 and 0 ids (an empty bag inside and at the end give zeros); gradients match too."""
    generator = torch.Generator().manual_seed(1)
    bag = nn.EmbeddingBag(V, D, mode=mode)
    weight = bag.weight.detach().clone().requires_grad_()
    ids = torch.randint(0, V, (8,), generator=generator)
    offsets = torch.tensor([0, 3, 3, 4, 8])
    ours, theirs = bag_of_embeddings(weight, ids, offsets, mode), bag(ids, offsets)
    assert ours.shape == (5, D)
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.equal(ours[1], torch.zeros(D)) and torch.equal(ours[4], torch.zeros(D))
    expected_first = weight[ids[:3]].mean(0) if mode == "mean" else weight[ids[:3]].sum(0)
    assert torch.allclose(ours[0], expected_first, atol=1e-6)
    upstream = torch.randn(5, D, generator=generator)
    (ours * upstream).sum().backward()
    (theirs * upstream).sum().backward()
    assert torch.allclose(weight.grad, bag.weight.grad, atol=1e-6)
