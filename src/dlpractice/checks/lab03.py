"""Checks for lab 03 (cnn): `from dlpractice.checks import lab03 as check`, then `check.NAME(answer)`.

Each check compares the answer with PyTorch itself (F.conv2d, F.max_pool2d, nn.Conv2d's parameters, the
shapes conv2d really produces) on more cases than the notebook shows: several channels, stride and padding
together, non-square images, a batch of one, all-negative inputs. When a wrong answer is a classic mistake
(a flipped kernel, padding forgotten, average instead of max, the skip connection missing) the hint says which.
Checks fork the random state, so calling one never changes the numbers a notebook draws afterwards.
"""

from __future__ import annotations

import copy
import itertools
import numbers
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlpractice.checks import tensors
from dlpractice.checks.core import CheckFailed, attempt, exercise, expect, expect_close, expect_dtype, expect_equal
from dlpractice.checks.tensors import isolated, randomize_batch_norms

__all__ = ["conv_output_size", "conv_parameter_count", "conv2d", "max_pool2d", "edge_magnitude", "receptive_field",
           "lenet5", "residual_block", "channel_stats"]


# --------------------------------------------------------------------------- helpers

def close(a: Any, b: Any) -> bool:
    """`tensors.close` with a tolerance for sums of many float32 products (convolutions, batch norm)."""
    return tensors.close(a, b, atol=1e-4, rtol=1e-4)


def expect_int(got: Any, expected: int, case: str, known: dict[int, str], hint: str) -> None:
    """An int equal to `expected`; a value in `known` gets that mistake's hint."""
    if isinstance(got, bool) or not isinstance(got, numbers.Integral):
        number = got.item() if isinstance(got, Tensor) and got.numel() == 1 else got
        if isinstance(number, numbers.Real) and float(number) == expected:
            raise CheckFailed(f"case '{case}': right number, but a {type(got).__name__}. Hint: return an int "
                              "(integer division // rounds down and stays an int).")
        raise CheckFailed(f"case '{case}': expected the int {expected}, got {got!r}. Hint: {hint}")
    if int(got) != expected:
        raise CheckFailed(f"case '{case}': expected {expected}, got {int(got)}. Hint: {known.get(int(got), hint)}")


def expect_tensor_like(got: Any, expected: Tensor, case: str, mistakes: list[tuple[Tensor, str]], hint: str) -> None:
    """`got` matches `expected`; if it matches one of the known mistakes (by shape and value), say which."""
    tensors.expect_tensor(got, case)
    if close(got, expected):
        return
    for wrong, why in mistakes:
        if close(got, wrong):
            raise CheckFailed(f"case '{case}': {why}")
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailed(f"case '{case}': expected shape {tuple(expected.shape)}, got {tuple(got.shape)}. "
                          f"Hint: {hint}")
    expect_close(got, expected, case, hint=hint, atol=1e-4)


# --------------------------------------------------------------------------- shapes and counts

