"""Convolution and pooling by hand against PyTorch, and the shape and parameter formulas (lab 03)."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.models import count_parameters
from dlpractice.vision import conv_by_hand

# (batch, in channels, out channels, height, width, kernel, stride, padding)
CONV_CASES = [
    (1, 1, 1, 5, 5, 3, 1, 0),
    (2, 3, 4, 8, 8, 3, 1, 1),
    (2, 3, 2, 10, 7, 5, 2, 2),  # non-square, stride and padding together
    (1, 4, 3, 9, 9, 3, 3, 0),
    (3, 2, 5, 6, 6, 1, 1, 0),
    (1, 2, 2, 4, 4, 4, 1, 3),  # padding larger than half the kernel
]


@pytest.mark.parametrize("n, c_in, c_out, h, w, k, stride, padding", CONV_CASES)
def test_conv2d_by_hand_matches_pytorch_and_a_flipped_kernel_does_not(n, c_in, c_out, h, w, k, stride, padding):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, c_in, h, w, generator=gen)
    weight, bias = torch.randn(c_out, c_in, k, k, generator=gen), torch.randn(c_out, generator=gen)
    expected = F.conv2d(x, weight, bias, stride, padding)
    torch.testing.assert_close(conv_by_hand.conv2d_by_hand(x, weight, bias, stride, padding), expected)
    torch.testing.assert_close(conv_by_hand.conv2d_by_hand(x, weight, None, stride, padding), expected - bias.view(1, -1, 1, 1))
    if k > 1:  # a true convolution (kernel flipped) is a different operation
        flipped = conv_by_hand.conv2d_by_hand(x, weight.flip(dims=(2, 3)), bias, stride, padding)
        assert (flipped - expected).abs().max() > 0.1


def test_conv2d_by_hand_refuses_mismatched_channels():
    with pytest.raises(ValueError, match="3 channels"):
        conv_by_hand.conv2d_by_hand(torch.zeros(1, 3, 5, 5), torch.zeros(2, 4, 3, 3))


@pytest.mark.parametrize("shape, k, stride", [((1, 1, 4, 4), 2, None), ((2, 3, 7, 7), 3, 2), ((1, 2, 5, 8), 2, 1), ((2, 1, 9, 6), 3, 3)])
def test_max_pool_by_hand_matches_pytorch_even_on_negative_inputs(shape, k, stride):
    x = -torch.rand(shape, generator=torch.Generator().manual_seed(1)) - 0.5  # all negative: a max started at 0 would show
    got = conv_by_hand.max_pool2d_by_hand(x, k, stride)
    torch.testing.assert_close(got, F.max_pool2d(x, k, stride))
    assert not torch.allclose(got, F.avg_pool2d(x, k, stride or k))


def test_compare_with_pytorch_reports_tiny_differences_and_a_large_one_for_the_flipped_kernel():
    rows = conv_by_hand.compare_with_pytorch(seed=0)
    assert all(diff < 1e-5 for case, diff in rows[:-1]), rows
    assert rows[-1][0].startswith("wrong on purpose") and rows[-1][1] > 1.0


@pytest.mark.parametrize("size, kernel, stride, padding", [(28, 5, 1, 0), (28, 5, 1, 2), (32, 3, 2, 1), (7, 2, 2, 0),
                                                           (224, 7, 2, 3), (10, 3, 3, 1), (5, 5, 1, 0)])
def test_output_size_formula_matches_conv_and_pool_layers(size, kernel, stride, padding):
    x = torch.zeros(1, 1, size, size)
    expected = conv_by_hand.conv_output_size(size, kernel, stride, padding)
    assert nn.Conv2d(1, 1, kernel, stride, padding)(x).shape[-1] == expected
    if 2 * padding <= kernel:  # PyTorch's pooling allows at most half the window as padding
        assert nn.MaxPool2d(kernel, stride, padding)(x).shape[-1] == expected


@pytest.mark.parametrize("c_in, c_out, k", [(1, 6, 5), (6, 16, 5), (3, 64, 3), (16, 16, 1)])
def test_parameter_formulas_match_pytorch_layers(c_in, c_out, k):
    conv = nn.Conv2d(c_in, c_out, k)
    assert conv_by_hand.conv_parameter_count(c_in, c_out, k) == count_parameters(conv)
    assert conv_by_hand.conv_parameter_count(c_in, c_out, k, bias=False) == count_parameters(nn.Conv2d(c_in, c_out, k, bias=False))
    assert conv_by_hand.dense_parameter_count(c_in * 9, c_out) == count_parameters(nn.Linear(c_in * 9, c_out))


def measured_receptive_field(layers):
    """Which input pixels the centre output depends on (non-zero gradient), through real conv layers."""
    size = 101
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    out = x
    for k, s in layers:
        conv = nn.Conv2d(1, 1, k, s, bias=False)
        nn.init.constant_(conv.weight, 1.0)
        out = conv(out)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    return int((x.grad[0, 0].abs().sum(dim=0) > 0).sum())


@pytest.mark.parametrize("layers", [[(3, 1)], [(3, 1)] * 3, [(5, 1), (2, 2), (5, 1), (2, 2)], [(3, 1), (2, 2)] * 3, [(7, 2), (3, 2)]])
def test_receptive_field_formula_matches_the_gradient(layers):
    assert conv_by_hand.receptive_field(layers) == measured_receptive_field(layers)


def test_sobel_responds_to_edges_of_its_direction_only():
    image = torch.zeros(10, 10)
    image[:, 5:] = 1.0  # a vertical edge: dark left, bright right
    gx = conv_by_hand.apply_kernel(image, conv_by_hand.SOBEL_X)
    gy = conv_by_hand.apply_kernel(image, conv_by_hand.SOBEL_Y)
    assert gx[1:-1, 4:6].min() == 4.0  # brighter to the right: positive, 1 + 2 + 1
    assert gx[1:-1, :3].abs().max() == 0 and gx[1:-1, 7:-1].abs().max() == 0  # flat regions: nothing
    assert gy[1:-1, 1:-1].abs().max() == 0  # no horizontal edge inside the image
    magnitude = conv_by_hand.edge_magnitude(image)
    assert magnitude.shape == image.shape
    torch.testing.assert_close(magnitude, torch.sqrt(gx**2 + gy**2))
    torch.testing.assert_close(conv_by_hand.edge_magnitude(image.T.contiguous()), magnitude.T)  # rotating the image rotates the edges
    assert all(abs(float(k.sum())) < 1e-6 for name, k in conv_by_hand.EDGE_KERNELS.items() if name != "box blur")
