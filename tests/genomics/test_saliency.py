"""Reading a genome CNN: the pooled units' exact share of the class score, and gradient × input per position."""

import numpy as np
import torch

from dlpractice.genomics import encoding, saliency
from dlpractice.models.genome_cnn import GenomeCNN
from support.dna import random_dna


def test_genome_cnn_shapes_pooled_starts_and_exact_relevance():
    torch.manual_seed(0)
    model = GenomeCNN(length=300, n_classes=3, filters=4, pool=10).eval()
    x = torch.from_numpy(encoding.encode_batch([random_dna(300, s) for s in range(5)]))
    assert model(x).shape == (5, 3)
    values, starts = model.pooled(x)
    assert values.shape == starts.shape == (5, 4, 28)
    full = model.conv(x).relu()
    assert torch.equal(full.gather(2, starts), values)  # each start is where the filter scored the pooled value
    target = torch.tensor([0, 1, 2, 0, 1])
    relevance, _ = saliency.top_activations(model, x, target, count=4 * 28)
    logits = model(x).gather(1, target[:, None])[:, 0]
    bias = model.dense[-1].bias[target]
    assert torch.allclose(torch.from_numpy(relevance.sum(axis=1)), (logits - bias).detach(), atol=1e-4)  # a linear head


def test_gradient_x_input_is_zero_where_there_is_no_base():
    torch.manual_seed(0)
    model = GenomeCNN(length=120, n_classes=2, filters=3, pool=5)
    x = torch.from_numpy(encoding.encode_batch(["ACGT" * 20 + "N" * 10 + "GATC" * 7 + "GG"]))
    sal = saliency.gradient_x_input(model, x, torch.tensor([1]))
    assert sal.shape == (1, 120) and np.all(sal[0, 80:90] == 0) and np.abs(sal[0, :80]).sum() > 0


def test_gradient_x_input_is_input_x_gradient_summed_over_the_bases():
    """Lab 05's per-position relevance is lab 06's input × gradient summed over the 4 channels, in any batch size."""
    from dlpractice.explain import input_x_gradient

    torch.manual_seed(0)
    model = GenomeCNN(length=150, n_classes=3, filters=4, pool=5)
    x = torch.from_numpy(encoding.encode_batch([random_dna(150 - s, s) for s in range(7)]))
    target = torch.tensor([0, 1, 2, 0, 1, 2, 0])
    expected = input_x_gradient(model, x, target).sum(dim=1).numpy()
    per_position = saliency.gradient_x_input(model, x, target)
    assert per_position.shape == (7, 150)
    np.testing.assert_allclose(per_position, expected, atol=1e-6)
    np.testing.assert_allclose(saliency.gradient_x_input(model, x, target, batch=3), expected, atol=1e-6)
    np.testing.assert_allclose(saliency.gradient_x_input(model, x[:1], target[:1]), expected[:1], atol=1e-6)
    assert np.abs(per_position).sum() > 0
