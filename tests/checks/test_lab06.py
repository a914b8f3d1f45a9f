"""Lab 06's checks: the reference and another correct answer pass, classic mistakes fail with the right hint, stubs are 'not attempted'."""

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice import explain
from dlpractice.checks import lab06 as check
from dlpractice.models import evaluating
from support.exercise_checks import fails


def test_a_check_does_not_move_the_callers_random_numbers():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check.grad_cam(explain.grad_cam)
    assert torch.equal(torch.rand(3), expected)


# ---------------------------------------------------------------- the checks' own mistake generators

def test_the_checks_right_variants_agree_with_the_library():
    torch.manual_seed(0)
    for channels, size, window, stride in [(1, (8, 8), 3, 2), (3, (7, 9), 4, 3)]:
        model = check.tiny_cnn(channels, size, training=False)
        images = torch.randn(3, channels, *size)
        target = check.targets_for(model, images)
        assert torch.allclose(check.occlusion_variant(model, images, target, window, stride, -0.5),
                              explain.occlusion(model, images, target, window, stride, -0.5), atol=1e-5)
        maps, grads = check.maps_and_gradients(model, "features.6", images, target)
        assert torch.allclose(check.cam_variant(maps, grads, size),
                              explain.grad_cam(model, images, model.features[6], target), atol=1e-5)
        attributions = torch.randn(images.shape)
        assert torch.allclose(check.deletion_variant(model, images, attributions, target, -0.5, 4),
                              explain.deletion_curve(model, images, attributions, target, -0.5, 4)[1], atol=1e-6)


# ---------------------------------------------------------------- feature maps with a hook

def hooked_maps(model, images, layer):  # the notebook's answer
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


def maps_by_walking(model, images, layer):  # another correct answer: run the Sequential by hand up to the layer
    with torch.no_grad(), evaluating(model):
        x = images
        for module in model.features:
            x = module(x)
            if module is layer:
                return x.clone()


def maps_variant(*, remove=True, evaluate=True, restore=True, keep="output", which=None, no_grad=True):
    def fn(model, images, layer):
        target = which(model) if which else layer
        found = []
        handle = target.register_forward_hook(lambda m, i, o: found.append(i[0] if keep == "input" else o))  # no copy
        was_training = model.training
        if evaluate:
            model.eval()
        if no_grad:
            with torch.no_grad():
                model(images)
        else:
            model(images)
        if remove:
            handle.remove()
        if restore:
            model.train(was_training)
        return found[-1]

    return fn


def test_feature_maps_hook():
    assert check.feature_maps_hook(hooked_maps)
    assert check.feature_maps_hook(explain.feature_maps)
    assert check.feature_maps_hook(maps_by_walking)
    fails(check.feature_maps_hook, maps_variant(remove=False), match="left 1 hook.*attached.*handle.remove")
    fails(check.feature_maps_hook, maps_variant(), match="overwritten by the ReLU\\(inplace=True\\).*clone")

    def no_finally(model, images, layer):  # right, until the forward pass raises: then the hook stays behind
        found = []
        handle = layer.register_forward_hook(lambda module, inputs, output: found.append(output.clone()))
        was_training = model.training
        model.eval()
        with torch.no_grad():
            model(images)
        handle.remove()
        model.train(was_training)
        return found[-1]

    fails(check.feature_maps_hook, no_finally, match="first layer raises.*left 1 hook.*finally")

    def swallows_errors(model, images, layer):  # cleans up, but hides the error and returns None
        try:
            return hooked_maps(model, images, layer)
        except RuntimeError:
            return None

    fails(check.feature_maps_hook, swallows_errors, match="did not reach the caller")
    fails(check.feature_maps_hook, maps_variant(evaluate=False), match="training mode")
    fails(check.feature_maps_hook, maps_variant(restore=False), match="left `model` .*in evaluation mode")
    fails(check.feature_maps_hook, maps_variant(keep="input"), match="the layer's \\*input\\*")
    fails(check.feature_maps_hook, maps_variant(which=lambda model: model.features[0]), match="output of 'features.0'")
    fails(check.feature_maps_hook, maps_variant(which=lambda model: model), match="the model's output")
    fails(check.feature_maps_hook, maps_variant(no_grad=False), match="autograd graph")

    def always_train_afterwards(model, images, layer):
        out = hooked_maps(model, images, layer)
        model.train()
        return out

    fails(check.feature_maps_hook, always_train_afterwards, match="left `model` .*in training mode")


