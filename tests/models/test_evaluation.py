"""models.evaluation: the one place a model is switched to evaluation mode, run without a graph, and switched back."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from dlpractice.models import evaluating
from dlpractice.models.evaluation import device_of, predict
from support.explain_models import vgg


def noisy_net() -> nn.Module:
    """A model whose train and eval modes give different outputs: batch norm (with running statistics unlike any
    one batch's) and dropout, left in training mode."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3))
    with torch.no_grad():
        for _ in range(3):
            model(2 * torch.randn(32, 6) + 1)
    return model.train()


def inputs(n: int) -> torch.Tensor:
    return torch.randn(n, 6, generator=torch.Generator().manual_seed(1))


def test_evaluating_restores_the_mode_even_after_an_error() -> None:
    """evaluating switches to eval mode inside and back to the previous mode on the way out, also after an error."""
    model = vgg(width=8).train()
    with pytest.raises(RuntimeError):
        with evaluating(model):
            assert not any(m.training for m in model.modules())
            raise RuntimeError("boom")
    assert all(m.training for m in model.modules())
    with evaluating(model.eval()):
        pass
    assert not model.training


def test_predict_is_the_eval_mode_output_on_the_cpu_without_a_graph() -> None:
    """predict gives what the model in eval mode gives (batch norm's running statistics, no dropout): the same
    numbers on every call, on the CPU, detached even when the input requires gradients."""
    model = noisy_net()
    x = inputs(10).requires_grad_(True)
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = reference(x)
        assert not torch.allclose(copy.deepcopy(model)(x), expected, atol=1e-3)  # the modes really differ
    out = predict(model, x)
    assert out.device.type == "cpu" and out.shape == (10, 3)
    assert not out.requires_grad and out.grad_fn is None
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(predict(model, x), out)  # dropout stayed off


@pytest.mark.parametrize("training", [True, False])
def test_predict_restores_the_models_mode_and_its_statistics(training: bool) -> None:
    model = noisy_net().train(training)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    predict(model, inputs(8))
    assert all(m.training == training for m in model.modules())
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())  # running statistics untouched


@pytest.mark.parametrize("batch_size", [1, 3, 7, 10, 64])
def test_predict_in_batches_gives_the_outputs_of_one_pass(batch_size: int) -> None:
    """Cutting x into batches changes nothing (in eval mode an example's output does not depend on its batch)."""
    model = noisy_net()
    x = inputs(10)
    torch.testing.assert_close(predict(model, x, batch_size=batch_size), predict(model, x))


def test_predict_on_a_batch_of_one() -> None:
    """One example works (batch norm in training mode would refuse a batch of one) and matches its row of a batch."""
    model = noisy_net()
    x = inputs(5)
    one = predict(model, x[:1])
    assert one.shape == (1, 3)
    torch.testing.assert_close(one, predict(model, x)[:1])
    assert model.training


def test_device_of_is_where_the_parameters_are_and_the_cpu_without_any() -> None:
    assert device_of(nn.Linear(2, 2)) == torch.device("cpu")
    assert device_of(nn.ReLU()) == torch.device("cpu")
    assert predict(nn.Softmax(dim=1), torch.zeros(2, 4)).allclose(torch.full((2, 4), 0.25))
