"""Lab 03's checks: the reference and another correct answer pass, classic mistakes fail with the right hint, stubs are 'not attempted'."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.checks import lab03 as check
from dlpractice.data.image_sets import channel_stats
from dlpractice.models import LeNet5, ResidualBlock
from dlpractice.vision import conv_by_hand
from support.exercise_checks import fails

# ---------------------------------------------------------------- shapes and counts

def test_conv_output_size():
    assert check.conv_output_size(conv_by_hand.conv_output_size)
    assert check.conv_output_size(lambda w, k, s, p: math.floor((w + 2 * p - k) / s) + 1)
    fails(check.conv_output_size, lambda w, k, s, p: (w - k) // s + 1, match="on \\*each\\* side")
    fails(check.conv_output_size, lambda w, k, s, p: (w - k + 2 * p) // s, match="off by one")
    fails(check.conv_output_size, lambda w, k, s, p: math.ceil((w - k + 2 * p) / s) + 1, match="round down")
    fails(check.conv_output_size, lambda w, k, s, p: (w - k + 2 * p) / s + 1, match="return an int|expected the int")
    # counting the window positions one by one: a loop, no formula
    assert check.conv_output_size(lambda w, k, s, p: sum(1 for _ in range(0, w + 2 * p - k + 1, s)))
    # int(x + 0.5): rounds to the nearest; (10 - 2) / 3 = 2.67 gives 4 windows instead of 3
    fails(check.conv_output_size, lambda w, k, s, p: int((w - k + 2 * p) / s + 0.5) + 1, match="round down")
    # NumPy's floor returns a float64: right number, wrong type
    fails(check.conv_output_size, lambda w, k, s, p: np.floor((w - k + 2 * p) / s) + 1, match="right number, but a float64")


def test_conv_parameter_count():
    assert check.conv_parameter_count(conv_by_hand.conv_parameter_count)
    assert check.conv_parameter_count(lambda i, o, k: sum(p.numel() for p in nn.Conv2d(i, o, k).parameters()))
    fails(check.conv_parameter_count, lambda i, o, k: o * i * k * k, match="weights only")
    fails(check.conv_parameter_count, lambda i, o, k: o * k * k + o, match="per input channel")
    fails(check.conv_parameter_count, lambda i, o, k: o * i * k * k + i, match="per \\*output\\* channel")
    fails(check.conv_parameter_count, lambda i, o, k: o * i * k + o, match="K² weights")
    fails(check.conv_parameter_count, lambda i, o, k: o * i * k * k + 1, match="one bias per \\*output")  # at C_in = 1 the two mistakes agree
    fails(check.conv_parameter_count, lambda i, o, k: o * i * 2 * k + o, match="K² weights|expected")  # 2K = K² at K = 2 only
    assert check.conv_parameter_count(lambda i, o, k: int(np.prod([o, i, k, k])) + o)  # NumPy, back to an int


def test_receptive_field():
    assert check.receptive_field(conv_by_hand.receptive_field)

    def backwards(layers):  # r_{l-1} = S·r_l + (K − S), from the last layer down to the input
        r = 1
        for k, s in reversed(layers):
            r = s * r + (k - s)
        return r

    assert check.receptive_field(backwards)
    fails(check.receptive_field, lambda layers: 1 + sum(k - 1 for k, _ in layers), match="strides matter")

    def own_stride(layers):
        field, jump = 1, 1
        for k, s in layers:
            jump *= s
            field += (k - 1) * jump
        return field

    fails(check.receptive_field, own_stride, match="not including its own")


# ---------------------------------------------------------------- convolution and pooling by hand

def conv_unfold(x, weight, bias, stride, padding):
    """Another correct answer: im2col (F.unfold) and one matrix product."""
    n, _, h, w = x.shape
    c_out, _, k, _ = weight.shape
    out_h, out_w = (h + 2 * padding - k) // stride + 1, (w + 2 * padding - k) // stride + 1
    cols = F.unfold(x, k, padding=padding, stride=stride)  # (N, C_in·K·K, L)
    out = (weight.view(c_out, -1) @ cols).view(n, c_out, out_h, out_w)
    return out if bias is None else out + bias.view(1, -1, 1, 1)


class ResidualBlockWithoutAffine(nn.Module):  # BatchNorm2d(affine=False): no γ and β, a valid block all the same
    def __init__(self, channels):
        super().__init__()
        self.conv1, self.conv2 = (nn.Conv2d(channels, channels, 3, padding=1) for _ in range(2))
        self.bn1, self.bn2 = nn.BatchNorm2d(channels, affine=False), nn.BatchNorm2d(channels, affine=False)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + x)


def test_a_residual_block_without_affine_batch_norm_is_accepted():
    assert check.residual_block(ResidualBlockWithoutAffine)


def test_conv2d():
    assert check.conv2d(conv_by_hand.conv2d_by_hand)
    assert check.conv2d(conv_unfold)
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w.flip(dims=(2, 3)), b, s, p), match="flipped the kernel")
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w, b, s, 0), match="padding is missing")
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w, b, 1, p), match="stride is ignored")

    def stride_wrong(x, w, b, s, p):  # right output size, but window (i, j) instead of (i·S, j·S)
        full = conv_by_hand.conv2d_by_hand(x, w, b, 1, p)
        return full[..., :(x.shape[2] + 2 * p - w.shape[2]) // s + 1, :(x.shape[3] + 2 * p - w.shape[3]) // s + 1]

    fails(check.conv2d, stride_wrong, match="stride is applied wrong")

    def channels_not_summed(x, w, b, s, p):  # one result per (output, input) channel pair
        per_channel = torch.stack([conv_by_hand.conv2d_by_hand(x[:, i:i + 1], w[:, i:i + 1], None, s, p)
                                   for i in range(x.shape[1])], dim=2)
        return per_channel if b is None else per_channel + b.view(1, -1, 1, 1, 1)

    fails(check.conv2d, channels_not_summed, match="input channels are not summed")
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w / x.shape[1], b, s, p), match="averaged over")
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w, None, s, p), match="bias is missing")
    # float64 in, float32 out (an output buffer made with torch.zeros, float32 by default)
    fails(check.conv2d, lambda x, w, b, s, p: conv_by_hand.conv2d_by_hand(x, w, b, s, p).float(),
          match="float64 expected, float32 out")

    def float32_then_back(x, w, b, s, p):  # the right dtype, float32's precision
        return F.conv2d(x.float(), w.float(), None if b is None else b.float(), s, p).to(x.dtype)

    fails(check.conv2d, float32_then_back, match="only to float32 precision")

    def float32_buffer(x, w, b, s, p):  # torch.zeros is float32; with a bias added the sum is float64 again
        out = torch.zeros(x.shape[0], w.shape[0], *F.conv2d(x, w, None, s, p).shape[2:])
        out += F.conv2d(x, w, None, s, p)
        return out if b is None else out + b[None, :, None, None]

    fails(check.conv2d, float32_buffer, match="float32")

    def pads_in_place(x, w, b, s, p):  # writes the zero border into the caller's x
        x[..., :1, :] = 0
        return F.conv2d(x, w, b, s, p)

    fails(check.conv2d, pads_in_place, match="changed `x` in place")

    def ceil_sizes(x, w, b, s, p):  # rounds the output size up: one window too many where the stride does not fit
        out = F.conv2d(F.pad(x, (p, p + s, p, p + s)), w, b, s, 0)
        return out

    fails(check.conv2d, ceil_sizes, match="expected shape")


def test_max_pool2d():
    assert check.max_pool2d(conv_by_hand.max_pool2d_by_hand)

    def with_unfold(x, kernel_size, stride=None):
        stride = stride or kernel_size
        patches = x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride)  # (N, C, H', W', K, K)
        return patches.flatten(-2).max(dim=-1).values

    assert check.max_pool2d(with_unfold)
    fails(check.max_pool2d, lambda x, k, s=None: F.avg_pool2d(x, k, s or k), match="average pooling")
    fails(check.max_pool2d, lambda x, k, s=None: F.max_pool2d(x, k, 1), match="stride is ignored")
    fails(check.max_pool2d, lambda x, k, s=None: F.max_pool2d(x, s or k, s or k), match="window is `kernel_size` wide")
    fails(check.max_pool2d, lambda x, k, s=None: conv_by_hand.max_pool2d_by_hand(x, k, s).clamp(min=0), match="never goes below 0")
    fails(check.max_pool2d, lambda x, k, s: F.max_pool2d(x, k, s), match="raised TypeError")

    def float32_buffer(x, kernel_size, stride=None):  # torch.empty(...) is float32 whatever x is
        out = torch.empty(F.max_pool2d(x, kernel_size, stride or kernel_size).shape)
        out[:] = F.max_pool2d(x, kernel_size, stride or kernel_size)
        return out

    fails(check.max_pool2d, float32_buffer, match="float64 expected, float32 out")


def test_edge_magnitude():
    assert check.edge_magnitude(conv_by_hand.edge_magnitude)

    def flipped_two_channels(image):  # true convolution (kernels flipped) and both kernels at once: same magnitude
        kernels = torch.stack([conv_by_hand.SOBEL_X.flip(dims=(0, 1)), conv_by_hand.SOBEL_Y.flip(dims=(0, 1))])[:, None]
        kernels = kernels.to(image.dtype)
        return torch.linalg.vector_norm(F.conv2d(image[None, None], kernels, padding=1)[0], dim=0)

    assert check.edge_magnitude(flipped_two_channels)
    fails(check.edge_magnitude, lambda im: conv_by_hand.apply_kernel(im, conv_by_hand.SOBEL_X).abs(), match="only the horizontal")
    fails(check.edge_magnitude, lambda im: conv_by_hand.apply_kernel(im, conv_by_hand.SOBEL_X).abs()
          + conv_by_hand.apply_kernel(im, conv_by_hand.SOBEL_Y).abs(), match="approximation")
    fails(check.edge_magnitude, lambda im: conv_by_hand.edge_magnitude(im) ** 2, match="square root")
    fails(check.edge_magnitude, lambda im: conv_by_hand.edge_magnitude(im)[1:-1, 1:-1], match="padding=1")
    prewitt = torch.tensor([[-1.0, 0.0, 1.0]] * 3)
    fails(check.edge_magnitude, lambda im: torch.sqrt(conv_by_hand.apply_kernel(im, prewitt) ** 2
                                                      + conv_by_hand.apply_kernel(im, prewitt.T) ** 2), match="Prewitt")


def sobel_by_shifts(image):
    """Another correct answer: the zero-padded image shifted by slices, no convolution at all."""
    h, w = image.shape
    padded = F.pad(image, (1, 1, 1, 1))

    def at(di, dj):  # the neighbour at offset (di, dj) of every pixel
        return padded[1 + di:1 + di + h, 1 + dj:1 + dj + w]

    gx = (at(-1, 1) + 2 * at(0, 1) + at(1, 1)) - (at(-1, -1) + 2 * at(0, -1) + at(1, -1))
    gy = (at(1, -1) + 2 * at(1, 0) + at(1, 1)) - (at(-1, -1) + 2 * at(-1, 0) + at(-1, 1))
    return torch.hypot(gx, gy)


def test_edge_magnitude_sizes_of_one_and_float64():
    assert check.edge_magnitude(sobel_by_shifts)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])

    def squeezed(image):  # .squeeze() instead of [0, 0]: a one-row image comes back as (W,)
        k = sobel_x.to(image.dtype)
        gx = F.conv2d(image[None, None], k[None, None], padding=1).squeeze()
        gy = F.conv2d(image[None, None], k.T[None, None], padding=1).squeeze()
        return torch.sqrt(gx**2 + gy**2)

    fails(check.edge_magnitude, squeezed, match="one-row image.*squeeze")

    def in_float32(image):  # the kernel's float32 imposed on the image: float64 images come back as float32
        x = image.float()[None, None]
        gx, gy = F.conv2d(x, sobel_x[None, None], padding=1), F.conv2d(x, sobel_x.T[None, None], padding=1)
        return torch.sqrt(gx**2 + gy**2)[0, 0]

    fails(check.edge_magnitude, in_float32, match="float64 expected, float32 out")

    def replicate_padding(image):  # edges by replicated borders: a constant image then has no edge at all
        x = F.pad(image[None, None], (1, 1, 1, 1), mode="replicate")
        k = sobel_x.to(image.dtype)
        gx, gy = F.conv2d(x, k[None, None]), F.conv2d(x, k.T[None, None])
        return torch.sqrt(gx**2 + gy**2)[0, 0]

    fails(check.edge_magnitude, replicate_padding, match="values differ|expected")


# ---------------------------------------------------------------- architectures

class LeNetFunctional(nn.Module):  # another correct answer: layers as attributes, functional ReLU and pooling
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.f3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f3(F.relu(self.f2(F.relu(self.f1(x.flatten(1))))))


def lenet_variant(*, act=nn.ReLU, pool=nn.MaxPool2d, padding=2, flat=400, final=None, squeeze=False):
    class Variant(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=padding), act(), pool(2), nn.Conv2d(6, 16, 5), act(),
                                     pool(2), nn.Flatten(), nn.Linear(flat, 120), act(), nn.Linear(120, 84), act(),
                                     nn.Linear(84, 10), *([final] if final else []))

        def forward(self, x):
            out = self.net(x)
            return out.squeeze() if squeeze else out

    return Variant


def test_lenet5():
    assert check.lenet5(LeNet5)
    assert check.lenet5(LeNetFunctional)
    fails(check.lenet5, lenet_variant(act=nn.Identity), match="no non-linearity")
    fails(check.lenet5, lenet_variant(act=nn.Tanh), match="original's tanh")
    fails(check.lenet5, lenet_variant(pool=nn.AvgPool2d), match="average pooling")
    fails(check.lenet5, lenet_variant(padding=0, flat=256), match="needs padding=2")
    fails(check.lenet5, lenet_variant(padding=0), match="raised RuntimeError")
    fails(check.lenet5, lenet_variant(final=nn.Softmax(dim=1)), match="probabilities")
    # dropout "to regularise": no parameters, the same outputs in evaluation mode, others in training mode
    fails(check.lenet5, lenet_variant(final=nn.Dropout(0.5)), match="training mode.*no dropout")
    fails(check.lenet5, lenet_variant(squeeze=True), match="batch of 1.*no squeeze")


class BlockSequential(nn.Module):  # another correct answer: the residual path as one nn.Sequential, conv biases kept
    def __init__(self, channels):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(),
                               nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels))

    def forward(self, x):
        return torch.relu(self.f(x) + x)


def block_variant(*, skip=True, relu_before_add=False, final_relu=True, inner_relu=True, padding=1):
    class Variant(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=padding, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=padding, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)

        def forward(self, x):
            h = self.bn1(self.conv1(x))
            h = self.bn2(self.conv2(F.relu(h) if inner_relu else h))
            if relu_before_add:
                return F.relu(h) + x
            if skip:
                h = h + x
            return F.relu(h) if final_relu else h

    return Variant


def test_residual_block():
    assert check.residual_block(ResidualBlock)
    assert check.residual_block(BlockSequential)
    fails(check.residual_block, block_variant(skip=False), match="skip connection is missing")
    fails(check.residual_block, block_variant(relu_before_add=True), match="\\*after\\* the addition")
    fails(check.residual_block, block_variant(final_relu=False), match="apply ReLU after adding")
    fails(check.residual_block, block_variant(inner_relu=False), match="ReLU between the two convolutions")
    fails(check.residual_block, block_variant(padding=0), match="raised RuntimeError|keeps the shape")


def test_channel_stats():
    assert check.channel_stats(channel_stats)
    assert check.channel_stats(lambda im: (im.transpose(0, 1).flatten(1).mean(dim=1).tolist(),
                                           im.transpose(0, 1).flatten(1).std(dim=1, correction=0).tolist()))
    fails(check.channel_stats, lambda im: (im.mean(), im.std()), match="one per channel")
    fails(check.channel_stats, lambda im: (im.mean(dim=(0, 2, 3)), im.std(dim=(2, 3)).mean(dim=0)), match="each image's own std")
    fails(check.channel_stats, lambda im: (im.mean(dim=(0, 1, 2)), im.std(dim=(0, 1, 2))), match="one per channel|values differ")

    def one_pass(im):  # E[x²] − E[x]²: right on the small cases, rounding error only when the values are near 1000
        mean = im.mean(dim=(0, 2, 3))
        return mean, ((im ** 2).mean(dim=(0, 2, 3)) - mean ** 2).clamp(min=0).sqrt()

    fails(check.channel_stats, one_pass, match="near 1000.*deviations from the mean")
    # other correct answers: NumPy, and float64 inside (then E[x²] − E[x]² keeps enough digits, too)
    assert check.channel_stats(lambda im: (im.numpy().mean(axis=(0, 2, 3)), im.numpy().std(axis=(0, 2, 3), ddof=1)))
    assert check.channel_stats(lambda im: one_pass(im.double()))
