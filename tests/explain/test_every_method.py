"""What a caller of any explanation method relies on: evaluation mode inside, the model's mode and running
statistics left alone, nothing left in the parameters' `.grad`."""

from __future__ import annotations

import copy

import pytest
import torch

from dlpractice.explain import (
    activation_maximization,
    completeness_gap,
    deletion_curve,
    feature_maps,
    grad_cam,
    integrated_gradients,
    last_conv,
    occlusion,
    penultimate_features,
    predicted_classes,
    saliency,
    smoothgrad,
)
from support.explain_models import images28, vgg


def test_explanations_leave_no_parameter_gradients() -> None:
    """Explaining (saliency, SmoothGrad, Grad-CAM, integrated gradients, activation maximisation) writes nothing
    into the model's parameters' .grad (which a later optimiser step would use)."""
    model = vgg()
    saliency(model, images28(2), 3)
    smoothgrad(model, images28(2), 3, samples=2)
    grad_cam(model, images28(2), last_conv(model), 3)
    integrated_gradients(model, images28(2), 3, steps=4)
    activation_maximization(model, (1, 28, 28), classes=[3], steps=2)
    assert all(p.grad is None for p in model.parameters())


METHODS = {
    "saliency": lambda m, x: saliency(m, x, 1),
    "smoothgrad": lambda m, x: smoothgrad(m, x, 1, samples=2),
    "integrated_gradients": lambda m, x: integrated_gradients(m, x, 1, steps=4),
    "completeness_gap": lambda m, x: completeness_gap(m, x, torch.zeros_like(x), 1),
    "grad_cam": lambda m, x: grad_cam(m, x, last_conv(m), 1),
    "occlusion": lambda m, x: occlusion(m, x, 1, window=14, stride=14),
    "deletion_curve": lambda m, x: deletion_curve(m, x, x, 1, steps=3)[1],
    "feature_maps": lambda m, x: feature_maps(m, x, m.features[1]),
    "penultimate_features": lambda m, x: penultimate_features(m, x),
    "predicted_classes": lambda m, x: predicted_classes(m, x),
    "activation_maximization": lambda m, x: activation_maximization(m, (1, 28, 28), classes=[1, 2], steps=3),
    "activation_maximization_channels": lambda m, x: activation_maximization(m, (1, 28, 28), layer=m.features[2],
                                                                             channels=[0, 5], steps=3),
}


@pytest.mark.parametrize("name", list(METHODS))
def test_methods_use_eval_mode_and_restore_train_mode(name: str) -> None:
    """A model left in train mode is explained as in eval mode (batch norm's running statistics, not the batch's:
    an image's explanation does not depend on its batch), is left in train mode, and its running statistics are
    not updated."""
    model, x = vgg(width=8).train(), images28(4)
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():  # train and eval really differ for this model (on a copy: this pass updates statistics)
        assert not torch.allclose(copy.deepcopy(model)(x), reference(x), atol=1e-3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ours = METHODS[name](model, x)
    assert all(m.training for m in model.modules())
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    expected = METHODS[name](reference, x)
    assert not any(m.training for m in reference.modules())
    assert torch.allclose(ours.float(), expected.float(), atol=1e-6)