@exercise("conv_output_size")
def conv_output_size(fn: Callable[[int, int, int, int], int]) -> None:
    """conv_output_size(size, kernel, stride, padding): the output width of Conv2d / MaxPool2d,
    as PyTorch computes it."""
    # besides the notebook's sizes: (W − K + 2P) / S = 8/3, whose nearest integer is not its floor; a stride larger
    # than the kernel (a 1×1 conv with stride 2); a kernel larger than the input that fits only thanks to padding
    for size, kernel, stride, padding in [(28, 5, 1, 0), (28, 5, 1, 2), (32, 3, 2, 1), (7, 2, 2, 0), (28, 3, 2, 0),
                                          (5, 5, 1, 0), (10, 3, 3, 1), (224, 7, 2, 3), (1, 1, 1, 0), (10, 2, 3, 0),
                                          (9, 1, 2, 0), (3, 5, 1, 1)]:
        case = f"size {size}, kernel {kernel}, stride {stride}, padding {padding}"
        expected = F.conv2d(torch.zeros(1, 1, size, size, device="meta"),
                            torch.zeros(1, 1, kernel, kernel, device="meta"),
                            stride=stride, padding=padding).shape[-1]
        got = attempt(fn, size, kernel, stride, padding, case=case)
        known = {
            (size - kernel) // stride + 1: "padding P adds P zeros on *each* side: the padded width is W + 2P",
            (size - kernel + padding) // stride + 1: "padding is added on both sides: + 2P, not + P",
            (size - kernel + 2 * padding) // stride: "off by one: the kernel's first position counts too (+ 1)",
            -(-(size - kernel + 2 * padding) // stride) + 1: "round down: a window that would stick out past the "
                                                             "padded image is dropped (⌊(W − K + 2P) / S⌋ + 1)",
            (size - kernel + 2 * padding + 1) // stride: "stride divides (W − K + 2P) only; then add 1",
        }
        # round() to the nearest: when it differs from the floor it equals the ceiling, whose hint above says why
        known.setdefault(round((size - kernel + 2 * padding) / stride) + 1, "round down (⌊⌋, //), not to the nearest "
                         "integer: a window that would stick out past the padded image is dropped")
        known.pop(expected, None)
        expect_int(got, expected, case, known, "⌊(W − K + 2P) / S⌋ + 1")


@exercise("conv_parameter_count")
def conv_parameter_count(fn: Callable[[int, int, int], int]) -> None:
    """conv_parameter_count(in_channels, out_channels, kernel_size): parameters of nn.Conv2d (with its bias)."""
    # besides: an even kernel (2·K = K² when K = 2, so only other sizes tell K² from 2K), many inputs into one
    # output channel (C_in ≠ C_out in the other direction), and a count in the millions
    for c_in, c_out, k in [(1, 6, 5), (6, 16, 5), (3, 64, 3), (16, 16, 1), (64, 128, 3), (1, 1, 1), (3, 8, 2),
                           (128, 1, 1), (512, 512, 3)]:
        case = f"Conv2d({c_in}, {c_out}, kernel_size={k})"
        expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k, device="meta").parameters())
        got = attempt(fn, c_in, c_out, k, case=case)
        known = {
            c_out * c_in * k * k: "you counted the weights only: each output channel also has one bias",
            c_out * k * k + c_out: "each output channel has one K×K kernel *per input channel*: C_out·C_in·K·K weights",
            c_out * c_in * k * k + 1: "one bias per *output channel*, not one for the whole layer",
            c_out * c_in * k * k + c_in: "one bias per *output* channel, not per input channel",  # wins at C_in = 1
            c_out * c_in * k + c_out: "a kernel is K×K: K² weights per (output, input) channel pair",
        }
        known.pop(expected, None)
        expect_int(got, expected, case, known, "C_out·C_in·K·K weights + C_out biases")


@exercise("receptive_field")
def receptive_field(fn: Callable[[list[tuple[int, int]]], int]) -> None:
    """receptive_field(layers): input pixels per side seen by one output pixel of a stack of (kernel, stride) layers."""
    cases = [
        ("one 3×3 conv", [(3, 1)]), ("two 3×3 convs", [(3, 1), (3, 1)]), ("no layers", []),
        ("LeNet-5: conv 5, pool 2, conv 5, pool 2", [(5, 1), (2, 2), (5, 1), (2, 2)]),
        ("SmallVGG: (conv 3, pool 2) × 3", [(3, 1), (2, 2)] * 3),
        ("a ResNet stem: conv 7 stride 2, pool 3 stride 2", [(7, 2), (3, 2)]),
        ("stride first", [(2, 2), (3, 1), (3, 1)]),
        # 1×1 convs add nothing themselves (K − 1 = 0); the pool's stride still spaces the last conv's inputs. (No
        # stride larger than its kernel: the inputs seen then have gaps, and "width" and "pixels seen" part ways.)
        ("1×1 convs between a conv, a pool and a conv", [(3, 1), (1, 1), (2, 2), (1, 1), (3, 1)]),
        ("twelve 3×3 convs", [(3, 1)] * 12),  # more than ten layers
        ("five 3×3 convs with stride 2", [(3, 2)] * 5),  # the spacing grows to 2⁴ = 16 before the last one
    ]
    for case, layers in cases:
        expected = reference_receptive_field(layers)
        got = attempt(fn, list(layers), case=case)
        no_strides = 1 + sum(k - 1 for k, _ in layers)
        own_stride = 1 + sum((k - 1) * int(np.prod([s for _, s in layers[:i + 1]])) for i, (k, _) in enumerate(layers))
        known = {no_strides: "strides matter: after a stride-2 layer, neighbouring pixels are 2 input pixels apart, "
                             "so each later layer's (K − 1) counts times the product of the strides before it",
                 own_stride: "multiply by the strides of the layers *before* this one, not including its own",
                 sum(k for k, _ in layers): "start from 1 pixel and add (K − 1) · "
                                            "(product of earlier strides) per layer"}
        known.pop(expected, None)
        expect_int(got, expected, case, known, "r = 1 + Σ (K_i − 1) · Π_{j<i} S_j")


