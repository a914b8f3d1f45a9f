"""dlpractice.explain: each from-scratch explanation method against captum (the reference implementation), against
captum's own small hand-weighted "golden" cases (recreated here for images (N, C, H, W) and class scores
(N, classes)), and for the behaviour a caller relies on: modes restored, hooks removed, nothing left in `.grad`."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, NoiseTunnel, Occlusion, Saliency
from scipy.stats import spearmanr
from sklearn.datasets import load_digits
from torch import nn

from dlpractice.explain import (activation_maximization, area_under_curve, capture, class_scores, completeness_gap,
                                deletion_curve, feature_maps, first_conv, first_layer_filters, grad_cam,
                                integrated_gradients, last_conv, last_linear, occlusion, penultimate_features,
                                predicted_classes, project, randomized_copy, rank_correlation, saliency, smoothgrad,
                                total_variation)
from dlpractice.models import MLP, LeNet5, SmallVGG, evaluating

# captum warns that the inputs it is given do not require gradients (it turns that on itself).
pytestmark = pytest.mark.filterwarnings("ignore:Input Tensor .* did not already require gradients")


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """These models are tiny: one intra-op thread is as fast, and far faster on a busy 2-core machine (where
    two OpenMP threads spin waiting for each other). The previous setting is restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two tensors, flattened."""
    return float(torch.corrcoef(torch.stack([a.flatten().double(), b.flatten().double()]))[0, 1])


# --- models -------------------------------------------------------------------------------------------------------

class TinyCNN(nn.Module):
    """8×8 digits → 10 scores: conv → BN → ReLU → pool (4×4) → conv → ReLU → linear."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's 1,797 digits as images (N, 1, 8, 8) in [0, 1] and labels."""
    data = load_digits()
    return torch.tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1), torch.tensor(data.target)


@pytest.fixture(scope="module")
def trained(digits: tuple[torch.Tensor, torch.Tensor]) -> TinyCNN:
    """A TinyCNN trained for 8 epochs on the digits (over 90% training accuracy; about 2 s), in evaluation mode."""
    images, labels = digits
    torch.manual_seed(0)
    model = TinyCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(8):
        for batch in torch.randperm(len(images)).split(128):
            optimizer.zero_grad()
            F.cross_entropy(model(images[batch]), labels[batch]).backward()
            optimizer.step()
    model.eval()
    model.zero_grad(set_to_none=True)
    with torch.no_grad():
        accuracy = (model(images).argmax(1) == labels).float().mean().item()
    assert accuracy > 0.9, accuracy
    return model


def vgg(seed: int = 0, width: int = 16, in_channels: int = 1) -> SmallVGG:
    """A random SmallVGG whose batch norms hold non-trivial running statistics, in evaluation mode."""
    torch.manual_seed(seed)
    model = SmallVGG(in_channels=in_channels, num_classes=10, width=width)
    with torch.no_grad():  # a few train-mode passes so that train and eval modes really differ
        for _ in range(3):
            model(3 * torch.rand(16, in_channels, 28, 28) + 1)
    return model.eval()


def images28(n: int = 4, channels: int = 1, seed: int = 1) -> torch.Tensor:
    return torch.rand(n, channels, 28, 28, generator=torch.Generator().manual_seed(seed))


# captum's hand-weighted test models (captum/testing/helpers/basic_models.py), adapted to images → (N, classes).

