"""explain.filters: the first and last convolutions of a model, and the first layer's filters."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlpractice.explain import first_conv, first_layer_filters, last_conv, last_linear
from dlpractice.models import MLP, LeNet5
from support.explain_models import vgg


def test_first_and_last_conv_and_filters() -> None:
    """first_conv/last_conv find the first and last nn.Conv2d; the filters are a detached copy; a model without
    convolutions (an MLP) is refused, as is a model without nn.Linear by last_linear."""
    model = vgg(width=8)
    assert first_conv(model) is model.features[0] and last_conv(model) is model.features[8]
    lenet = LeNet5()
    assert first_conv(lenet) is lenet.features[0] and last_conv(lenet) is lenet.features[3]
    filters = first_layer_filters(model)
    assert filters.shape == (8, 1, 3, 3) and torch.equal(filters, model.features[0].weight.detach())
    filters.zero_()
    assert model.features[0].weight.abs().sum() > 0
    assert last_linear(model) is model.classifier[1]
    for find in (first_conv, last_conv, first_layer_filters):
        with pytest.raises(ValueError):
            find(MLP(4, (8,), 2))
    with pytest.raises(ValueError):
        last_linear(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()))