def reference_receptive_field(layers: list[tuple[int, int]]) -> int:
    """Measured, not computed: which input pixels change the centre output of a chain of average pools
    (gradient ≠ 0)."""
    size = 1 + sum((k - 1) * int(np.prod([s for _, s in layers[:i]])) for i, (k, _) in enumerate(layers)) + 64
    x = torch.zeros(1, 1, 1, size, dtype=torch.float64, requires_grad=True)
    out = x
    for k, s in layers:
        out = F.avg_pool2d(out, (1, k), (1, s))
    out[..., 0].sum().backward()
    return int((x.grad != 0).sum())


# --------------------------------------------------------------------------- convolution and pooling by hand

@exercise("conv2d")
@isolated
def conv2d(fn: Callable[..., Tensor]) -> None:
    """conv2d(x, weight, bias, stride, padding): cross-correlation as F.conv2d computes it (several channels)."""
    cases = [
        ("1 channel, 5×5 image, 3×3 kernel", (1, 1, 5, 5), (1, 1, 3, 3), True, 1, 0),
        ("3 → 2 channels, padding 1", (2, 3, 6, 6), (2, 3, 3, 3), True, 1, 1),
        ("2 → 4 channels, stride 2", (1, 2, 7, 7), (4, 2, 3, 3), True, 2, 0),
        ("4 → 3 channels, 5×5 kernel, stride 2, padding 2", (3, 4, 9, 9), (3, 4, 5, 5), True, 2, 2),
        ("non-square image 6×9, no bias", (2, 2, 6, 9), (3, 2, 3, 3), False, 1, 1),
        ("1×1 kernel", (1, 5, 4, 4), (2, 5, 1, 1), True, 1, 0),
        ("float64, a batch of one, 6×7 image, stride 2 (the last column does not fit)", (1, 2, 6, 7), (2, 2, 3, 3),
         True, 2, 0),
        ("float64, no bias, padding 1", (2, 3, 5, 6), (2, 3, 3, 3), False, 1, 1),
    ]
    for case, x_shape, w_shape, with_bias, stride, padding in cases:
        dtype = torch.float64 if case.startswith("float64") else torch.float32
        x, w = torch.randn(x_shape, dtype=dtype), torch.randn(w_shape, dtype=dtype)
        b = torch.randn(w_shape[0], dtype=dtype) if with_bias else None
        got = attempt(fn, x, w, b, stride, padding, case=case)  # attempt checks that x, w and b are left unchanged
        expected = F.conv2d(x, w, b, stride, padding)
        expect_dtype(got, dtype, case)
        out_h, out_w = expected.shape[-2:]
        mistakes = [
            (F.conv2d(x, w.flip(dims=(2, 3)), b, stride, padding), "you flipped the kernel: that is the convolution of "
             "mathematics; F.conv2d (like every deep-learning library) computes cross-correlation — "
             "slide the kernel as it is."),
            (F.conv2d(x, w, b, stride, 0), "the padding is missing: pad the input with P zeros on each side first "
             "(F.pad(x, (P, P, P, P)))."),
            (F.conv2d(x, w, b, 1, padding),
             "the stride is ignored: output (i, j) reads the window starting at (i·S, j·S)."),
            (F.conv2d(x, w, b, 1, padding)[..., :out_h, :out_w], "the stride is applied wrong: output (i, j) reads the "
             "window starting at input (i·S, j·S), not (i, j)."),
            (F.conv2d(x, w / x_shape[1], b, stride, padding), "you averaged over the input channels: "
             "each output is the *sum* over all input channels and kernel positions (plus the bias)."),
            (F.conv2d(x[:, :1], w[:, :1], b, stride, padding), "only the first input channel is used: sum the products "
             "over *all* input channels."),
            (F.conv2d(x, w, None, stride, padding),
             "the bias is missing: add bias[c] to every position of output channel c."),
        ]
        if isinstance(got, Tensor) and got.ndim == 5:
            raise CheckFailed(f"case '{case}': a 5-D result {tuple(got.shape)}. "
                              "Hint: the input channels are not summed: "
                              "each output channel adds up the products over all input channels.")
        expect_tensor_like(got, expected, case, mistakes,
                           "out[n, c, i, j] = Σ over input channels and kernel positions of "
                           "x_padded[n, :, i·S + u, j·S + v] · w[c, :, u, v], + bias[c]")
        if dtype == torch.float64 and not tensors.close(got, expected, atol=1e-10, rtol=1e-9):
            # float32 arithmetic cast back to float64 agrees to about 1e-7 only
            raise CheckFailed(f"case '{case}': the values agree with F.conv2d only to float32 precision (about 1e-7): "
                              "compute in float64 throughout (a buffer made with the input's dtype, no .float())")


