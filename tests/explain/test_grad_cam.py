"""explain.grad_cam, against captum's LayerGradCam and its golden cases; the default layer it looks at."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

from dlpractice.explain import grad_cam, last_conv
from dlpractice.models import LeNet5, SmallVGG
from support.explain_models import ARANGE, OneConv, TinyCNN, correlation, images28, vgg

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


@pytest.mark.parametrize("relu", [True, False])
def test_grad_cam_raw_map_equals_captum(relu: bool) -> None:
    """upsample=False, normalize=False is captum's LayerGradCam at the layer's resolution (with or without ReLU)."""
    model, x = vgg(), images28(5)
    target = torch.tensor([0, 3, 5, 7, 9])
    layer = last_conv(model)
    ours = grad_cam(model, x, layer, target, relu=relu, upsample=False, normalize=False)
    theirs = LayerGradCam(model, layer).attribute(x.clone(), target=target, relu_attributions=relu).detach()
    assert ours.shape == theirs.shape == (5, 1, 7, 7)
    assert torch.allclose(ours, theirs, atol=1e-6, rtol=1e-4)
    assert (ours < 0).any() != relu  # the ReLU removes the negative evidence, and only it does


def test_grad_cam_upsampled_normalised_agrees_with_captum(trained: TinyCNN, digits) -> None:
    """The default heat map is captum's LayerGradCam (ReLU), upsampled bilinearly by LayerAttribution.interpolate
    to the image size and divided by each image's maximum."""
    x, target = digits[0][:16], digits[1][:16]
    layer = last_conv(trained)
    ours = grad_cam(trained, x, layer, target)
    raw = LayerGradCam(trained, layer).attribute(x.clone(), target=target, relu_attributions=True).detach()
    theirs = LayerAttribution.interpolate(raw, (8, 8), "bilinear")
    theirs = theirs / theirs.amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)
    assert ours.shape == x.shape
    assert correlation(ours, theirs) > 0.99
    assert torch.allclose(ours, theirs, atol=1e-5)
    assert ours.max() == pytest.approx(1.0) and ours.min() >= 0


@pytest.mark.parametrize("layer_name, expected", [("conv1", [[11.25, 13.5], [20.25, 22.5]]),
                                                  ("relu1", [[0.0, 4.0], [28.0, 32.5]])])
def test_grad_cam_golden_one_conv(layer_name: str, expected: list[list[float]]) -> None:
    """captum's layer/test_grad_cam: the one-conv net on arange(16) as a 4×4 image, class 0, at its conv (a map of
    0.25 × the 3×3 patch sums) and at its ReLU (channel weights 1 and −0.5)."""
    model = OneConv()
    cam = grad_cam(model, ARANGE, getattr(model, layer_name), 0, upsample=False, normalize=False)
    assert torch.allclose(cam, torch.tensor(expected).view(1, 1, 2, 2), atol=1e-5)
    heat = grad_cam(model, ARANGE, getattr(model, layer_name), 0)  # the same map, upsampled and scaled to max 1
    reference = F.interpolate(torch.tensor(expected).view(1, 1, 2, 2), size=(4, 4), mode="bilinear")
    assert torch.allclose(heat, reference / reference.max(), atol=1e-6)


def test_grad_cam_golden_with_frozen_parameters() -> None:
    """captum's test_simple_input_conv_no_grad: a model whose parameters do not require gradients (frozen before
    interpreting) still gets its map."""
    model = OneConv()
    model.requires_grad_(False)
    cam = grad_cam(model, ARANGE, model.conv1, 0, upsample=False, normalize=False)
    assert torch.allclose(cam, torch.tensor([[[[11.25, 13.5], [20.25, 22.5]]]]), atol=1e-5)


def test_default_cam_layer_is_the_last_feature_map_before_pooling() -> None:
    """Grad-CAM looks at the final maps after their non-linearity; a model without `features` uses its last conv."""
    from dlpractice.explain import default_cam_layer
    from dlpractice.models import SmallResNet

    vgg, lenet, resnet = SmallVGG(), LeNet5(), SmallResNet(1, 10, 8)
    assert default_cam_layer(vgg) is vgg.features[10] and isinstance(vgg.features[10], nn.ReLU)
    assert default_cam_layer(lenet) is lenet.features[4]
    assert default_cam_layer(resnet) is resnet.features[-1]
    plain = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.Flatten(), nn.LazyLinear(2))
    assert default_cam_layer(plain) is plain[2]
