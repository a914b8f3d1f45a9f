"""explain.integrated_gradients and completeness_gap, against captum's IntegratedGradients and its golden
cases."""

from __future__ import annotations

import pytest
import torch
from captum.attr import IntegratedGradients

from dlpractice.explain import completeness_gap, integrated_gradients
from support.explain_models import ClampAtOne, PaperModel, TinyCNN, correlation

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


def test_integrated_gradients_agree_with_captum(trained: TinyCNN, digits) -> None:
    """Same attributions as captum's IntegratedGradients (its default Gauss-Legendre rule and the midpoint rule),
    and a completeness gap below 0.05 at 200 steps."""
    x, target = digits[0][:8], digits[1][:8]
    ours = integrated_gradients(trained, x, target, steps=200)
    ig = IntegratedGradients(trained)
    gauss = ig.attribute(x.clone(), target=target, n_steps=200).detach()
    middle = ig.attribute(x.clone(), target=target, n_steps=200, method="riemann_middle").detach()
    assert correlation(ours, gauss) > 0.99
    assert (ours - middle).abs().max() < 1e-4  # the same midpoint sum, up to float rounding
    assert completeness_gap(trained, x, ours, target).max() < 0.05


def test_integrated_gradients_golden_paper_models() -> None:
    """captum's test_integrated_gradients_basic (the paper's two examples): at (x1, x2) = (3, 1) with a zero
    baseline both give (1.5, −0.5), so the two implementations of one function get the same attributions."""
    x = torch.tensor([[[[3.0, 1.0]]]])
    expected = torch.tensor([[[[1.5, -0.5]]]])
    a2 = integrated_gradients(PaperModel(2), x, 0, steps=1500)
    a3 = integrated_gradients(PaperModel(3), x, 0, steps=1500)
    assert torch.allclose(a2, expected, atol=0.01)
    assert torch.allclose(a3, expected, atol=0.01)
    assert torch.allclose(a2, a3, atol=1e-5)


@pytest.mark.parametrize("value", [1.0, 0.0, -1.0])
def test_integrated_gradients_golden_clamp_model(value: float) -> None:
    """captum's univariable cases on 1 − relu(1 − x): the attribution of x from a zero baseline is f(x) − f(0)."""
    x = torch.tensor([[[[value]]]])
    attribution = integrated_gradients(ClampAtOne(), x, 0, steps=1500)
    expected = ClampAtOne()(x) - ClampAtOne()(torch.zeros_like(x))
    assert attribution.item() == pytest.approx(expected.item(), abs=0.01)
    assert completeness_gap(ClampAtOne(), x, attribution, 0).item() < 0.01


def test_completeness_gap_shrinks_with_steps(trained: TinyCNN, digits) -> None:
    """More steps of the Riemann sum bring the attributions' total closer to F(x) − F(baseline)."""
    x, target = digits[0][:16], digits[1][:16]
    coarse = completeness_gap(trained, x, integrated_gradients(trained, x, target, steps=4), target).mean()
    fine = completeness_gap(trained, x, integrated_gradients(trained, x, target, steps=300), target).mean()
    assert fine < 0.2 * coarse
    assert fine < 0.02


def test_integrated_gradients_baseline_value_tensor_and_captum(trained: TinyCNN, digits) -> None:
    """A float baseline means that value at every pixel: same as a full tensor, a (C, H, W) image, and captum's."""
    x, target = digits[0][:4], digits[1][:4]
    by_value = integrated_gradients(trained, x, target, baseline=0.5, steps=50)
    assert torch.allclose(by_value, integrated_gradients(trained, x, target, baseline=torch.full_like(x, 0.5),
                                                         steps=50), atol=1e-6)
    assert torch.allclose(by_value, integrated_gradients(trained, x, target, baseline=torch.full((1, 8, 8), 0.5),
                                                         steps=50), atol=1e-6)
    theirs = IntegratedGradients(trained).attribute(x.clone(), baselines=0.5, target=target, n_steps=50,
                                                    method="riemann_middle").detach()
    assert (by_value - theirs).abs().max() < 1e-4
    assert not torch.allclose(by_value, integrated_gradients(trained, x, target, steps=50), atol=1e-3)
    assert completeness_gap(trained, x, by_value, target, baseline=0.5).max() < 0.1


def test_integrated_gradients_batching_does_not_change_the_result(trained: TinyCNN, digits) -> None:
    """Path points sent through the model in small chunks (batch_size) give the same sum; steps < 1 is refused."""
    x, target = digits[0][:3], digits[1][:3]
    whole = integrated_gradients(trained, x, target, steps=10)
    assert torch.allclose(whole, integrated_gradients(trained, x, target, steps=10, batch_size=4), atol=1e-6)
    assert torch.allclose(whole, integrated_gradients(trained, x, target, steps=10, batch_size=1), atol=1e-6)
    with pytest.raises(ValueError):
        integrated_gradients(trained, x, target, steps=0)