@exercise("max_pool2d")
@isolated
def max_pool2d(fn: Callable[..., Tensor]) -> None:
    """max_pool2d(x, kernel_size, stride=None): the max of each window, as F.max_pool2d
    (stride defaults to the window)."""
    cases = [
        ("window 2, stride 2, 4×4", (1, 1, 4, 4), 2, 2), ("window 3, stride 2, 7×7, 3 channels", (2, 3, 7, 7), 3, 2),
        ("window 2, stride 1", (1, 2, 5, 5), 2, 1), ("window 3, stride 3, non-square 9×6", (2, 1, 9, 6), 3, 3),
        ("all values negative", (1, 2, 4, 4), 2, 2),
        ("stride not given: it defaults to the window", (2, 2, 6, 6), 3, None),
        ("float64, window 2, stride 2, odd size 5×5", (1, 1, 5, 5), 2, 2),
    ]
    for case, shape, k, stride in cases:
        x = torch.randn(shape, dtype=torch.float64 if case.startswith("float64") else torch.float32)
        if "negative" in case:
            x = -x.abs() - 0.1
        args = (x.clone(), k) if stride is None else (x.clone(), k, stride)
        got = attempt(fn, *args, case=case)
        s = k if stride is None else stride
        expected = F.max_pool2d(x, k, s)
        mistakes = [
            (F.avg_pool2d(x, k, s), "that is average pooling: max pooling keeps the *largest* value of each window."),
            (F.max_pool2d(x, k, 1), "the stride is ignored: windows start `stride` pixels apart."),
            (F.max_pool2d(x, s, s),
             "the window is `kernel_size` wide; the stride only says where the next window starts."),
            (F.max_pool2d(x, k, s).clamp(min=0), "your maximum never goes below 0: start from the first value of the "
             "window (or -inf), or use .amax, not from 0."),
        ]
        if "defaults" in case:
            mistakes.append((F.max_pool2d(x, k, 1),
                             "with no stride given, the stride is the window size (as in PyTorch)."))
        expect_tensor_like(got, expected, case, mistakes,
                           "out[n, c, i, j] = max of x[n, c, i·S : i·S + K, j·S : j·S + K], each channel on its own")
        expect_dtype(got, x.dtype, case)


