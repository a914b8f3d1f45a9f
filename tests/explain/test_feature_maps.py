"""explain.feature_maps: a layer's outputs, caught by a hook that is always removed."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlpractice.explain import capture, feature_maps
from support.explain_models import images28, vgg


def test_capture_collects_outputs_and_removes_its_hook_even_after_an_error() -> None:
    """capture yields the layer's outputs (still attached to the graph) and removes its hook on the way out,
    also when the forward pass raises."""
    model = vgg(width=8)
    layer = model.features[0]
    x = images28(2)
    with capture(layer) as outputs:
        model(x)
        model(x)
    assert len(outputs) == 2 and outputs[0].shape == (2, 8, 28, 28) and outputs[0].requires_grad
    model(x)
    assert len(outputs) == 2 and not layer._forward_hooks
    with pytest.raises(RuntimeError):
        with capture(layer) as outputs:
            model(torch.rand(2, 3, 28, 28))  # wrong number of channels
    assert not layer._forward_hooks


def test_feature_maps_are_the_layer_output_in_eval_mode() -> None:
    """feature_maps is the sub-network's output up to the layer (SmallVGG: conv → BN → ReLU = features[:3]),
    computed in evaluation mode, detached; the model's train mode is restored."""
    model, x = vgg(width=8), images28(3)
    model.train()
    maps = feature_maps(model, x, model.features[2])
    assert model.training
    model.eval()
    with torch.no_grad():
        assert torch.allclose(maps, model.features[:3](x), atol=1e-6)
        assert torch.allclose(feature_maps(model, x, model.features[5]), model.features[:6](x), atol=1e-6)
    assert not maps.requires_grad and maps.min() >= 0


def test_feature_maps_of_an_unused_layer_raise() -> None:
    """A layer that the forward pass never calls is an error, not an empty result."""
    with pytest.raises(ValueError):
        feature_maps(vgg(width=8), images28(1), nn.Conv2d(1, 2, 3))
