"""explain.occlusion, against captum's Occlusion and its golden cases."""

from __future__ import annotations

import pytest
import torch
from captum.attr import Occlusion

from dlpractice.explain import occlusion
from dlpractice.models import LeNet5
from support.explain_models import ARANGE, MultiLayer, OneConv, images28, vgg

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


@pytest.mark.parametrize("window, stride, channels", [(4, 2, 1), (5, 3, 1), (6, 4, 1), (7, 7, 1), (5, 3, 3),
                                                      (3, 2, 3)])
def test_occlusion_equals_captum(window: int, stride: int, channels: int) -> None:
    """captum's Occlusion with windows (C, w, w) and strides (C, s, s), including windows that do not tile the
    28×28 image (the last sticks out) and 3-channel images covered together."""
    torch.manual_seed(0)
    model = LeNet5(in_channels=channels).eval() if channels == 3 else vgg()
    x = images28(3, channels)
    target = torch.tensor([1, 4, 8])
    ours = occlusion(model, x, target, window=window, stride=stride, baseline=0.25)
    theirs = Occlusion(model).attribute(x.clone(), sliding_window_shapes=(channels, window, window),
                                        strides=(channels, stride, stride), baselines=0.25, target=target,
                                        perturbations_per_eval=64).detach()
    assert (ours - theirs).abs().max() < 1e-5
    assert ours.abs().max() > 1e-4


def test_occlusion_golden_multilayer() -> None:
    """captum's test_occlusion simple and multi-sample cases: one-pixel windows on the 3-feature multilayer net
    (a 1×3 image), class 0."""
    x = torch.tensor([[2.0, 10.0, 3.0], [20.0, 50.0, 30.0]]).view(2, 1, 1, 3)
    expected = torch.tensor([[8.0, 35.0, 12.0], [80.0, 200.0, 120.0]]).view(2, 1, 1, 3)
    assert torch.allclose(occlusion(MultiLayer(), x, 0, window=1, stride=1), expected)


def test_occlusion_golden_one_conv() -> None:
    """captum's test_simple_multi_input_conv, first case: covering the whole arange(16) image of the one-conv net
    (whose second input is ones) drops class 0 by 67 everywhere. Then a hand-computed 2×2/2 case on the plain net:
    clean score 54; covering each quadrant leaves 47, 50, 18, 7."""
    whole = occlusion(OneConv(offset=1.0), ARANGE, 0, window=4, stride=1)
    assert torch.allclose(whole, torch.full((1, 1, 4, 4), 67.0))
    quadrants = occlusion(OneConv(), ARANGE, 0, window=2, stride=2)
    expected = torch.tensor([[7.0, 7, 4, 4], [7, 7, 4, 4], [36, 36, 47, 47], [36, 36, 47, 47]]).view(1, 1, 4, 4)
    assert torch.allclose(quadrants, expected)


def test_occlusion_batching_and_bad_arguments() -> None:
    """Window positions evaluated in small chunks give the same map; impossible windows and strides are refused."""
    model, x = vgg(), images28(2)
    assert torch.allclose(occlusion(model, x, 2, window=6, stride=4),
                          occlusion(model, x, 2, window=6, stride=4, batch_size=3), atol=1e-6)
    for window, stride in [(0, 1), (29, 1), (4, 0)]:
        with pytest.raises(ValueError):
            occlusion(model, x, 2, window=window, stride=stride)