# ---------------------------------------------------------------- saliency

def saliency_backward(model, images, target):  # the notebook's answer
    x = images.detach().clone().requires_grad_(True)
    with evaluating(model):
        scores = model(x)[torch.arange(len(x)), target]
        scores.sum().backward()
    return x.grad.abs()


def saliency_one_by_one(model, images, target):  # another correct answer: one image at a time, torch.autograd.grad
    was_training = model.training
    model.eval()
    maps = []
    for image, t in zip(images, target):
        x = image[None].detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(model(x)[0, t], x)
        maps.append(grad[0].abs())
    model.train(was_training)
    return torch.stack(maps)


def saliency_variant(*, score="logit", absolute=True, evaluate=True, fresh=True, zero=False):
    def fn(model, images, target):
        x = images.detach().clone().requires_grad_(True) if fresh else images.requires_grad_(True)
        if zero and x.grad is not None:
            x.grad = None
        was_training = model.training
        if evaluate:
            model.eval()
        logits = model(x)
        picked = logits.gather(1, target.view(-1, 1)).squeeze(1)
        value = {"logit": picked.sum(), "loss": F.cross_entropy(logits, target),
                 "probability": logits.softmax(dim=1).gather(1, target.view(-1, 1)).sum(),
                 "all classes": logits.sum(), "predicted": logits.max(dim=1).values.sum(),
                 "logits[:, target]": logits[:, target].sum()}[score]
        value.backward()
        model.train(was_training)
        return x.grad.abs() if absolute else x.grad.clone()

    return fn


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")  # one wrong answer reads it
def test_vanilla_saliency():
    assert check.vanilla_saliency(saliency_backward)
    assert check.vanilla_saliency(saliency_one_by_one)
    assert check.vanilla_saliency(explain.saliency)
    assert check.vanilla_saliency(saliency_variant(fresh=False, zero=True))  # in place, but .grad cleared first
    fails(check.vanilla_saliency, saliency_variant(fresh=False), match="second call on the same images returned twice")
    fails(check.vanilla_saliency, saliency_variant(evaluate=False), match="training mode")
    fails(check.vanilla_saliency, saliency_variant(absolute=False), match="absolute value")
    fails(check.vanilla_saliency, saliency_variant(score="loss"), match="gradient of the \\(mean\\) loss")
    fails(check.vanilla_saliency, saliency_variant(score="probability"), match="softmax probability")
    fails(check.vanilla_saliency, saliency_variant(score="all classes"), match="summed the scores of all classes")
    fails(check.vanilla_saliency, saliency_variant(score="predicted"), match="\\*predicted\\* class")
    fails(check.vanilla_saliency, saliency_variant(score="logits[:, target]"), match="N×N matrix")

    def clone_not_leaf(model, images, target):
        x = images.clone().requires_grad_(True)  # not a leaf when images already requires grad
        with evaluating(model):
            model(x).gather(1, target.view(-1, 1)).sum().backward()
        return x.grad.abs()

    fails(check.vanilla_saliency, clone_not_leaf, match="a .grad was None")

    def in_place_with_zero_grad(model, images, target):  # clears the model's gradients, not the images'
        model.zero_grad()
        return saliency_variant(fresh=False)(model, images, target)

    fails(check.vanilla_saliency, in_place_with_zero_grad, match="backward\\(\\) \\*adds\\* to x.grad")

    def under_no_grad(model, images, target):
        with torch.no_grad():
            return saliency_backward(model, images, target)

    fails(check.vanilla_saliency, under_no_grad, match="no graph leads from the scores back to the images")

    def channels_summed(model, images, target):
        return saliency_backward(model, images, target).sum(dim=1)

    fails(check.vanilla_saliency, channels_summed, match="images' shape")


# ---------------------------------------------------------------- Grad-CAM

def grad_cam_hook(model, images, layer, target):  # the notebook's answer
    found = []
    handle = layer.register_forward_hook(lambda module, inputs, output: found.append(output))
    try:
        with evaluating(model):
            scores = model(images).gather(1, target.view(-1, 1))
    finally:
        handle.remove()
    maps = found[-1]
    (grads,) = torch.autograd.grad(scores.sum(), maps)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)
    return (cam / cam.amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)).detach()