@exercise("edge_magnitude")
@isolated
def edge_magnitude(fn: Callable[[Tensor], Tensor]) -> None:
    """edge_magnitude(image): Sobel gradient magnitude √(gx² + gy²) of an (H, W) image, same size (zero padding 1)."""
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    prewitt_x = torch.tensor([[-1.0, 0.0, 1.0]] * 3)

    def apply(image: Tensor, kernel: Tensor, padding: int = 1) -> Tensor:
        return F.conv2d(image[None, None], kernel[None, None], padding=padding)[0, 0]

    vertical = torch.zeros(8, 8)
    vertical[:, 4:] = 1.0
    square = torch.zeros(9, 7)
    square[2:6, 2:5] = 1.0
    cases = [("a vertical edge", vertical), ("a horizontal edge", vertical.T.contiguous()),
             ("a bright square, 9×7", square), ("random pixels", torch.rand(6, 10)),
             # a height of 1: an answer that squeezes the (1, 1, H, W) result loses the row axis too
             ("a one-row image, 1×6", torch.tensor([[0.0, 0.0, 1.0, 3.0, 3.0, -1.0]])),
             # flat inside; only the zero padding makes edges, all around the border
             ("a constant image, 5×5", torch.full((5, 5), 0.7)),
             # float64 in, float64 out: the text asks for kernels of the image's dtype
             ("random pixels in float64, with negative values", torch.randn(7, 5, dtype=torch.float64))]
    for case, image in cases:
        got = attempt(fn, image.clone(), case=case)
        sobel_x, prewitt_x = sobel_x.to(image.dtype), prewitt_x.to(image.dtype)
        gx, gy = apply(image, sobel_x), apply(image, sobel_x.T)
        expected = torch.sqrt(gx**2 + gy**2)
        mistakes = [
            (gx.abs(), "only the horizontal derivative gx: combine it with gy (Sobel x transposed) as √(gx² + gy²)."),
            (gy.abs(), "only the vertical derivative gy: combine it with gx as √(gx² + gy²)."),
            (gx.abs() + gy.abs(), "|gx| + |gy| is an approximation: the magnitude is √(gx² + gy²)."),
            (gx**2 + gy**2, "take the square root: √(gx² + gy²)."),
            (torch.sqrt(apply(image, sobel_x, 0) ** 2 + apply(image, sobel_x.T, 0) ** 2) if min(image.shape) >= 3
             else expected[:0],  # without padding a 3×3 kernel does not fit an image 1 pixel high
             "without padding the result shrinks by 2: pass padding=1 to keep the image's size."),
            (torch.sqrt(apply(image, prewitt_x) ** 2 + apply(image, prewitt_x.T) ** 2),
             "that is the Prewitt kernel: Sobel weighs the middle row (or column) by 2: "
             "[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]."),
        ]
        if isinstance(got, Tensor) and close(got.flatten(), expected.flatten()) and got.shape != expected.shape:
            raise CheckFailed(f"case '{case}': expected shape {tuple(expected.shape)}, got {tuple(got.shape)}. Hint: "
                              "take [0, 0] of the (1, 1, H, W) result; .squeeze() also drops an H or W of 1.")
        expect_tensor_like(got, expected, case, mistakes,
                           "gx and gy are F.conv2d of the image (as (1, 1, H, W)) with the Sobel kernels, padding=1")
        expect_dtype(got, image.dtype, case)


# --------------------------------------------------------------------------- architectures

def lenet_forward(convs: list[nn.Conv2d], linears: list[nn.Linear], x: Tensor, act: Callable = F.relu,
                  pool: Callable = F.max_pool2d, final: Callable = lambda t: t) -> Tensor:
    h = pool(act(convs[0](x)), 2)
    h = pool(act(convs[1](h)), 2).flatten(1)
    return final(linears[2](act(linears[1](act(linears[0](h))))))


