"""Convolution and max pooling written out with loops, the output-size formula, and classic edge detectors (lab 03).

What `torch.nn.functional.conv2d` computes is a *cross-correlation*: the kernel slides over the image as it is,
not flipped. The loops below are slow on purpose: one output position at a time, so each line reads as the
definition. The lab and its tests check them against PyTorch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

# Sobel kernels in cross-correlation form (as F.conv2d applies them): SOBEL_X is positive where brightness
# increases to the right (it responds to vertical edges), SOBEL_Y where it increases downwards.
SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SOBEL_Y = SOBEL_X.T.contiguous()
LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])  # responds to blobs and lines, any direction
BOX_BLUR = torch.full((3, 3), 1.0 / 9)  # the mean of each 3×3 window: a low-pass filter, for contrast
EDGE_KERNELS = {"Sobel x": SOBEL_X, "Sobel y": SOBEL_Y, "Laplacian": LAPLACIAN, "box blur": BOX_BLUR}


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output width (or height) of a convolution or pooling layer: ⌊(W − K + 2P) / S⌋ + 1."""
    return (size - kernel + 2 * padding) // stride + 1


def conv_parameter_count(in_channels: int, out_channels: int, kernel_size: int, bias: bool = True) -> int:
    """A Conv2d has one K×K kernel per (output, input) channel pair, plus one bias per output channel."""
    return out_channels * in_channels * kernel_size * kernel_size + (out_channels if bias else 0)


def dense_parameter_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """A Linear layer connects every input to every output: in·out weights, plus `out` biases."""
    return in_features * out_features + (out_features if bias else 0)


def conv2d_by_hand(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1, padding: int = 0) -> Tensor:
    """Cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in, K, K), as F.conv2d computes it."""
    n, c_in, _, _ = x.shape
    c_out, c_in_w, k_h, k_w = weight.shape
    if c_in != c_in_w:
        raise ValueError(f"x has {c_in} channels but the kernels expect {c_in_w}")
    x = F.pad(x, (padding, padding, padding, padding))  # zeros around the image: left, right, top, bottom
    out_h = (x.shape[2] - k_h) // stride + 1
    out_w = (x.shape[3] - k_w) // stride + 1
    out = x.new_zeros(n, c_out, out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + k_h, j * stride:j * stride + k_w]  # (N, C_in, K, K)
            # each output channel: multiply the window by its kernel, sum over input channels and kernel positions
            out[:, :, i, j] = (window.unsqueeze(1) * weight.unsqueeze(0)).sum(dim=(2, 3, 4))
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out


def max_pool2d_by_hand(x: Tensor, kernel_size: int, stride: int | None = None) -> Tensor:
    """The largest value of each kernel_size×kernel_size window, windows `stride` apart (default: kernel_size)."""
    stride = kernel_size if stride is None else stride
    out_h = (x.shape[2] - kernel_size) // stride + 1
    out_w = (x.shape[3] - kernel_size) // stride + 1
    out = x.new_empty(x.shape[0], x.shape[1], out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, :, i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
            out[:, :, i, j] = window.amax(dim=(2, 3))  # pooling works on each channel on its own
    return out


def apply_kernel(image: Tensor, kernel: Tensor) -> Tensor:
    """One 2-D kernel applied to one image (H, W) with F.conv2d, zero padding keeping the size."""
    k = kernel.shape[-1]
    return F.conv2d(image[None, None], kernel[None, None].to(image.dtype), padding=k // 2)[0, 0]


def edge_magnitude(image: Tensor) -> Tensor:
    """Sobel gradient magnitude √(gx² + gy²) of an image (H, W): large on edges, zero on flat regions."""
    return torch.sqrt(apply_kernel(image, SOBEL_X) ** 2 + apply_kernel(image, SOBEL_Y) ** 2)


def receptive_field(layers: list[tuple[int, int]]) -> int:
    """Input pixels (per side) that one output pixel sees, for a stack of (kernel, stride) conv or pooling layers.

    Each layer widens the field by (K − 1) times the product of the strides before it.
    """
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


def compare_with_pytorch(seed: int = 0) -> list[tuple[str, float]]:
    """(case, largest absolute difference) of the loops above against F.conv2d and F.max_pool2d on random inputs.

    The last row flips the kernel (a true convolution): the size of that difference is what a wrong answer looks like.
    """
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for c_in, c_out, size, k, stride, padding in [(1, 1, 6, 3, 1, 0), (3, 4, 9, 3, 1, 1), (3, 2, 10, 5, 2, 2), (2, 5, 7, 1, 1, 0)]:
        x = torch.randn(2, c_in, size, size, generator=gen)
        w, b = torch.randn(c_out, c_in, k, k, generator=gen), torch.randn(c_out, generator=gen)
        diff = (conv2d_by_hand(x, w, b, stride, padding) - F.conv2d(x, w, b, stride, padding)).abs().max().item()
        rows.append((f"conv2d: {c_in}→{c_out} channels, {size}×{size}, kernel {k}, stride {stride}, padding {padding}", diff))
    for size, k, stride in [(8, 2, 2), (9, 3, 2), (7, 3, 1)]:
        x = torch.randn(2, 3, size, size, generator=gen)
        diff = (max_pool2d_by_hand(x, k, stride) - F.max_pool2d(x, k, stride)).abs().max().item()
        rows.append((f"max pool: {size}×{size}, window {k}, stride {stride}", diff))
    x, w = torch.randn(2, 3, 8, 8, generator=gen), torch.randn(4, 3, 3, 3, generator=gen)
    flipped = conv2d_by_hand(x, w.flip(dims=(2, 3)))
    rows.append(("wrong on purpose: kernel flipped (true convolution) vs conv2d", (flipped - F.conv2d(x, w)).abs().max().item()))
    return rows
