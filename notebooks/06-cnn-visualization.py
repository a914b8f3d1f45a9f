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
# # Lab 06 — CNN visualisation: how can we trust a black box?
#
# The CNN of lab 03 gets nearly every test digit right. But *why* does it call this image a 7? An **explanation
# method** answers with a heat map over the pixels. The maps are easy to make and pleasant to look at; this lab is
# about whether they are telling the truth. You will:
#
# 1. look inside the network: the **filters** of its first layer and the **feature maps** it computes, captured with
#    a **forward hook**;
# 2. write three classic explanation methods yourself — vanilla gradient **saliency**, **Grad-CAM** and
#    **occlusion** — and compare them side by side with **integrated gradients** and **SmoothGrad**;
# 3. see what the network "wants to see" (**activation maximisation**) and how it arranges the test images
#    (**PCA** and **t-SNE** of its penultimate features);
# 4. put every explanation through two **sanity checks**, the **deletion curve** and the **model-randomisation
#    test** — and see that a convincing picture is not yet evidence.
#
# Every method explains one **class score** (a logit) of one image, with the model in **evaluation mode**: in
# training mode batch norm would use the statistics of the batch, and an image's explanation would depend on the
# other images next to it.
#
# **Exercises.** A cell that ends with `check.something(...)` is an exercise: replace
# `raise NotImplementedError(...)` with your code and run the cell. You get ✔ when your answer is right, or a hint
# saying what went wrong. The checks run your code on small CNNs of their own, with more cases than the notebook
# shows (colour and non-square images, a batch of one, a model handed over in training mode, a second call on the
# same images). The cells after an exercise never use your answer.

# %%
import copy
import tempfile
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

import dlpractice.course.notebooks
from dlpractice import explain
from dlpractice.checks import lab06 as check
from dlpractice.course.runs import RunContext, new_run_dir
from dlpractice.explain import plots
from dlpractice.labs.cnn_visualization import (
    VisualizationConfig,
    explain_each,
    methods,
    pixel_bounds,
    sanity_checks,
    spread_examples,
    trained_model,
)
from dlpractice.models import evaluating, layer_table, predict
from dlpractice.vision import plots as cnn_plots

# True under DLPRACTICE_QUICK=1: a shorter training, fewer images, same lessons
QUICK = dlpractice.course.notebooks.quick()
config = VisualizationConfig.quick() if QUICK else VisualizationConfig()
RUNS = Path(tempfile.mkdtemp(prefix="dlpractice-lab06-")) if QUICK else Path("runs") / "lab06-notebook"
torch.set_num_threads(1)  # a small network: one CPU thread is fastest (more threads cost more to coordinate)
print(f"PyTorch {torch.__version__}; quick mode: {QUICK}; training runs go to {RUNS}")

# %% [markdown]
# ## 1. The CNN to explain
#
# `trained_model` trains lab 03's `SmallVGG` on the MNIST sample with the Lightning engine: three stages of
# conv 3×3 → batch norm → ReLU → max pool (16, 32 and 64 channels), then one linear layer from the last 64 maps of
# 3×3 to the 10 class scores. It returns the model in evaluation mode on the CPU, with the data: images normalised
# by the training set's mean and standard deviation, as in lab 03. (`VisualizationConfig(checkpoint="runs/cnn/...")`
# loads a network trained by `dlpractice run cnn` instead.)
#
# After normalisation a black pixel is no longer 0: it is $-\text{mean}/\text{std}$. Several methods need "no
# evidence" — a **baseline** image — and for digits that is a black image.

# %%
ctx = RunContext(dir=new_run_dir(RUNS, "cnn-visualization"))
start = time.perf_counter()
model, data = trained_model(config, ctx)
x_test, y_test = data.test
accuracy = (predict(model, x_test).argmax(dim=1) == y_test).float().mean().item()
black = -data.mean[0] / data.std[0]  # a black pixel after normalisation
print(f"test accuracy {accuracy:.4f} after {config.epochs} epochs ({time.perf_counter() - start:.0f} s); "
      f"a black pixel is {black:.3f} after normalisation")