@exercise("lenet5")
@isolated
def lenet5(cls: type) -> None:
    """cls(): LeNet-5 for 1×28×28 digits, 10 logits: conv5(6, padding 2) → ReLU → maxpool → conv5(16) → ReLU → maxpool
    → 120 → 84 → 10 (ReLU between the Linear layers)."""
    case = f"{getattr(cls, '__name__', 'model')}()"
    model = attempt(cls, case=case)
    expect(isinstance(model, nn.Module), case, f"expected an nn.Module, got {type(model).__name__}. "
           "Hint: subclass nn.Module and call super().__init__() first.")
    n_params = sum(p.numel() for p in model.parameters())
    expected = 61_706
    if n_params != expected:
        known = {0: "the model has no parameters: layers kept in a plain list are invisible to PyTorch "
                    "(use nn.Sequential).",
                 44_426: "the first conv needs padding=2: a 28×28 digit then stays 28×28, and the second conv ends at "
                         "16×5×5 = 400 features, as in the original 32×32 LeNet-5.",
                 61_470: "the layers have no bias: leave bias=True (the default)."}
        raise CheckFailed(f"case '{case}': {n_params:,} parameters, expected {expected:,}. Hint: "
                          + known.get(n_params, "Conv2d(1, 6, 5, padding=2), Conv2d(6, 16, 5), Linear(400, 120), "
                                                "Linear(120, 84), Linear(84, 10)."))
    x = torch.randn(16, 1, 28, 28)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(convs) == 2 and len(linears) == 3:
        # Both modes: the architecture has no dropout and no batch norm, so training mode (the mode a model is built
        # in, and trained in) must compute the same outputs as evaluation mode.
        with torch.no_grad():
            got = attempt(model, x, case=f"{case} in training mode")
            expected = lenet_forward(convs, linears, x)
            if isinstance(got, Tensor) and got.shape == expected.shape and not close(got, expected):
                model.eval()
                in_eval = attempt(model, x, case=case)
                model.train()
                if close(in_eval, expected):
                    raise CheckFailed(f"case '{case}': in training mode the outputs differ from conv → ReLU → max pool "
                                      "(×2) → Linear → ReLU → Linear → ReLU → Linear (in evaluation mode they match). "
                                      "Hint: no dropout or batch norm: they are not part of this architecture.")
    model.eval()
    for batch in (1, 7):
        where = f"{case} on a batch of {batch}"
        out = attempt(model, torch.randn(batch, 1, 28, 28), case=where)
        expect(isinstance(out, Tensor), where, f"expected a tensor, got {type(out).__name__}.")
        expect_equal(tuple(out.shape), (batch, 10), where, hint="one row of 10 class scores per image (no squeeze).")
    expect(len(convs) == 2 and len(linears) == 3, case, f"expected 2 Conv2d and 3 Linear layers, found {len(convs)} "
           f"and {len(linears)}.")
    with torch.no_grad():
        got = attempt(model, x, case=case)
        if close(got, lenet_forward(convs, linears, x)):
            return
        variants = [
            (dict(act=lambda t: t), "the model has no non-linearity between its layers: put ReLU after each conv and "
             "after the first two Linear layers."),
            (dict(act=torch.tanh), "that is the original's tanh: this lab's variant uses ReLU."),
            (dict(pool=F.avg_pool2d), "that is average pooling (the original's subsampling): use max pooling."),
            (dict(final=F.relu), "your outputs are never negative: no ReLU after the last layer, it returns logits."),
            (dict(final=lambda t: t.softmax(dim=1)), "your outputs are probabilities: return the logits "
             "(CrossEntropyLoss applies the softmax itself)."),
        ]
        for kwargs, why in variants:
            if close(got, lenet_forward(convs, linears, x, **kwargs)):
                raise CheckFailed(f"case '{case}': {why}")
    raise CheckFailed(f"case '{case}': the outputs differ from conv → ReLU → max pool (×2) → flatten → Linear → ReLU → "
                      "Linear → ReLU → Linear with your layers' weights. Hint: use the layers in that order.")


