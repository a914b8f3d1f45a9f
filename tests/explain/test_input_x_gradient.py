"""explain.input_x_gradient: each input value times its gradient, against captum's InputXGradient."""

from __future__ import annotations

import copy

import pytest
import torch
from captum.attr import InputXGradient

from dlpractice.explain import input_x_gradient, saliency
from support.explain_models import TinyCNN, images28, vgg

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


def test_input_x_gradient_equals_captum_on_a_small_cnn() -> None:
    """Per image with a target tensor, on a random SmallVGG with batch norm: captum's InputXGradient."""
    model, x = vgg(), images28(6)
    target = torch.tensor([0, 1, 2, 3, 4, 5])
    ours = input_x_gradient(model, x, target)
    theirs = InputXGradient(model).attribute(x.clone(), target=target).detach()
    assert ours.shape == x.shape and ours.device.type == "cpu" and not ours.requires_grad
    assert (ours - theirs).abs().max().item() < 1e-6
    assert ours.abs().max().item() > 1e-4  # not trivially zero
    assert torch.allclose(ours, saliency(model, x, target, absolute=False) * x, atol=1e-7)


def test_input_x_gradient_equals_captum_on_the_trained_digits_cnn(trained: TinyCNN, digits) -> None:
    """The same on a trained network, for the predicted class (target=None)."""
    x = digits[0][:8]
    predicted = trained(x).argmax(dim=1)
    ours = input_x_gradient(trained, x)
    theirs = InputXGradient(trained).attribute(x.clone(), target=predicted).detach()
    assert (ours - theirs).abs().max().item() < 1e-5
    assert torch.equal(ours, input_x_gradient(trained, x, predicted))


def test_input_x_gradient_is_zero_where_the_input_is_zero() -> None:
    """A black pixel gets no attribution, whatever its gradient (which is not zero there)."""
    model, x = vgg(), images28(3)
    x[:, :, 5:15, 3:20] = 0.0
    attribution = input_x_gradient(model, x, 7)
    assert torch.all(attribution[:, :, 5:15, 3:20] == 0)
    assert saliency(model, x, 7)[:, :, 5:15, 3:20].abs().sum() > 0
    assert attribution[:, :, 15:, :].abs().sum() > 0


def test_input_x_gradient_of_one_image_is_its_row_of_the_batch() -> None:
    """A batch of one works and gives the same attribution as that image within a batch (evaluation mode)."""
    model, x = vgg(), images28(4)
    one = input_x_gradient(model, x[2:3], 5)
    assert one.shape == (1, 1, 28, 28)
    assert torch.allclose(one, input_x_gradient(model, x, 5)[2:3], atol=1e-6)


def test_input_x_gradient_uses_eval_mode_and_leaves_the_model_alone() -> None:
    """A model in train mode is explained as in eval mode, is left in train mode, with nothing in `.grad`."""
    model, x = vgg(width=8).train(), images28(2)
    expected = input_x_gradient(copy.deepcopy(model).eval(), x, 1)
    ours = input_x_gradient(model, x, 1)
    assert torch.allclose(ours, expected, atol=1e-6)
    assert all(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())