print(layer_table(model, x_test[:1]))

# %% [markdown]
# ## 2. Inside the network: filters and feature maps
#
# The first layer's sixteen 3×3 kernels. At this size there is not much to read: mostly edge and stroke detectors
# of some orientation, like the hand-made kernels of lab 03. Deeper kernels have 16 or 32 input channels each and
# cannot be drawn as pictures at all — which is why the rest of the lab looks at what layers *compute* instead.

# %%
fig = cnn_plots.filters(model)
plt.show()

# %% [markdown]
# What a layer computes for an image — its **feature maps** — is not returned by `model(images)`, which gives only
# the class scores. A **forward hook** reaches inside: `handle = layer.register_forward_hook(hook)` makes PyTorch
# call `hook(module, inputs, output)` each time `layer` has run, and `handle.remove()` takes the hook off again.
# A hook that stays would run at every later forward pass (and keep every output it stores alive).
#
# ### Exercise 1 — `feature_maps_hook`
#
# Write `feature_maps_hook(model, images, layer)`: the output of `layer` (a module inside `model`) when the model
# runs on `images`. Capture it with a forward hook; run the model in evaluation mode and under `torch.no_grad()`
# (no gradient is needed to look); then remove the hook and put the model back in the mode it was in —
# `model.training` says which (the check hands over models in both modes). Remove and restore in a `finally:`, so
# that an error does not leave them behind. Store a copy of the output (`output.clone()`): the hook is handed the
# layer's output tensor itself, and a later layer that works in place (`ReLU(inplace=True)`) would overwrite it.
#
# The evaluation-mode part exists in the library as a context manager, `dlpractice.models.evaluating(model)`: the
# model in evaluation mode inside the `with`, its own mode back afterwards. Write it by hand here; use it in the
# later exercises if you like.

# %%
def feature_maps_hook(model, images, layer):
    ### BEGIN SOLUTION
    # TODO: a hook that stores a copy of `output` in a list; remember model.training; model.eval(); model(images)
    # TODO: under torch.no_grad(); in a `finally:`, handle.remove() and model.train(was_training); return the copy
    found = []
    handle = layer.register_forward_hook(lambda module, inputs, output: found.append(output.clone()))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(images)
    finally:
        handle.remove()
        model.train(was_training)
    return found[-1]
    ### END SOLUTION


check.feature_maps_hook(feature_maps_hook)

# %% [markdown]
# The library's version is `explain.feature_maps`. The output of each stage's ReLU: as the network gets deeper,
# there are more maps, each smaller — each of their pixels sees a larger part of the digit (its receptive field).

# %%
chosen = spread_examples(y_test, config.examples)  # test images of different classes: 0, 1, 2, ...
images, classes = x_test[chosen], y_test[chosen]
labels = [data.classes[c] for c in classes]
stages = [m for m in model.features if isinstance(m, nn.ReLU)]
for number, relu in enumerate(stages, start=1):
    print(f"stage {number}: {tuple(explain.feature_maps(model, images[:1], relu).shape[1:])} (maps, height, width)")
fig = cnn_plots.feature_maps(model, images[:4], labels[:4])
plt.show()

