"""explain.saliency: the gradient of the class score, against captum's Saliency and its golden case."""

from __future__ import annotations

import pytest
import torch
from captum.attr import Saliency

from dlpractice.explain import class_scores, predicted_classes, saliency
from support.explain_models import ClampAtOne, images28, vgg

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


@pytest.mark.parametrize("absolute", [True, False])
def test_saliency_equals_captum(absolute: bool) -> None:
    """saliency is captum's Saliency (abs or signed), per image with a target tensor."""
    model, x = vgg(), images28(6)
    target = torch.tensor([0, 1, 2, 3, 4, 5])
    ours = saliency(model, x, target, absolute=absolute)
    theirs = Saliency(model).attribute(x.clone(), target=target, abs=absolute).detach()
    assert ours.shape == x.shape
    assert (ours - theirs).abs().max().item() < 1e-6
    assert ours.abs().max().item() > 1e-4  # not trivially zero


def test_saliency_golden_clamp_model() -> None:
    """captum's test_saliency basic case: 1 − relu(1 − x) at (1, 2, 3, 0, −1, 7) has |gradient|
    (0, 0, 0, 1, 1, 0)."""
    x = torch.tensor([1.0, 2.0, 3.0, 0.0, -1.0, 7.0]).view(1, 1, 2, 3)
    expected = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 0.0]).view(1, 1, 2, 3)
    assert torch.equal(saliency(ClampAtOne(), x, 0), expected)


def test_saliency_of_predicted_class_by_default() -> None:
    """target=None explains each image's predicted class."""
    model, x = vgg(), images28(5)
    predicted = predicted_classes(model, x)
    assert torch.equal(saliency(model, x), saliency(model, x, predicted))
    assert torch.equal(class_scores(model, x), model(x).amax(dim=1))