def grad_cam_retain_grad(model, images, layer, target):  # another correct answer: retain_grad, backward, einsum
    found = {}

    def keep(module, inputs, output):
        output.retain_grad()
        found["maps"] = output

    handle = layer.register_forward_hook(keep)
    was_training = model.training
    model.eval()
    x = images.detach().requires_grad_(True)
    logits = model(x)
    handle.remove()
    model.train(was_training)
    logits[torch.arange(len(x)), target].sum().backward()
    maps, grads = found["maps"], found["maps"].grad
    h, w = maps.shape[-2:]
    weights = grads.sum(dim=(2, 3)) / (h * w)
    cam = torch.einsum("nk,nkhw->nhw", weights, maps).clamp(min=0)[:, None]
    cam = F.interpolate(cam, size=tuple(images.shape[-2:]), mode="bilinear")
    peaks = torch.stack([c.max() for c in cam]).view(-1, 1, 1, 1)
    return (cam / torch.where(peaks > 0, peaks, torch.ones_like(peaks))).detach()


def cam_variant(*, weights=(2, 3), relu=True, upsample="bilinear", normalise="image", evaluate=True):
    def fn(model, images, layer, target):
        found = []
        handle = layer.register_forward_hook(lambda m, i, o: found.append(o))
        was_training = model.training
        if evaluate:
            model.eval()
        scores = model(images).gather(1, target.view(-1, 1))
        handle.remove()
        model.train(was_training)
        maps = found[-1]
        (grads,) = torch.autograd.grad(scores.sum(), maps)
        cam = (grads.mean(dim=weights, keepdim=True) * maps).sum(dim=1, keepdim=True).detach()
        if relu:
            cam = cam.clamp(min=0)
        if upsample:
            cam = F.interpolate(cam, size=images.shape[-2:], mode=upsample)
        peak = cam.amax(dim=(1, 2, 3), keepdim=True) if normalise == "image" else cam.max()
        return cam / peak.clamp(min=1e-12)

    return fn


def test_grad_cam_a_map_that_is_zero_everywhere():
    def unclamped(model, images, layer, target):  # ÷ the maximum, not clamped: 0 / 0 for a map that is zero everywhere
        cam = explain.grad_cam(model, images, layer, target, normalize=False)
        return cam / cam.amax(dim=(1, 2, 3), keepdim=True)

    fails(check.grad_cam, unclamped, match="zero everywhere.*NaN.*clamp the divisor")

    def nan_to_zero(model, images, layer, target):  # another correct answer: 0 / 0 turned back into 0
        cam = explain.grad_cam(model, images, layer, target, normalize=False)
        return torch.nan_to_num(cam / cam.amax(dim=(1, 2, 3), keepdim=True), nan=0.0)

    assert check.grad_cam(nan_to_zero)


def test_grad_cam():
    assert check.grad_cam(grad_cam_hook)
    assert check.grad_cam(grad_cam_retain_grad)
    assert check.grad_cam(explain.grad_cam)
    fails(check.grad_cam, cam_variant(relu=False), match="negative values.*ReLU")
    fails(check.grad_cam, cam_variant(weights=(1,)), match="averaged over the channels")
    fails(check.grad_cam, cam_variant(weights=(0, 2, 3)), match="averaged over the batch")
    fails(check.grad_cam, cam_variant(upsample=None), match="layer's resolution.*upsample")
    fails(check.grad_cam, cam_variant(upsample="nearest"), match="nearest-neighbour")
    fails(check.grad_cam, cam_variant(normalise="batch"), match="whole batch")
    fails(check.grad_cam, cam_variant(evaluate=False), match="training mode")

    def relu_after_upsampling(model, images, layer, target):
        cam = explain.grad_cam(model, images, layer, target, relu=False, normalize=False).clamp(min=0)
        return cam / cam.amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)

    fails(check.grad_cam, relu_after_upsampling, match="before upsampling")

    def under_no_grad(model, images, layer, target):
        with torch.no_grad():
            return grad_cam_hook(model, images, layer, target)

    fails(check.grad_cam, under_no_grad, match="gradient cannot reach the captured maps")

    def maps_detached(model, images, layer, target):
        handle = layer.register_forward_hook(lambda module, inputs, output: output.detach())  # replaces the output
        try:
            return grad_cam_hook(model, images, layer, target)
        finally:
            handle.remove()

    fails(check.grad_cam, maps_detached, match="gradient cannot reach the captured maps")


# ---------------------------------------------------------------- occlusion