# %% [markdown]
# ## 3. Saliency: the gradient of the class score
#
# Write $S_c(x)$ for the score (logit) of class $c$ for image $x$. **Saliency** (Simonyan et al., 2014) is the size
# of its gradient with respect to each pixel,
#
# $$\text{saliency}_i = \left|\frac{\partial S_c(x)}{\partial x_i}\right|,$$
#
# which pixels would change the score most if changed a little. One backward pass, like training — except the
# gradient is taken with respect to the *input*, and the weights stay as they are. The score is the logit, not the
# probability: a class's probability also rises when the *other* classes' scores fall, and the loss mixes in the
# label.
#
# ### Exercise 2 — `vanilla_saliency`
#
# Write `vanilla_saliency(model, images, target)`: `images` of shape `(N, C, H, W)`, `target` a tensor of `N` class
# indices (one per image); return $|\partial S_{\text{target}} / \partial x|$ with the images' shape, computed in
# evaluation mode (and the model's mode restored).
#
# Careful: `backward()` *adds* to `.grad`. The check calls your function twice on the same tensor, and once on
# images that already carry a `.grad`; differentiate a fresh leaf, `x = images.detach().clone().requires_grad_(True)`
# (or use `torch.autograd.grad`, which returns the gradient instead of storing it). One backward pass of the sum of
# the N scores gives all N gradients at once: in evaluation mode each image's score depends on that image alone.

# %%
def vanilla_saliency(model, images, target):
    ### BEGIN SOLUTION
    # TODO: a fresh leaf x; in evaluation mode, each image's target score model(x)[torch.arange(N), target];
    # TODO: backward of their sum; return x.grad's absolute value
    x = images.detach().clone().requires_grad_(True)
    with evaluating(model):
        scores = model(x)[torch.arange(len(x)), target]
        scores.sum().backward()
    return x.grad.abs()
    ### END SOLUTION


check.vanilla_saliency(vanilla_saliency)

# %% [markdown]
# ## 4. Grad-CAM: gradients of the last feature maps
#
# Pixel gradients are noisy: a pixel on its own means little. **Grad-CAM** (Selvaraju et al., 2017) asks the same
# question of the last convolutional maps $A^k$, whose pixels each see a large part of the image:
#
# 1. weight each map by how much the score depends on it — its gradient averaged over all positions,
#    $\alpha_k = \frac{1}{hw}\sum_{i,j} \partial S_c / \partial A^k_{ij}$;
# 2. sum the weighted maps and keep what speaks *for* the class: $\text{ReLU}\big(\sum_k \alpha_k A^k\big)$;
# 3. this map has the layer's resolution (7×7 here): upsample it to the image's size and divide by its maximum.
#
# Which layer: `explain.default_cam_layer(model)`, the last ReLU of `model.features` (stage 3).
#
# ### Exercise 3 — `grad_cam`
#
# Write `grad_cam(model, images, layer, target)`: capture `layer`'s output with a forward hook (here *without*
# `no_grad`: you need its gradient), compute the target scores in evaluation mode, take the gradient of their sum
# with respect to the captured maps (`torch.autograd.grad(scores.sum(), maps)`), and return `(N, 1, H, W)` maps:
# weights `grads.mean(dim=(2, 3), keepdim=True)`, weighted sum over the channels, ReLU, then
# `F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)`, then each map divided by its
# own maximum (clamp the divisor, e.g. `.clamp(min=1e-12)`, so that a map that is zero everywhere stays zero).
# Return it detached; remove the hook and restore the model's mode.

# %%
def grad_cam(model, images, layer, target):
    ### BEGIN SOLUTION
    # TODO: hook the layer; scores = model(images)[torch.arange(N), target] in evaluation mode; remove the hook;
    # TODO: grads of scores.sum() w.r.t. the maps; weights; ReLU of the weighted sum; upsample; ÷ each map's max
    found = []
    handle = layer.register_forward_hook(lambda module, inputs, output: found.append(output))
    try:
        with evaluating(model):
            scores = model(images)[torch.arange(len(images)), target]
    finally:
        handle.remove()
    maps = found[-1]
    (grads,) = torch.autograd.grad(scores.sum(), maps)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)
    return (cam / cam.amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)).detach()
    ### END SOLUTION


check.grad_cam(grad_cam)

# %% [markdown]
# The library's `explain.grad_cam` at each stage's ReLU: the deeper the layer, the coarser the map — and the more it
# is about the class rather than about edges. Stage 3's 7×7 map can only point at a region of the digit.