class ClampAtOne(nn.Module):
    """captum's BasicModel, 1 − relu(1 − x), summed over the pixels of each image: one score per image."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (1 - F.relu(1 - x)).flatten(1).sum(dim=1, keepdim=True)


class PaperModel(nn.Module):
    """captum's BasicModel2 / BasicModel3, the two examples of Sundararajan et al. (2017) on a 1×2 image (x1, x2):
    relu(relu(x1) − 1 − relu(x2)) or relu(relu(x1 − 1) − relu(x2)) — the same function, built two ways."""

    def __init__(self, variant: int) -> None:
        super().__init__()
        self.variant = variant

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = x[:, 0, 0, 0], x[:, 0, 0, 1]
        if self.variant == 2:
            out = F.relu(F.relu(x1) - 1 - F.relu(x2))
        else:
            out = F.relu(F.relu(x1 - 1) - F.relu(x2))
        return out.unsqueeze(1)


class MultiLayer(nn.Module):
    """captum's BasicModel_MultiLayer on a 1×3 image: identity, Linear(3, 4) of ones with biases (−10, 1, 1, 1),
    ReLU, Linear(4, 2) of ones with biases (−1, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear0 = nn.Linear(3, 3)
        self.linear1 = nn.Linear(3, 4)
        self.linear2 = nn.Linear(4, 2)
        with torch.no_grad():
            self.linear0.weight.copy_(torch.eye(3))
            self.linear0.bias.zero_()
            self.linear1.weight.fill_(1.0)
            self.linear1.bias.copy_(torch.tensor([-10.0, 1.0, 1.0, 1.0]))
            self.linear2.weight.fill_(1.0)
            self.linear2.bias.copy_(torch.tensor([-1.0, 1.0]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(F.relu(self.linear1(self.linear0(x.flatten(1)))))


class OneConv(nn.Module):
    """captum's BasicModel_ConvNet_One_Conv on 1×4×4 images: Conv2d(1, 2, 3) of ones with biases (−50, −75), ReLU,
    flatten (8), Linear(8, 4) with weights (1, 1, 1, 1, 1, −1, −1, −1) in every row and no bias, ReLU.
    `offset` is added to the image first (captum's second input, x2)."""

    def __init__(self, offset: float = 0.0) -> None:
        super().__init__()
        self.offset = offset
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.relu1 = nn.ReLU()
        self.fc1 = nn.Linear(8, 4)
        self.relu2 = nn.ReLU()
        with torch.no_grad():
            self.conv1.weight.fill_(1.0)
            self.conv1.bias.copy_(torch.tensor([-50.0, -75.0]))
            self.fc1.weight.copy_(torch.cat([torch.ones(4, 5), -torch.ones(4, 3)], dim=1))
            self.fc1.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu2(self.fc1(self.relu1(self.conv1(x + self.offset)).view(-1, 8)))


ARANGE = torch.arange(16, dtype=torch.float32).view(1, 1, 4, 4)


# --- saliency -----------------------------------------------------------------------------------------------------

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


def test_saliency_of_predicted_class_by_default() -> None:
    """target=None explains each image's predicted class."""
    model, x = vgg(), images28(5)
    predicted = predicted_classes(model, x)
    assert torch.equal(saliency(model, x), saliency(model, x, predicted))
    assert torch.equal(class_scores(model, x), model(x).amax(dim=1))


# --- SmoothGrad ---------------------------------------------------------------------------------------------------

def test_smoothgrad_without_noise_is_saliency() -> None:
    """noise=0: every noisy copy is the image itself, so SmoothGrad is the saliency map (exactly for one sample)."""
    model, x = vgg(), images28(3)
    assert torch.equal(smoothgrad(model, x, 2, samples=1, noise=0.0), saliency(model, x, 2))
    assert torch.allclose(smoothgrad(model, x, 2, samples=3, noise=0.0), saliency(model, x, 2), rtol=1e-6, atol=0)


def test_smoothgrad_is_deterministic_for_a_seed() -> None:
    """The same seed gives the same map; another seed gives another one."""
    model, x = vgg(), images28(2)
    a = smoothgrad(model, x, 1, samples=4, seed=3)
    assert torch.equal(a, smoothgrad(model, x, 1, samples=4, seed=3))
    assert not torch.equal(a, smoothgrad(model, x, 1, samples=4, seed=4))


class HalfSquare(nn.Module):
    """Σ x² / 2 per image: its gradient is the image itself."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x.pow(2).flatten(1).sum(dim=1, keepdim=True)


def test_smoothgrad_noise_scale_is_relative_to_the_image_range() -> None:
    """The noise's std is noise × (max − min) of the image: where the gradient is x, a pixel at 0 gets
    E|σ·z| = σ·√(2/π) with σ = 0.1 × 2 for an image ranging over [0, 2]."""
    x = torch.zeros(1, 1, 32, 32)
    x[0, 0, 5, 7] = 2.0
    smooth = smoothgrad(HalfSquare(), x, 0, samples=100, noise=0.1)
    at_zero = smooth.flatten()[x.flatten() == 0].mean().item()
    assert at_zero == pytest.approx(0.2 * (2 / torch.pi) ** 0.5, rel=0.02)


def test_smoothgrad_converges_to_captum_noise_tunnel(trained: TinyCNN, digits) -> None:
    """With many samples, SmoothGrad and captum's NoiseTunnel(Saliency) (noise std = noise × (max − min) of the
    image), each with its own random noise, estimate the same mean: highly correlated, and much closer to each
    other than to the plain gradient. (A dimmed digit: its range is 0.6, so the noise's scale matters.)"""
    x = 0.6 * digits[0][:1]
    target = int(digits[1][0])
    noise, samples = 0.15, 1000
    span = float(x.max() - x.min())
    ours = smoothgrad(trained, x, target, samples=samples, noise=noise, seed=0)
    torch.manual_seed(123)  # other noise than ours
    theirs = NoiseTunnel(Saliency(trained)).attribute(x.clone(), nt_type="smoothgrad", nt_samples=samples,
                                                      stdevs=noise * span, target=target).detach()
    plain = saliency(trained, x, target)
    assert correlation(ours, theirs) > 0.99
    assert (ours - theirs).abs().mean() < 0.2 * (ours - plain).abs().mean()


# --- integrated gradients -----------------------------------------------------------------------------------------

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


# --- Grad-CAM -----------------------------------------------------------------------------------------------------

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


# --- occlusion ----------------------------------------------------------------------------------------------------

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


# --- every method: evaluation mode, restored afterwards ----------------------------------------------------------

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


# --- feature maps and filters -------------------------------------------------------------------------------------

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


# --- projection ---------------------------------------------------------------------------------------------------

def test_penultimate_features_are_the_input_of_the_last_linear() -> None:
    """For SmallVGG the penultimate features are model.features(x).flatten(1), also when computed in batches."""
    model, x = vgg(width=8), images28(7)
    with torch.no_grad():
        expected = model.features(x).flatten(1)
    assert torch.allclose(penultimate_features(model, x), expected, atol=1e-6)
    assert torch.allclose(penultimate_features(model, x, batch_size=3), expected, atol=1e-6)
    assert not last_linear(model)._forward_pre_hooks


def test_project_pca_is_the_top_two_principal_components() -> None:
    """PCA coordinates are the data's scores on its two leading principal axes (from an SVD), up to sign."""
    rng = np.random.default_rng(0)
    data = rng.normal(size=(50, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1]) + 2.0
    centred = data - data.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    expected = u[:, :2] * s[:2]
    ours = project(torch.tensor(data, dtype=torch.float32), "pca")
    assert ours.shape == (50, 2)
    for column in range(2):
        sign = np.sign(ours[:, column] @ expected[:, column])
        assert np.allclose(sign * ours[:, column], expected[:, column], atol=1e-3)


def test_project_tsne_and_bad_method() -> None:
    """t-SNE gives finite (N, 2) coordinates, the same for the same seed; an unknown method is refused."""
    features = torch.randn(40, 8, generator=torch.Generator().manual_seed(0))
    layout = project(features, "tsne", seed=1)
    assert layout.shape == (40, 2) and np.isfinite(layout).all()
    assert np.allclose(layout, project(features, "tsne", seed=1))
    with pytest.raises(ValueError):
        project(features, "umap")


# --- randomisation sanity check -----------------------------------------------------------------------------------

def test_randomized_copy_leaves_the_original_and_is_repeatable() -> None:
    """The copy has new weights in every layer and reset batch-norm statistics; the original is untouched; the
    same seed gives the same copy, another seed another; the caller's random numbers do not move."""
    model = vgg(width=8)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.random.get_rng_state()
    copy_a = randomized_copy(model, seed=5)
    assert torch.equal(torch.random.get_rng_state(), rng)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())
    state_a = copy_a.state_dict()
    for name, value in before.items():
        if name.endswith("weight") and value.dim() > 1:  # every conv and linear weight is new
            assert not torch.allclose(state_a[name], value)
        if name.endswith("running_mean"):
            assert value.abs().sum() > 0 and torch.equal(state_a[name], torch.zeros_like(value))
    assert all(torch.equal(v, randomized_copy(model, seed=5).state_dict()[k]) for k, v in state_a.items())
    other = randomized_copy(model, seed=6)
    assert not torch.equal(state_a["features.0.weight"], other.state_dict()["features.0.weight"])
    assert copy_a.training == model.training


def test_randomized_copy_of_a_single_layer() -> None:
    """A model that is one layer (a linear probe) is re-initialised too."""
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)
    assert not torch.allclose(randomized_copy(layer, seed=1).weight, layer.weight)


def test_rank_correlation_is_spearman_of_absolute_maps() -> None:
    """Per image: scipy's Spearman correlation of |map| flattened (summed over channels); 1 for a map and 2× or
    −1× the map; −1 for reversed ranks."""
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(3, 1, 6, 6, generator=generator), torch.randn(3, 1, 6, 6, generator=generator)
    ours = rank_correlation(a, b)
    expected = [spearmanr(a[i].abs().flatten().numpy(), b[i].abs().flatten().numpy()).statistic for i in range(3)]
    assert ours.shape == (3,) and np.allclose(ours.numpy(), expected, atol=1e-6)
    assert torch.allclose(rank_correlation(a, 2 * a), torch.ones(3), atol=1e-6)
    assert torch.allclose(rank_correlation(a, -a), torch.ones(3), atol=1e-6)
    ramp = torch.arange(1.0, 37.0).view(1, 1, 6, 6)
    assert rank_correlation(ramp, 1 / ramp).item() == pytest.approx(-1.0)
    rgb, other = torch.randn(2, 3, 5, 5, generator=generator), torch.randn(2, 3, 5, 5, generator=generator)
    expected_rgb = [spearmanr(rgb[i].abs().sum(0).flatten().numpy(), other[i].abs().sum(0).flatten().numpy()).statistic
                    for i in range(2)]
    assert np.allclose(rank_correlation(rgb, other).numpy(), expected_rgb, atol=1e-6)


# --- deletion curve -----------------------------------------------------------------------------------------------

class PixelWeights(nn.Module):
    """Two classes on 1×4×4 images: class 0's logit is Σ w·x with known positive weights, class 1's is 0."""

    def __init__(self) -> None:
        super().__init__()
        order = torch.randperm(16, generator=torch.Generator().manual_seed(0))
        self.weights = nn.Parameter((order + 1.0) / 16)  # 1/16, 2/16, ..., 1 in a shuffled order

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        score = x.flatten(1) @ self.weights - 4.0
        return torch.stack([score, torch.zeros_like(score)], dim=1)


def test_deletion_curve_endpoints() -> None:
    """Fraction 0 is the clean image's probability, fraction 1 that of the all-baseline image, for every image."""
    model, x = vgg(width=8), images28(3)
    fractions, curves = deletion_curve(model, x, torch.rand_like(x), target=torch.tensor([1, 2, 3]), baseline=0.3,
                                       steps=4)
    assert torch.allclose(fractions, torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0]))
    assert curves.shape == (3, 5)
    with torch.no_grad():
        clean = model(x).softmax(1)[torch.arange(3), torch.tensor([1, 2, 3])]
        blank = model(torch.full_like(x, 0.3)).softmax(1)[torch.arange(3), torch.tensor([1, 2, 3])]
    assert torch.allclose(curves[:, 0], clean, atol=1e-6)
    assert torch.allclose(curves[:, -1], blank, atol=1e-6)