def occlusion_loops(model, images, target, window, stride, baseline):  # the notebook's answer
    _, _, height, width = images.shape
    rows = range(0, max(height - window, 0) + stride, stride)  # up to the first start whose window reaches the edge
    cols = range(0, max(width - window, 0) + stride, stride)
    total = torch.zeros_like(images)
    count = torch.zeros(1, 1, height, width)
    with torch.no_grad(), evaluating(model):
        clean = model(images).gather(1, target.view(-1, 1)).squeeze(1)
        for i in rows:
            for j in cols:
                covered = images.clone()
                covered[:, :, i:i + window, j:j + window] = baseline
                drop = clean - model(covered).gather(1, target.view(-1, 1)).squeeze(1)
                total[:, :, i:i + window, j:j + window] += drop.view(-1, 1, 1, 1)
                count[:, :, i:i + window, j:j + window] += 1
    return total / count


def occlusion_masks(model, images, target, window, stride, baseline):  # another correct answer: masks, one image at a time
    n, c, h, w = images.shape
    starts = [[s for s in range(0, size, stride) if s == 0 or s - stride + window < size] for size in (h, w)]
    masks = []
    for i in starts[0]:
        for j in starts[1]:
            mask = torch.zeros(h, w)
            mask[i:i + window, j:j + window] = 1
            masks.append(mask)
    masks = torch.stack(masks)  # (windows, H, W)
    was_training = model.training
    model.eval()
    out = []
    with torch.no_grad():
        for image, t in zip(images, target):
            covered = image * (1 - masks[:, None]) + baseline * masks[:, None]
            drops = model(image[None])[0, t] - model(covered)[:, t]
            out.append(((drops.view(-1, 1, 1) * masks).sum(0) / masks.sum(0)).expand(c, h, w))
    model.train(was_training)
    return torch.stack(out)


def occlusion_variant(**kwargs):  # the check's own mistakes (computed on a copy of the model)
    def fn(model, images, target, window, stride, baseline):
        return check.occlusion_variant(model, images, target, window, stride, baseline, **kwargs)

    return fn


def test_occlusion():
    assert check.occlusion(occlusion_loops)
    assert check.occlusion(occlusion_masks)
    assert check.occlusion(explain.occlusion)
    fails(check.occlusion, lambda *args: -explain.occlusion(*args), match="sign is flipped")
    fails(check.occlusion, occlusion_variant(reduce="sum"), match="summed")
    fails(check.occlusion, occlusion_variant(starts="inside"), match="last rows or columns are never covered")
    fails(check.occlusion, occlusion_variant(starts="shifted"), match="shifted back inside")
    fails(check.occlusion, lambda m, x, t, w, s, b: explain.occlusion(m, x, t, w, s, 0.0), match="filled with 0")
    fails(check.occlusion, occlusion_variant(kind="probability"), match="softmax probability")

    fails(check.occlusion, occlusion_variant(training=True), match="training mode")  # recognised by its values

    def in_train_mode(model, images, target, window, stride, baseline):  # recognised by batch norm's statistics
        with torch.no_grad():
            model(images)
        return explain.occlusion(model, images, target, window, stride, baseline)

    fails(check.occlusion, in_train_mode, match="training mode")


# ---------------------------------------------------------------- deletion curve

def deletion_sorted(model, images, attributions, target, baseline, steps, count=round):  # the notebook's answer
    n, _, h, w = images.shape
    order = attributions.sum(dim=1).flatten(1).argsort(dim=1, descending=True)
    curve = []
    with torch.no_grad(), evaluating(model):
        for k in range(steps + 1):
            removed = torch.zeros(n, h * w, dtype=torch.bool)
            removed.scatter_(1, order[:, :count(k * h * w / steps)], True)
            erased = torch.where(removed.view(n, 1, h, w), torch.tensor(baseline), images)
            curve.append(model(erased).softmax(dim=1)[torch.arange(n), target])
    return torch.stack(curve, dim=1)


def deletion_topk(model, images, attributions, target, baseline, steps):  # another correct answer: topk, per image
    n, c, h, w = images.shape
    was_training = model.training
    model.eval()
    rows = []
    with torch.no_grad():
        for image, attribution, t in zip(images, attributions, target):
            importance = attribution.sum(dim=0).flatten()
            row = []
            for k in range(steps + 1):
                top = importance.topk(int(round(k / steps * h * w))).indices
                erased = image.clone().view(c, -1)
                erased[:, top] = baseline
                row.append(F.softmax(model(erased.view(1, c, h, w)), dim=1)[0, t])
            rows.append(torch.stack(row))
    model.train(was_training)
    return torch.stack(rows)