# %%
cams = {}
for number, relu in enumerate(stages, start=1):
    side = explain.feature_maps(model, images[:1], relu).shape[-1]
    cams[f"stage {number} ({side}×{side})"] = explain.grad_cam(model, images[:4], relu, classes[:4])
fig = plots.methods_grid(data.unnormalize(images[:4]), cams, labels[:4])
fig.suptitle("Grad-CAM at the ReLU of each stage")
plt.show()

# %% [markdown]
# ## 5. Occlusion: hide a patch, watch the score
#
# **Occlusion** (Zeiler & Fergus, 2014) needs no gradient at all, only forward passes, so it works on any model:
# cover a square of the image with the baseline (black), and see how much the target's score drops. Slide the
# square over the image; each pixel gets the mean drop over the squares that covered it. Its price: one forward
# pass per position (a 4×4 window every 2 pixels on a 28×28 digit: 13 × 13 = 169 passes per image).
#
# ### Exercise 4 — `occlusion`
#
# Write `occlusion(model, images, target, window, stride, baseline)`, for `images` `(N, C, H, W)` and `target`
# `(N,)`. Windows are `window`×`window` pixels, all channels at once. Their top-left corners start at 0 and move
# `stride` pixels at a time, along the rows and along the columns, until a window reaches the far edge; the last
# one may stick out of the image and cover fewer pixels (as in captum's `Occlusion`): for a side of 8 pixels,
# `window=3, stride=2`, the windows start at 0, 2, 4 and 6. For each window: a copy of the images with the window
# set to `baseline`, and the drop = clean score − covered score (of each image's target class, the logit). Return,
# for each pixel, the mean drop over the windows that covered it (the images' shape). Evaluation mode, no gradient.

# %%
def occlusion(model, images, target, window, stride, baseline):
    ### BEGIN SOLUTION
    # TODO: the window starts along each side; a running total of drops and a count of windows per pixel;
    # TODO: for each (row, column) start: cover, score, add the drop to the window's pixels; return total / count
    _, _, height, width = images.shape
    rows = range(0, height - window + stride, stride)  # the last start is the first window that reaches the edge
    cols = range(0, width - window + stride, stride)
    total = torch.zeros_like(images)
    count = torch.zeros(1, 1, height, width)
    with torch.no_grad(), evaluating(model):
        clean = model(images)[torch.arange(len(images)), target]
        for i in rows:
            for j in cols:
                covered = images.clone()
                covered[:, :, i:i + window, j:j + window] = baseline
                drop = clean - model(covered)[torch.arange(len(images)), target]
                total[:, :, i:i + window, j:j + window] += drop.view(-1, 1, 1, 1)
                count[:, :, i:i + window, j:j + window] += 1
    return total / count
    ### END SOLUTION


check.occlusion(occlusion)

# %% [markdown]
# ## 6. Five explanations side by side
#
# `methods(config, black)` gives the lab's five methods with its settings (the library's versions of what
# you wrote, plus two more, sections 7 and 8). Each map is drawn over its digit, scaled to its own maximum. Saliency,
# SmoothGrad and Grad-CAM show *how much* (yellow: a lot); integrated gradients and occlusion have a sign: red speaks
# for the class, blue against it (a stroke that would make the digit look like another one).

# %%
every = methods(config, black)
maps, seconds = explain_each(every, model, images, classes)
print("seconds for", len(images), "images:", {name: round(s, 2) for name, s in seconds.items()})
fig = plots.methods_grid(data.unnormalize(images), maps, labels)
plt.show()