def test_deletion_follows_the_attribution_order() -> None:
    """Attributions w·x of a linear model remove pixels from the largest contribution down: the curve is exactly
    sigmoid of what remains, falls fastest, and has a smaller area than random or reversed orders."""
    model = PixelWeights()
    x = torch.ones(2, 1, 4, 4)
    perfect = model.weights.detach().view(1, 1, 4, 4) * x
    fractions, curve = deletion_curve(model, x, perfect, target=0, steps=16)
    remaining = model.weights.detach().sort(descending=True).values.flip(0).cumsum(0).flip(0)  # after k removals
    expected = torch.sigmoid(torch.cat([remaining, torch.zeros(1)]) - 4.0)
    assert torch.allclose(curve, expected.expand(2, 17), atol=1e-6)
    shuffled = torch.rand(2, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    auc = area_under_curve(fractions, curve)
    assert (auc < area_under_curve(*deletion_curve(model, x, shuffled, target=0, steps=16))).all()
    assert (auc < area_under_curve(*deletion_curve(model, x, -perfect, target=0, steps=16))).all()


def test_area_under_curve_is_the_trapezoid_rule() -> None:
    """The area per row equals numpy's trapezoid rule, also on unevenly spaced fractions."""
    fractions = torch.tensor([0.0, 0.1, 0.3, 0.7, 1.0])
    values = torch.rand(3, 5, generator=torch.Generator().manual_seed(0))
    expected = np.trapezoid(values.numpy(), fractions.numpy(), axis=-1)
    assert np.allclose(area_under_curve(fractions, values).numpy(), expected, atol=1e-6)
    assert area_under_curve(fractions, torch.ones(1, 5)).item() == pytest.approx(1.0)


# --- activation maximisation --------------------------------------------------------------------------------------

def test_activation_maximization_excites_its_class(trained: TinyCNN) -> None:
    """Each image made for class c is classified as c by the trained model, stays within the bounds, and the same
    seed gives the same images (another seed, other images)."""
    classes = list(range(10))
    settings = dict(classes=classes, steps=150, tv=0.2, jitter=1, bounds=(0.0, 1.0))  # 8×8 images: small shifts
    images = activation_maximization(trained, (1, 8, 8), **settings)
    assert images.shape == (10, 1, 8, 8)
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.max() > 0.5
    with torch.no_grad():
        logits = trained(images)
    assert torch.equal(logits.argmax(dim=1), torch.tensor(classes))
    assert torch.equal(images, activation_maximization(trained, (1, 8, 8), **settings))
    assert not torch.equal(images, activation_maximization(trained, (1, 8, 8), **settings, seed=1))


def test_activation_maximization_of_channels(trained: TinyCNN, digits) -> None:
    """An image optimised (within the pixel range of the digits) for a channel of a conv layer excites that
    channel more than any of the 1,797 real digits does."""
    layer = trained.features[4]
    channels = list(range(16))
    images = activation_maximization(trained, (1, 8, 8), layer=layer, channels=channels, steps=150, tv=0.2,
                                     jitter=1, bounds=(0.0, 1.0))
    reached = feature_maps(trained, images, layer).mean(dim=(2, 3)).diag()  # image c's activation of channel c
    real_best = feature_maps(trained, digits[0], layer).mean(dim=(2, 3)).amax(dim=0)
    assert (reached > real_best).all()


def test_activation_maximization_bad_arguments() -> None:
    """Exactly one of classes / (layer and channels) must be given."""
    model = vgg(width=8)
    for kwargs in [{}, {"classes": [1], "channels": [0], "layer": model.features[0]}, {"channels": [0]}]:
        with pytest.raises(ValueError):
            activation_maximization(model, (1, 28, 28), steps=1, **kwargs)


def test_total_variation() -> None:
    """Zero for a constant image, larger for noise than for a smooth ramp; per image."""
    ramp = torch.linspace(0, 1, 8).view(1, 1, 1, 8).expand(1, 1, 8, 8)
    noise = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    values = total_variation(torch.cat([torch.full((1, 1, 8, 8), 0.5), ramp, noise]))
    assert values.shape == (3,) and values[0] == 0 and values[1] < values[2]
    assert values[1].item() == pytest.approx((1 / 7) ** 2)  # no vertical change; each horizontal step is 1/7


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
