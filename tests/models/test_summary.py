"""A model's layers with their output shapes and parameter counts, as rows and as a Markdown table."""

import torch

from dlpractice.models import LeNet5, layer_shapes, layer_table


def test_layer_shapes_follow_the_formula_and_leave_the_mode_alone():
    model = LeNet5().train()
    rows = layer_shapes(model, torch.zeros(1, 1, 28, 28))
    assert model.training
    shapes = [shape for name, shape, params in rows]
    assert shapes[:6] == [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5)]
    assert shapes[-1] == (10,)
    assert sum(params for *_, params in rows) == 61_706
    assert "| features.0 (Conv2d) | (6, 28, 28) | 156 |" in layer_table(model, torch.zeros(1, 1, 28, 28))