@exercise("residual_block")
@isolated
def residual_block(cls: type) -> None:
    """cls(channels): out = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + x), same shape as x."""
    for channels, shape in [(4, (2, 4, 6, 6)), (8, (1, 8, 5, 7)), (1, (3, 1, 4, 4))]:
        case = f"{getattr(cls, '__name__', 'block')}({channels}) on {shape}"
        block = attempt(cls, channels, case=case)
        expect(isinstance(block, nn.Module), case, f"expected an nn.Module, got {type(block).__name__}.")
        convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        bns = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
        expect(len(convs) == 2 and all(c.kernel_size == (3, 3) for c in convs), case,
               f"expected two 3×3 Conv2d layers, found {[tuple(c.kernel_size) for c in convs]}.")
        expect(len(bns) == 2, case, f"expected two BatchNorm2d layers (one after each conv), found {len(bns)}.")
        x = torch.randn(shape)
        block.train()
        out = attempt(block, x.clone(), case=case + ", training mode")
        expect(isinstance(out, Tensor), case, f"expected a tensor, got {type(out).__name__}.")
        expect_equal(tuple(out.shape), shape, case, hint="the block keeps the shape (padding=1, stride 1), so F(x) and "
                                                         "x can be added.")
        randomize_batch_norms(block)
        block.eval()
        with torch.no_grad():
            got = attempt(block, x, case=case + ", evaluation mode")
            for (c1, c2), (b1, b2) in itertools.product(itertools.permutations(convs), itertools.permutations(bns)):
                inner = b2(c2(F.relu(b1(c1(x)))))
                if close(got, F.relu(inner + x)):
                    break
            else:
                c1, c2, b1, b2 = *convs, *bns
                inner = b2(c2(F.relu(b1(c1(x)))))
                mistakes = [
                    (F.relu(inner), "the skip connection is missing: add the block's input x before the last ReLU."),
                    (F.relu(inner) + x, "the ReLU comes *after* the addition: ReLU(F(x) + x), not ReLU(F(x)) + x."),
                    (inner + x, "apply ReLU after adding x: ReLU(F(x) + x)."),
                    (F.relu(b2(c2(b1(c1(x)))) + x), "put a ReLU between the two convolutions (after the first BN)."),
                ]
                for wrong, why in mistakes:
                    if close(got, wrong):
                        raise CheckFailed(f"case '{case}': {why}")
                raise CheckFailed(f"case '{case}': the output differs from ReLU(BN(conv(ReLU(BN(conv(x))))) + x) with "
                                  "your layers. Hint: conv → BN → ReLU → conv → BN, then + x, then ReLU.")
        copy.deepcopy(block)  # a block must be copyable (Lightning and checkpoints copy models)


@exercise("channel_stats")
@isolated
def channel_stats(fn: Callable[[Tensor], tuple[Any, Any]]) -> None:
    """channel_stats(images): the mean and standard deviation of each channel of (N, C, H, W) images, shapes (C,)."""
    for case, shape in [("5 colour images 4×6", (5, 3, 4, 6)), ("one grey image 8×8", (1, 1, 8, 8)),
                        ("10 two-channel images 3×3", (10, 2, 3, 3)), ("2 colour images 3×3", (2, 3, 3, 3)),
                        ("8 colour images 16×16 with values near 1000", (8, 3, 16, 16))]:
        c = shape[1]
        images = torch.rand(shape) * torch.linspace(0.5, 2.0, c).view(1, -1, 1, 1) + torch.arange(c).view(1, -1, 1, 1)
        if "1000" in case:  # a large offset: the one-pass formula E[x²] − E[x]² loses every digit in float32
            images = images + 1000
        got = attempt(fn, images.clone(), case=case)
        expect(isinstance(got, (tuple, list)) and len(got) == 2, case, "return two things: (mean, std).")
        mean, std = (torch.as_tensor(g, dtype=torch.float32) if not isinstance(g, Tensor) else g for g in got)
        exp_mean, exp_std = images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3))
        hint = "reduce over the images, height and width (dims 0, 2, 3), keep the channels (dim 1)"
        for name, value, expected in (("mean", mean, exp_mean), ("std", std, exp_std)):
            if tuple(value.shape) != (c,):
                raise CheckFailed(f"case '{case}': the {name} has shape {tuple(value.shape)}, expected ({c},): one per "
                                  f"channel. Hint: {hint}.")
        expect_close(mean, exp_mean, case + " (mean)", hint=hint, atol=1e-4)
        # divide by n or n - 1: both fine
        if close(std, exp_std) or close(std, images.std(dim=(0, 2, 3), correction=0)):
            continue
        if (close(std, images.std(dim=(2, 3)).mean(dim=0))
                or close(std, images.std(dim=(2, 3), correction=0).mean(dim=0))):
            raise CheckFailed(f"case '{case}': that is the average of each image's own std. "
                              "Hint: the std of each channel over all images and pixels at once: "
                              "images.std(dim=(0, 2, 3)).")
        if "1000" in case:
            hint = ("compute the variance from the deviations from the mean (two passes, as torch.std does): "
                    "E[x²] − E[x]² subtracts two huge, nearly equal numbers and keeps only rounding error")
        expect_close(std, exp_std, case + " (std)", hint=hint, atol=1e-4)