# %% [markdown]
# All five roughly agree that "the strokes matter", and each has its own style: saliency is speckled, Grad-CAM is a
# blurry blob, occlusion is blocky, integrated gradients is zero wherever the digit is black. Which one is right?
# The pictures alone cannot say — section 11 tests them.
#
# ## 7. Integrated gradients and completeness
#
# A gradient is local: when the network is already sure, the score stops growing ("saturates") and the gradient of
# an important pixel can be near 0. **Integrated gradients** (Sundararajan et al., 2017) average the gradient along
# the straight path from the baseline $x'$ (black) to the image $x$:
#
# $$\text{IG}_i = (x_i - x'_i) \int_0^1 \frac{\partial S_c\big(x' + \alpha (x - x')\big)}{\partial x_i}\, d\alpha$$
#
# It satisfies **completeness**: the attributions add up to $S_c(x) - S_c(x')$, the whole change of the score from
# the black image to the digit. The integral is a sum over `steps` points of the path, so the sum is only
# approximately complete; the gap shrinks as the steps grow. Note the factor $x_i - x'_i$: a black pixel gets
# exactly 0, whatever the network.

# %%
for steps in [1, 4, 16, 64]:
    attributions = explain.integrated_gradients(model, images, classes, black, steps)
    gaps = explain.completeness_gap(model, images, attributions, classes, black)
    print(f"{steps:3d} steps: |Σ IG − (S(x) − S(black))| = {gaps.mean():.4f} on average, {gaps.max():.4f} at worst")

# %% [markdown]
# ## 8. SmoothGrad
#
# **SmoothGrad** (Smilkov et al., 2017) averages the saliency of noisy copies of the image: the gradient's speckle
# changes from copy to copy and averages out, what stays is what matters in the neighbourhood of the image. The noise
# is a fraction of each image's range of values: too little changes nothing, too much drowns the digit. More copies
# average better (quick mode uses only a few).

# %%
few = slice(0, 3)
smooth = {"saliency": maps["saliency"][few]}
for noise in [0.05, 0.15, 0.3]:
    smooth[f"noise {noise}"] = explain.smoothgrad(model, images[few], classes[few], config.smoothgrad_samples, noise)
fig = plots.methods_grid(data.unnormalize(images[few]), smooth, labels[few])
fig.suptitle(f"SmoothGrad: mean saliency of {config.smoothgrad_samples} noisy copies")
plt.show()

# %% [markdown]
# ## 9. Activation maximisation: what does the network want to see?
#
# Turn the question around: instead of explaining an image, *make* one. Start from faint noise and do gradient
# ascent on the **input** to raise a class's score. Left alone, the optimiser finds high-frequency patterns that
# no person would call a digit, yet the network is certain about them — the same weakness adversarial examples
# exploit. Penalties for large pixels (L2) and for noise (total variation), small random shifts at every step, and
# pixels kept in the range of real images make the result readable: strokes where the class's digits have them.

# %%
shape = tuple(images.shape[1:])
raw = explain.activation_maximization(model, shape, classes=list(range(data.num_classes)), steps=config.actmax_steps,
                                      l2=0.0, tv=0.0, jitter=0)
fig = plots.activation_maximization(data.unnormalize(raw), data.classes, predict(model, raw).softmax(dim=1).diagonal())
fig.suptitle("Activation maximisation without any regularisation")
plt.show()
dreams = explain.activation_maximization(model, shape, classes=list(range(data.num_classes)), steps=config.actmax_steps,
                                         bounds=pixel_bounds(data))
fig = plots.activation_maximization(data.unnormalize(dreams), data.classes,
                                    predict(model, dreams).softmax(dim=1).diagonal())
plt.show()

# %% [markdown]
# ## 10. What the classifier sees: penultimate features
#
# The last linear layer separates the classes using the 576 numbers it receives (64 maps of 3×3): the
# **penultimate features**. Projected to 2-D, they show how the network arranges the images. **PCA** is a linear
# projection and keeps large distances; **t-SNE** keeps each point's neighbours together but not the distances
# between clusters (their sizes and gaps mean little). Well-separated clusters: the classes are easy for the last
# layer; the digits that sit in another class's cluster are the ones it gets wrong.