def deletion_variant(fill=None, **kwargs):  # the check's own mistakes (computed on a copy of the model)
    def fn(model, images, attributions, target, baseline, steps):
        return check.deletion_variant(model, images, attributions, target, baseline if fill is None else fill, steps,
                                      **kwargs)

    return fn


def test_deletion_curve():
    assert check.deletion_curve(deletion_sorted)
    assert check.deletion_curve(deletion_topk)
    assert check.deletion_curve(lambda *args: explain.deletion_curve(*args)[1])
    fails(check.deletion_curve, deletion_variant(descending=False), match="\\*least\\* important pixels first")
    fails(check.deletion_curve, deletion_variant(kind="logit"), match="those are logits")
    fails(check.deletion_curve, deletion_variant(order="abs of sum"), match="ranked the pixels by \\|attribution\\|")
    fails(check.deletion_curve, deletion_variant(order="per channel"), match="remove whole pixels")
    fails(check.deletion_curve, deletion_variant(fill=0.0), match="set to 0")
    fails(check.deletion_curve, explain.deletion_curve, match="probabilities only")
    fails(check.deletion_curve, lambda *args: explain.deletion_curve(*args)[1][:, 1:], match="points per image")

    def in_train_mode(model, images, attributions, target, baseline, steps):
        with torch.no_grad():
            model(images)  # a forward pass in training mode updates batch norm's running statistics
        return explain.deletion_curve(model, images, attributions, target, baseline, steps)[1]

    fails(check.deletion_curve, in_train_mode, match="training mode")
    fails(check.deletion_curve, deletion_variant(training=True), match="training mode")


def test_deletion_curve_when_the_steps_do_not_divide_the_pixels():
    # NumPy's rint rounds to the nearest (halves to even, as round does): right
    assert check.deletion_curve(lambda *args: deletion_sorted(*args, count=lambda x: int(np.rint(x))))
    # int() cuts the fraction off: 64 / 5 = 12.8 pixels becomes 12
    fails(check.deletion_curve, lambda *args: deletion_sorted(*args, count=int), match="7 steps.*int\\(\\) rounds down")
    fails(check.deletion_curve, lambda *args: deletion_sorted(*args, count=math.ceil), match="that rounds up")


# ---------------------------------------------------------------- model randomisation

def randomized_reset(model):  # the notebook's answer
    clone = copy.deepcopy(model)
    for module in clone.modules():
        if module is not clone and hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return clone


def randomized_init(model):  # another correct answer: new random values for every parameter, fresh statistics
    clone = copy.deepcopy(model)
    with torch.no_grad():
        for p in clone.parameters():
            p.normal_(0, 0.1)
    for module in clone.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.reset_running_stats()
    return clone


def test_randomized_copy():
    assert check.randomized_copy(randomized_reset)
    assert check.randomized_copy(randomized_init)
    assert check.randomized_copy(explain.randomized_copy)

    def in_place(model):
        for module in model.modules():
            if module is not model and hasattr(module, "reset_parameters"):
                module.reset_parameters()
        return model

    fails(check.randomized_copy, in_place, match="changed the weights .* of `model`")

    fails(check.randomized_copy, lambda model: in_place(copy.copy(model)), match="changed the weights .* of `model`")

    def parameters_only(model):
        clone = copy.deepcopy(model)
        with torch.no_grad():
            for p in clone.parameters():
                p.normal_(0, 0.1)
        return clone

    fails(check.randomized_copy, parameters_only, match="running statistics")

    def convs_only(model):
        clone = copy.deepcopy(model)
        for module in clone.modules():
            if isinstance(module, nn.Conv2d):
                module.reset_parameters()
        return clone

    fails(check.randomized_copy, convs_only, match="not re-initialised")

    def nudged(model):  # every parameter and statistic changed, but only a little: still the trained network
        clone = copy.deepcopy(model)
        for module in clone.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
        with torch.no_grad():
            for p in clone.parameters():
                p.add_(0.01 * torch.randn_like(p))
        return clone

    fails(check.randomized_copy, nudged, match="still correlated with the trained weights")

    def half_mixed(model):  # half trained, half fresh
        fresh = explain.randomized_copy(model)
        with torch.no_grad():
            for p, q in zip(fresh.parameters(), model.parameters()):
                p.mul_(0.5).add_(0.5 * q)
        return fresh

    fails(check.randomized_copy, half_mixed, match="still correlated")