# %%
# a random subset: the test images are stored sorted by digit, the first hundred are all 0s and 1s
shown = torch.randperm(len(y_test), generator=torch.Generator().manual_seed(config.seed))[:config.projection_images]
features = explain.penultimate_features(model, x_test[shown])
layouts = {method: explain.project(features, method, seed=config.seed) for method in ("pca", "tsne")}
fig = plots.projections(layouts, y_test[shown], data.classes)
plt.show()

# %% [markdown]
# ## 11. Sanity checks
#
# An explanation can look convincing and still say nothing about the network: an edge detector applied to the image
# also "highlights the digit". Two tests of whether a method explains the *network*.
#
# ### 11.1 The deletion curve
#
# If a method is faithful, the pixels it ranks first are the ones the network relies on: removing them (setting
# them to black) should make the class's probability fall fast. The **deletion curve** (Petsiuk et al., 2018)
# follows that probability as more and more pixels are removed, most important first; a small area under it (AUC)
# is good. The yardstick is removing pixels in a random order.
#
# ### Exercise 5 — `deletion_curve`
#
# Write `deletion_curve(model, images, attributions, target, baseline, steps)` (the argument order of the library's
# `explain.deletion_curve`, which also returns the fractions; yours returns **the probabilities only**). A pixel's
# importance is its attribution **summed over the channels, with its sign** (a pixel that speaks against the class
# is removed last); rank each image's pixels from the largest to the smallest importance. At step
# `k = 0, 1, ..., steps`, set the first `round(k * H * W / steps)` pixels of that order to `baseline` (all their
# channels), and record the softmax probability of each image's target class. Return a tensor `(N, steps + 1)`.
# Evaluation mode, no gradient.

# %%
def deletion_curve(model, images, attributions, target, baseline, steps):
    ### BEGIN SOLUTION
    # TODO: importance (N, H·W) and its descending order; for each k, a mask of the first round(k·H·W/steps)
    # TODO: pixels of the order; the masked pixels set to baseline; softmax probability of the target
    n, _, height, width = images.shape
    order = attributions.sum(dim=1).flatten(1).argsort(dim=1, descending=True)
    curve = []
    with torch.no_grad(), evaluating(model):
        for k in range(steps + 1):
            removed = torch.zeros(n, height * width, dtype=torch.bool)
            removed.scatter_(1, order[:, :round(k * height * width / steps)], True)
            erased = torch.where(removed.view(n, 1, height, width), torch.tensor(baseline), images)
            curve.append(model(erased).softmax(dim=1)[torch.arange(n), target])
    return torch.stack(curve, dim=1)
    ### END SOLUTION


check.deletion_curve(deletion_curve)

# %% [markdown]
# The library's curves for the five methods, averaged over test images drawn at random, and for a random order.
# The lab's `sanity_checks` runs both tests of this section at once; section 11.2 reads its second half.

# %%
sample = torch.randperm(len(y_test), generator=torch.Generator().manual_seed(config.seed))[:config.sanity_images]
x_s, y_s = x_test[sample], y_test[sample]
checks = sanity_checks(every, model, x_s, y_s, black, config)
fig = plots.deletion_curves(checks.fractions, checks.curves, checks.aucs)
plt.show()

# %% [markdown]
# Integrated gradients and occlusion make the probability fall fastest. Part of the reason is the test itself: it
# turns pixels black, and more than half of the top pixels of saliency, SmoothGrad and Grad-CAM are black already (a
# large gradient, or a coarse blob, on the background) — blacking them out changes nothing. Integrated gradients
# give black pixels exactly 0 and so rank the digit's own pixels first; occlusion measures just what the test does,
# the score with pixels blacked out. And half-erased digits are images the network never saw in training: part of
# the fall is the network meeting odd images, not evidence being removed.
#
# ### 11.2 The model-randomisation test
#
# Adebayo et al. (2018): replace the trained weights with random ones and explain the same images again. An
# explanation of the *network* must change — the random network has learned nothing. If the map stays the same,
# it shows the image (its edges, its bright pixels), not what the network learned. The change is measured by the
# rank correlation (Spearman) of the two maps' |values|: near 1 means "the same ranking of pixels".
#
# ### Exercise 6 — `randomized_copy`
#
# Write `randomized_copy(model)`: a copy of the model in which every layer is re-initialised, leaving the original
# untouched (the test needs both). `copy.deepcopy` copies a model; most layers (`nn.Conv2d`, `nn.Linear`,
# `nn.BatchNorm2d`) have a `reset_parameters()` method that draws fresh initial values. Batch norm's running mean
# and variance are **buffers**, not parameters: they must be reset too (BatchNorm's `reset_parameters()` does it).

# %%
def randomized_copy(model):
    ### BEGIN SOLUTION
    # TODO: deep-copy the model; call reset_parameters() on each of the copy's modules that has one; return the copy
    clone = copy.deepcopy(model)
    for module in clone.modules():
        if module is not clone and hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return clone
    ### END SOLUTION


check.randomized_copy(randomized_copy)

# %% [markdown]
# `sanity_checks` compared each method's maps for the trained network with those for `explain.randomized_copy`
# (seeded with seed + 1) by `explain.rank_correlation`; here are the maps of two images, and the random network:

# %%
randomized = explain.randomized_copy(model, seed=config.seed + 1)  # the copy sanity_checks explained
print(f"random network's test accuracy: {(predict(randomized, x_test).argmax(dim=1) == y_test).float().mean():.3f}")
fig = plots.randomization(data.unnormalize(x_s[:2]), checks.trained_maps, checks.randomized_maps, checks.correlations)
plt.show()

# %% [markdown]
# Saliency and Grad-CAM change completely with random weights (a correlation near 0): they pass; SmoothGrad changes
# less. Integrated gradients and occlusion keep a correlation near 1 — but mostly for a reason that has nothing to do
# with the network. Four pixels in five of an MNIST digit are black, the baseline: integrated gradients multiply by
# $x_i - x'_i = 0$ there, and covering black with black changes no score, so both methods give those pixels exactly
# 0 *in both networks*, and so many shared zeros make the rankings agree. Compare the rankings on the digit's own
# pixels only (`rank_correlation(..., mask=...)` with the pixels that are not black):

# %%
print(f"{'method':22s} {'all pixels':>10s} {'digit only':>10s}")
for name in every:
    print(f"{name:22s} {checks.correlations[name]:10.2f} {checks.on_strokes[name]:10.2f}")

# %% [markdown]
# On the digit's own pixels the correlations of integrated gradients and occlusion fall far below 1: they do depend
# on the weights. The lesson is about the test as much as the methods: a sanity check has its own blind spots (here,
# a baseline that equals most of the image), and a number near 1 must be read before it is believed.
#
# ## What to remember
#
# - A **forward hook** reads any layer's output; remove it afterwards. Explanations run in **evaluation mode**, and
#   restore the model's mode.
# - **Saliency**: $|\partial S_c / \partial x|$, one backward pass; noisy, and it measures sensitivity, not evidence.
#   **SmoothGrad** averages it over noisy copies. **Integrated gradients** integrate the gradient from a baseline;
#   they add up to $S_c(x) - S_c(x')$ (completeness).
# - **Grad-CAM**: the last conv maps weighted by their mean gradients, ReLU, upsampled: class-specific but coarse.
#   **Occlusion**: the score's drop when a patch is hidden; slow, needs no gradient.
# - A heat map is a claim. Test it: the **deletion curve** (does removing the top pixels hurt the score?) and the
#   **randomisation test** (does the map change when the network does?) — and know what the tests themselves miss.
#
# The whole lab from the command line, with every figure and a sanity-check table in a run folder:
# `dlpractice run cnn-visualization` (or `--set checkpoint=runs/cnn/<run>` to explain a CNN trained in lab 03).
