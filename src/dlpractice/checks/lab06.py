"""Checks for lab 06 (cnn-visualization): `from dlpractice.checks import lab06 as check`, then `check.NAME(answer)`.

Each check runs the answer on small CNNs defined here (conv → batch norm → ReLU, twice, then a linear layer; batch
norm with running statistics far from 0 and 1, so that training mode shows) and compares it with the library's
version in `dlpractice.explain`, on more cases than the notebook shows: a batch of one, colour images, non-square
images, a model handed over in training mode or in evaluation mode, a second call on the same images. Besides the
values, a check looks at what the answer leaves behind: hooks still registered, the model's mode changed, batch
norm's statistics updated, the original model re-initialised. When a wrong answer is a classic mistake (no absolute
value, the loss instead of the class score, weights averaged over the wrong axes, the sign of occlusion flipped,
pixels removed least important first) the hint says which.
Checks fork the random state, so calling one never changes the numbers a notebook draws afterwards.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlpractice import explain
from dlpractice.checks import tensors
from dlpractice.checks.core import CheckFailed, attempt, exercise, expect, expect_close
from dlpractice.checks.tensors import answer, isolated, randomize_batch_norms
from dlpractice.models import evaluating

__all__ = ["feature_maps_hook", "vanilla_saliency", "grad_cam", "occlusion", "deletion_curve", "randomized_copy"]

TRAIN_MODE = ("the model ran in training mode: batch norm normalised with the batch's own statistics (and updated "
              "its running ones), so an image's result depends on the other images of the batch. Hint: call "
              "model.eval() first, and put the model back in the mode it was in afterwards.")


# --------------------------------------------------------------------------- small models and common checks

class TinyCNN(nn.Module):
    """conv → BN → ReLU → max pool → conv → BN → ReLU → flatten → linear: lab 03's SmallVGG in miniature.

    The linear head (not global average pooling) makes the class score depend on *where* a feature is, so
    gradients differ from one position of a map to the next."""

    def __init__(self, channels: int = 1, classes: int = 5, size: tuple[int, int] = (8, 8), width: int = 4,
                 inplace: bool = False) -> None:
        super().__init__()
        self.features = nn.Sequential(  # inplace=True: each ReLU overwrites the batch norm's output (saves memory)
            nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1, bias=False), nn.BatchNorm2d(2 * width), nn.ReLU(inplace),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(2 * width * (size[0] // 2) * (size[1] // 2), classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


class Failing(nn.Module):
    """A layer whose forward pass raises, as a bug in a model would."""

    def forward(self, x: Tensor) -> Tensor:
        raise RuntimeError("this layer fails")


def tiny_cnn(channels: int, size: tuple[int, int], training: bool, classes: int = 5, inplace: bool = False) -> TinyCNN:
    """A TinyCNN as if trained (weights moved away from their initial values, batch norm with statistics of its
    own), in the given mode."""
    model = TinyCNN(channels, classes, size, inplace=inplace)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    randomize_batch_norms(model)
    return model.train(training)


def mode(training: bool) -> str:
    return "training" if training else "evaluation"


def module_named(model: nn.Module, name: str) -> nn.Module:
    return dict(model.named_modules())[name]


def targets_for(model: nn.Module, images: Tensor) -> Tensor:
    """One class per image, not the predicted one for most of them (so the predicted class is told apart)."""
    with torch.no_grad(), evaluating(model):
        predicted = model(images).argmax(dim=1)
    classes = model.classifier[-1].out_features
    target = (predicted + 1 + torch.arange(len(images))) % classes
    target[0] = predicted[0]  # one image explained for its own predicted class
    return target


def on_model(fn: Callable, model: nn.Module, *args: Any, case: str, hints: dict[str, str] | None = None) -> Any:
    """Call the answer (through `attempt`, which also makes sure the model is left as it was: no hook, the same
    mode, the same weights and batch-norm statistics); a model that ran in training mode gets its own hint."""
    before = {k: v.clone() for k, v in model.state_dict().items() if "running" in k}
    try:
        return answer(fn, model, *args, case=case, hints=hints)
    except CheckFailed as failure:
        if "changed the weights" in str(failure) and any(not torch.equal(v, model.state_dict()[k])
                                                         for k, v in before.items()):
            raise CheckFailed(f"case '{case}': {TRAIN_MODE}") from None
        raise


def scale(t: Tensor) -> float:
    return max(float(t.detach().abs().max()), 1e-3) if t.numel() else 1.0


def like(a: Any, b: Tensor) -> bool:
    """Same shape and values, relative to the size of `b`'s values (gradients of tiny networks are small)."""
    return tensors.close(a, b, atol=1e-4 * scale(b), rtol=1e-3)


def expect_like(got: Any, expected: Tensor, case: str, mistakes: list[tuple[Tensor, str]], hint: str,
                shape_hint: str = "") -> None:
    """`got` matches `expected`; if it matches a known mistake instead (shape and values), say which."""
    tensors.expect_tensor(got, case)
    if like(got, expected):
        return
    for wrong, why in mistakes:
        if like(got, wrong):
            raise CheckFailed(f"case '{case}': {why}")
    if tuple(got.shape) != tuple(expected.shape):
        raise CheckFailed(f"case '{case}': expected shape {tuple(expected.shape)}, got {tuple(got.shape)}. "
                          f"Hint: {shape_hint or hint}")
    if torch.isnan(got.detach()).any() and not torch.isnan(expected).any():
        raise CheckFailed(f"case '{case}': your result contains NaN. Hint: {hint}")
    expect_close(got.detach(), expected, case, hint=hint, atol=1e-4 * scale(expected), rtol=1e-3)


def scores_of(model: nn.Module, images: Tensor, target: Tensor, kind: str = "logit") -> Tensor:
    """What each image contributes to the differentiated sum: its target's logit (right), or a classic mistake's
    score — the target's softmax probability, the cross-entropy loss, the sum of all logits, or logits[:, target]."""
    if kind == "logit":
        return explain.class_scores(model, images, target)
    logits = model(images)
    if kind == "probability":
        return logits.softmax(dim=1).gather(1, target.view(-1, 1)).squeeze(1)
    if kind == "loss":
        return F.cross_entropy(logits, target, reduction="none")
    if kind == "loss, mean":
        return F.cross_entropy(logits, target, reduction="none") / len(images)
    if kind == "all classes":
        return logits.sum(dim=1)
    if kind == "logits[:, target]":
        return logits[:, target].sum(dim=1)
    raise ValueError(kind)


# --------------------------------------------------------------------------- feature maps with a hook

@torch.no_grad()
def feature_map_mistakes(model: nn.Module, images: Tensor, layer_name: str) -> list[tuple[Tensor, str]]:
    """What a wrong answer returns instead of the layer's output: training mode, its input, another module's output."""
    trained = copy.deepcopy(model).train()
    with explain.capture(module_named(trained, layer_name)) as outputs:
        trained(images)
    mistakes = [(outputs[-1], TRAIN_MODE)]
    evaluated = copy.deepcopy(model).eval()
    inputs: list[Tensor] = []
    everything: dict[str, Tensor] = {}
    handles = [module_named(evaluated, layer_name).register_forward_pre_hook(lambda m, args: inputs.append(args[0]))]
    handles += [m.register_forward_hook(lambda m, args, out, name=name: everything.setdefault(name, out))
                for name, m in evaluated.named_modules() if name != layer_name]
    evaluated(images)
    for handle in handles:
        handle.remove()
    mistakes.append((inputs[-1], "that is the layer's *input*: a forward hook is called as hook(module, inputs, "
                                 "output); keep `output`."))

    def rank(item: tuple[str, Tensor]) -> int:  # the model's output first, then single layers, then containers
        return 0 if item[0] == "" else 1 + (len(list(module_named(evaluated, item[0]).children())) > 0)

    for name, out in sorted(everything.items(), key=rank):
        what = ("the model's output (the logits)" if name == "" else
                f"the output of '{name}' ({type(module_named(evaluated, name)).__name__})")
        mistakes.append((out, f"that is {what}, not the output of the layer you were given ('{layer_name}'). Hint: "
                              "register the hook on `layer` itself and keep what it receives."))
    return mistakes


@exercise("feature_maps_hook")
@isolated
def feature_maps_hook(fn: Callable[[nn.Module, Tensor, nn.Module], Tensor]) -> None:
    """fn(model, images, layer): the output of `layer` for the images, computed in evaluation mode under no_grad, with
    the hook removed and the model's mode restored afterwards."""
    cases = [  # (case, channels, (H, W), batch, layer name, training, in-place ReLUs)
        ("4 grey 8×8 images, the second batch norm", 1, (8, 8), 4, "features.5", True, False),
        ("3 grey 8×8 images, the first ReLU", 1, (8, 8), 3, "features.2", False, False),
        ("3 colour images 6×10, the second conv", 3, (6, 10), 3, "features.4", True, False),
        ("a batch of one, the last ReLU", 1, (8, 8), 1, "features.6", True, False),
        ("2 grey 8×8 images, the first batch norm, followed by ReLU(inplace=True)", 1, (8, 8), 2, "features.1", False,
         True),
    ]
    for case, channels, size, batch, layer_name, training, inplace in cases:
        case = f"{case}, model in {mode(training)} mode"
        model = tiny_cnn(channels, size, training, inplace=inplace)
        images = torch.randn(batch, channels, *size)
        pristine = copy.deepcopy(model)
        got = on_model(fn, model, images.clone(), module_named(model, layer_name), case=case)

        reference = copy.deepcopy(pristine)
        expected = explain.feature_maps(reference, images, module_named(reference, layer_name))
        if inplace and like(got, expected.relu()) and not like(got, expected):
            raise CheckFailed(f"case '{case}': the map you stored was overwritten by the ReLU(inplace=True) after the "
                              "layer. Hint: a hook gets the layer's output tensor itself; store a copy, output.clone()")
        expect_like(got, expected, case, feature_map_mistakes(pristine, images, layer_name), "register a forward "
                    "hook on `layer`, run model(images) under torch.no_grad() in evaluation mode, remove the hook, "
                    "return the output it stored",
                    shape_hint=f"the layer's output has shape {tuple(expected.shape)}: (N, channels, h, w).")
        expect(not got.requires_grad, case, "the maps still carry the autograd graph. Hint: run the model under "
               "`with torch.no_grad():` — no gradient is needed to look at the maps, and the graph holds memory.")
    # A forward pass that fails before reaching the layer: the error reaches the caller, and the hook and the mode
    # are still put back (attempt checks both, also when the answer raises) — what a `finally:` is for.
    case = "a model whose first layer raises, in training mode"
    model = tiny_cnn(1, (8, 8), True)
    model.features[0] = Failing()
    answer(fn, model, torch.randn(2, 1, 8, 8), module_named(model, "features.2"), case=case, raises=RuntimeError)


# --------------------------------------------------------------------------- saliency

def input_gradient(model: nn.Module, images: Tensor, target: Tensor, kind: str = "logit",
                   training: bool = False) -> Tensor:
    """∂ (sum of the batch's scores of this kind) / ∂ images, on a copy of the model in the given mode."""
    model = copy.deepcopy(model).train(training)
    x = images.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(scores_of(model, x, target, kind).sum(), x)
    return grad


@exercise("vanilla_saliency")
@isolated
def vanilla_saliency(fn: Callable[[nn.Module, Tensor, Tensor], Tensor]) -> None:
    """fn(model, images, target): |∂ score of each image's target class / ∂ image|, the images' shape,
    evaluation mode."""
    cases = [  # (case, channels, (H, W), batch, training)
        ("4 grey 8×8 images", 1, (8, 8), 4, True),
        ("3 colour images 6×10", 3, (6, 10), 3, False),
        ("a batch of one", 1, (8, 8), 1, True),
    ]
    not_leaf = {"NoneType": "a .grad was None: backward() fills .grad only for a leaf tensor that requires grad, and "
                            "only once it has run (images.clone() of a tensor that requires grad is not a leaf). Use "
                            "x = images.detach().clone().requires_grad_(True), then backward, then read x.grad.",
                "does not require grad": "no graph leads from the scores back to the images: make x require grad "
                                         "(x = images.detach().clone().requires_grad_(True)) and do not run the model "
                                         "under torch.no_grad()."}
    for name, channels, size, batch, training in cases:
        model = tiny_cnn(channels, size, training)
        images = torch.randn(batch, channels, *size)
        target = targets_for(model, images)
        pristine = copy.deepcopy(model)
        signed = explain.saliency(copy.deepcopy(pristine), images, target, absolute=False)
        expected = explain.saliency(copy.deepcopy(pristine), images, target)
        mistakes = [
            (signed, "your saliency has negative values: take the absolute value of the gradient (.abs())."),
            (input_gradient(pristine, images, target, training=True).abs(), TRAIN_MODE),
            (input_gradient(pristine, images, target, "loss").abs(), "that is the gradient of the loss: saliency "
             "differentiates the target class's score (its logit) itself, not the cross-entropy."),
            (input_gradient(pristine, images, target, "loss, mean").abs(), "that is the gradient of the (mean) loss: "
             "saliency differentiates the target class's score (its logit) itself."),
            (input_gradient(pristine, images, target, "probability").abs(), "that is the gradient of the softmax "
             "probability: differentiate the class score (the logit), as Simonyan et al. do — the probability also "
             "depends on every other class."),
            (input_gradient(pristine, images, target, "all classes").abs(), "you summed the scores of all classes: "
             "take each image's target class only, logits.gather(1, target.view(-1, 1)) or logits[range(N), target]."),
            (input_gradient(pristine, images, explain.predicted_classes(pristine, images)).abs(),
             "that is the gradient of the *predicted* class's score: explain the class given in `target`."),
        ]
        if batch > 1:
            mistakes.append((input_gradient(pristine, images, target, "logits[:, target]").abs(),
                             "logits[:, target] picks every image's target for every image (an N×N matrix): use "
                             "logits[torch.arange(N), target] or logits.gather(1, target.view(-1, 1))."))
        hint = "x = images.detach().clone().requires_grad_(True); the target scores' sum, backward (or " \
               "torch.autograd.grad); |x.grad|"

        case = f"{name}, model in {mode(training)} mode"
        x = images.clone()  # the same tensor twice: an answer that keeps the gradient in images.grad adds them up
        first = on_model(fn, model, x, target.clone(), case=case, hints=not_leaf)
        expect_like(first, expected, case, mistakes, hint, shape_hint="return the images' shape (N, C, H, W).")
        case = f"{name}, the same images tensor a second time"
        second = on_model(fn, model, x, target.clone(), case=case, hints=not_leaf)
        accumulated = [((2 * signed).abs(), "the second call on the same images returned twice the gradient: "
                        "backward() *adds* to x.grad. Hint: differentiate a fresh copy, x = images.detach().clone()"
                        ".requires_grad_(True), or use torch.autograd.grad, "
                        "which returns the gradient without storing it.")]
        expect_like(second, expected, case, accumulated + mistakes, hint)

        case = f"{name}, images that already require grad and carry a .grad"
        x = images.clone().requires_grad_(True)
        old = torch.randn(images.shape)
        x.grad = old.clone()
        got = on_model(fn, model, x, target.clone(), case=case, hints=not_leaf)
        accumulated = [((signed + old).abs(), "your result includes the .grad the images already had: backward() "
                        "*adds* to x.grad. Hint: differentiate a fresh copy, x = images.detach().clone()"
                        ".requires_grad_(True), or use torch.autograd.grad.")]
        expect_like(got, expected, case, accumulated + mistakes, hint)


# --------------------------------------------------------------------------- Grad-CAM

def cam_variant(maps: Tensor, grads: Tensor, size: tuple[int, int], weights: str = "positions", relu: str = "before",
                upsample: str = "bilinear", normalise: str = "image") -> Tensor:
    """Grad-CAM from a layer's maps and their gradients, right (the defaults) or with one classic mistake."""
    dims = {"positions": (2, 3), "channels": (1,), "batch and positions": (0, 2, 3), "batch": (0,), "none": ()}[weights]
    w = grads.mean(dim=dims, keepdim=True) if dims else grads
    cam = (w * maps).sum(dim=1, keepdim=True)
    if relu == "before":
        cam = cam.clamp(min=0)
    if normalise == "before upsampling":
        cam = cam / cam.abs().amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)
    if upsample == "bilinear":
        cam = F.interpolate(cam, size=size, mode="bilinear", align_corners=False)
    elif upsample == "align_corners":
        cam = F.interpolate(cam, size=size, mode="bilinear", align_corners=True)
    elif upsample == "nearest":
        cam = F.interpolate(cam, size=size, mode="nearest")
    if relu == "after":
        cam = cam.clamp(min=0)
    if normalise == "image":
        cam = cam / cam.abs().amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12)
    elif normalise == "image max":
        cam = cam / cam.amax(dim=(1, 2, 3), keepdim=True)
    elif normalise == "batch":
        cam = cam / cam.abs().max().clamp(min=1e-12)
    elif normalise == "min-max":
        low = cam.amin(dim=(1, 2, 3), keepdim=True)
        cam = (cam - low) / (cam.amax(dim=(1, 2, 3), keepdim=True) - low).clamp(min=1e-12)
    return cam


def maps_and_gradients(model: nn.Module, layer_name: str, images: Tensor, target: Tensor, kind: str = "logit",
                       training: bool = False) -> tuple[Tensor, Tensor]:
    model = copy.deepcopy(model).train(training)
    with explain.capture(module_named(model, layer_name)) as outputs:
        scores = scores_of(model, images, target, kind)
    (grads,) = torch.autograd.grad(scores.sum(), outputs[-1])
    return outputs[-1].detach(), grads


NO_GRAPH = {hint: "the gradient cannot reach the captured maps: keep the hook's output as it is (not detached, not "
                  "cloned) and run the model with gradients on (no torch.no_grad()) to compute the scores."
            for hint in ("does not require grad", "not have been used in the graph")}


@exercise("grad_cam")
@isolated
def grad_cam(fn: Callable[[nn.Module, Tensor, nn.Module, Tensor], Tensor]) -> None:
    """fn(model, images, layer, target): Grad-CAM heat maps (N, 1, H, W): the layer's maps weighted by their gradient
    averaged over positions, summed, ReLU, bilinear upsampling (align_corners=False), divided by each map's maximum."""
    cases = [  # (case, channels, (H, W), batch, layer name, training)
        ("4 grey 8×8 images, the last ReLU", 1, (8, 8), 4, "features.6", True),
        ("3 colour images 6×10, the last ReLU", 3, (6, 10), 3, "features.6", False),
        ("a batch of one 10×10, the second conv", 1, (10, 10), 1, "features.4", True),
        ("5 grey 12×8 images, the last ReLU", 1, (12, 8), 5, "features.6", True),
    ]
    for case, channels, size, batch, layer_name, training in cases:
        case = f"{case}, model in {mode(training)} mode"
        model = tiny_cnn(channels, size, training)
        images = torch.randn(batch, channels, *size)
        target = targets_for(model, images)
        pristine = copy.deepcopy(model)
        got = on_model(fn, model, images.clone(), module_named(model, layer_name), target.clone(), case=case,
                       hints=NO_GRAPH)

        reference = copy.deepcopy(pristine)
        expected = explain.grad_cam(reference, images, module_named(reference, layer_name), target)
        maps, grads = maps_and_gradients(pristine, layer_name, images, target)
        mistakes = [
            (cam_variant(maps, grads, size, relu="none"), "your map has negative values: apply a ReLU to the weighted "
             "sum (Grad-CAM keeps what speaks *for* the class)."),
            (cam_variant(maps, grads, size, relu="none", normalise="image max"), "your map has negative values: apply "
             "a ReLU to the weighted sum before upsampling."),
            (cam_variant(maps, grads, size, relu="after"), "apply the ReLU at the layer's resolution, before "
             "upsampling (the order Grad-CAM and captum use)."),
            (cam_variant(maps, grads, size, weights="channels"), "the weights are averaged over the channels: each "
             "map's weight is its gradient averaged over the *positions*, grads.mean(dim=(2, 3), keepdim=True)."),
            (cam_variant(maps, grads, size, weights="batch and positions"), "the weights are averaged over the batch "
             "too: each image has its own weights, grads.mean(dim=(2, 3), keepdim=True)."),
            (cam_variant(maps, grads, size, weights="batch"), "the weights are averaged over the batch: each map's "
             "weight is its gradient averaged over the positions of the same image, grads.mean(dim=(2, 3))."),
            (cam_variant(maps, grads, size, weights="none"), "you multiplied each map by its gradient position by "
             "position: Grad-CAM first averages each map's gradient over all positions (one weight per map)."),
            (cam_variant(maps, grads, size, upsample="nearest"), "that is nearest-neighbour upsampling: use "
             "F.interpolate(cam, size=images.shape[-2:], mode='bilinear', align_corners=False)."),
            (cam_variant(maps, grads, size, upsample="align_corners"), "upsample with align_corners=False (the pixel "
             "grid as F.interpolate's default for images and captum use it)."),
            (cam_variant(maps, grads, size, normalise="batch"), "you divided by the largest value of the whole batch: "
             "divide each map by its own maximum (amax over dims 1, 2, 3)."),
            (cam_variant(maps, grads, size, normalise="none"), "the maps are not divided by their maximum: each "
             "image's map should peak at 1."),
            (cam_variant(maps, grads, size, normalise="before upsampling"), "divide by the maximum *after* "
             "upsampling: bilinear upsampling lowers the peak, and the final map should peak at 1."),
            (cam_variant(maps, grads, size, normalise="min-max"), "divide by the maximum only (no minimum subtracted): "
             "after the ReLU a map's 0 means 'no evidence' and stays 0."),
            (cam_variant(*maps_and_gradients(pristine, layer_name, images, target, training=True), size), TRAIN_MODE),
            (cam_variant(*maps_and_gradients(pristine, layer_name, images, target, "probability"), size),
             "that uses the gradient of the softmax probability: Grad-CAM differentiates the class score (the logit)."),
        ]
        h, w = maps.shape[-2:]
        shape_hint = (f"got the layer's resolution ({h}×{w}): upsample to the image's size with F.interpolate(cam, "
                      "size=images.shape[-2:], mode='bilinear', align_corners=False)."
                      if isinstance(got, Tensor) and tuple(got.shape[-2:]) == (h, w) else
                      "one map per image, (N, 1, H, W): sum the weighted maps over the channels with keepdim=True.")
        expect_like(got, expected, case, mistakes, "maps and gradients of the layer; weights = grads.mean(dim=(2, 3), "
                    "keepdim=True); ReLU((weights * maps).sum(1, keepdim=True)); bilinear upsampling; ÷ each map's max "
                    "(clamped away from 0)", shape_hint=shape_hint)
    # A class the model ignores (its row of the last layer is 0): its score does not depend on the maps, every weight
    # is 0 and so is the map. The text asks for the divisor clamped, so that such a map stays 0 (0 / 0 is NaN).
    case = "a class whose last-layer weights are all 0 (its map is zero everywhere), model in evaluation mode"
    model = tiny_cnn(1, (8, 8), False)
    with torch.no_grad():
        model.classifier[-1].weight[2] = 0.0
    images, target = torch.randn(3, 1, 8, 8), torch.tensor([2, 2, 0])
    pristine = copy.deepcopy(model)
    got = on_model(fn, model, images.clone(), module_named(model, "features.6"), target.clone(), case=case,
                   hints=NO_GRAPH)
    reference = copy.deepcopy(pristine)
    expected = explain.grad_cam(reference, images, module_named(reference, "features.6"), target)
    if isinstance(got, Tensor) and torch.isnan(got.detach()).any():
        raise CheckFailed(f"case '{case}': your maps contain NaN: a map that is zero everywhere divided by its "
                          "maximum, 0, is 0 / 0. Hint: clamp the divisor, "
                          "cam.amax(dim=(1, 2, 3), keepdim=True).clamp(min=1e-12).")
    expect_like(got, expected, case, [], "a map that is zero everywhere stays zero (the divisor clamped)")


# --------------------------------------------------------------------------- occlusion

def window_starts(size: int, window: int, stride: int, how: str) -> list[int]:
    fitting = list(range(0, size - window + 1, stride))
    if how == "captum":  # until a window reaches the far edge; the last may stick out
        return list(range(0, -(-(size - window) // stride) * stride + 1, stride))
    if how == "shifted" and fitting[-1] != size - window:
        return fitting + [size - window]
    return fitting


@torch.no_grad()
def occlusion_variant(model: nn.Module, images: Tensor, target: Tensor, window: int, stride: int, fill: float,
                      starts: str = "captum", reduce: str = "mean", kind: str = "logit",
                      training: bool = False) -> Tensor:
    """Occlusion, one window at a time: right (the defaults) or with one classic mistake."""
    model = copy.deepcopy(model).train(training)
    _, _, height, width = images.shape
    clean = scores_of(model, images, target, kind)
    total = torch.zeros_like(images)
    count = torch.zeros(1, 1, height, width)
    corners = [(i, j) for i in window_starts(height, window, stride, starts)
               for j in window_starts(width, window, stride, starts)]
    for i, j in corners:
        covered = images.clone()
        covered[:, :, i:i + window, j:j + window] = fill
        drop = clean - scores_of(model, covered, target, kind)
        total[:, :, i:i + window, j:j + window] += drop.view(-1, 1, 1, 1)
        count[:, :, i:i + window, j:j + window] += 1
    if reduce == "sum":
        return total
    if reduce == "all windows":
        return total / len(corners)
    return total / count.clamp(min=1)


@exercise("occlusion")
@isolated
def occlusion(fn: Callable[..., Tensor]) -> None:
    """fn(model, images, target, window, stride, baseline): for each pixel, the mean drop of the target's score over
    the windows covering it (windows start every `stride` pixels until one reaches the far edge; it may stick out)."""
    cases = [  # (case, channels, (H, W), batch, window, stride, baseline, training)
        ("2 grey 8×8 images, window 3, stride 2", 1, (8, 8), 2, 3, 2, -0.5, True),
        ("3 colour images 7×9, window 4, stride 3", 3, (7, 9), 3, 4, 3, 0.25, False),
        ("a batch of one 8×8, window 2, stride 2", 1, (8, 8), 1, 2, 2, -1.0, True),
        ("4 grey 6×6 images, window 3, stride 1", 1, (6, 6), 4, 3, 1, -0.42, True),
    ]
    for case, channels, size, batch, window, stride, baseline, training in cases:
        case = f"{case}, baseline {baseline}, model in {mode(training)} mode"
        model = tiny_cnn(channels, size, training)
        images = torch.randn(batch, channels, *size)
        target = targets_for(model, images)
        pristine = copy.deepcopy(model)
        got = on_model(fn, model, images.clone(), target.clone(), window, stride, baseline, case=case)

        expected = explain.occlusion(copy.deepcopy(pristine), images, target, window, stride, baseline)
        args = (pristine, images, target, window, stride)
        mistakes = [
            (-expected, "the sign is flipped: occlusion is the score's *drop*, clean score − occluded score (a pixel "
             "whose covering lowers the score is important, positive)."),
            (occlusion_variant(*args, baseline, reduce="sum"), "overlapping windows are summed: divide each pixel's "
             "total by the number of windows that covered it (the mean drop)."),
            (occlusion_variant(*args, baseline, reduce="all windows"), "you divided by the number of all windows: "
             "divide each pixel's total by the number of windows that covered *it*."),
            (occlusion_variant(*args, baseline, starts="inside"), "the last rows or columns are never covered: when "
             "the stride does not fit evenly, keep adding windows until one reaches the far edge (it may stick out: "
             "starts range(0, ceil((size − window) / stride) · stride + 1, stride))."),
            (occlusion_variant(*args, baseline, starts="shifted"), "the last window should start at the next multiple "
             "of the stride and stick out of the image (as captum does), not be shifted back inside."),
            (occlusion_variant(*args, 0.0), "the windows are filled with 0: fill them with `baseline` (here the value "
             "of a black pixel after normalisation, which is not 0)."),
            (occlusion_variant(*args, baseline, kind="probability"), "that is the drop of the softmax probability: "
             "use the class score (the logit), as the other methods do."),
            (occlusion_variant(*args, baseline, training=True), TRAIN_MODE),
        ]
        expect_like(got, expected, case, mistakes, "for each window: copy the images, set the window (all channels) "
                    "to baseline, drop = clean score − covered score; add the drop to every pixel of the window and "
                    "count the windows per pixel; return total / count",
                    shape_hint="return the images' shape (N, C, H, W): every channel of a pixel gets the same value.")


# --------------------------------------------------------------------------- deletion curve

@torch.no_grad()
def deletion_variant(model: nn.Module, images: Tensor, attributions: Tensor, target: Tensor, fill: float, steps: int,
                     order: str = "signed", descending: bool = True, kind: str = "probability",
                     training: bool = False, count: Callable[[float], int] = round) -> Tensor:
    """The deletion curve's probabilities (N, steps + 1), right (the defaults) or with one classic mistake."""
    model = copy.deepcopy(model).train(training)
    n, channels, height, width = images.shape
    if order == "per channel":  # every (channel, pixel) value ranked on its own
        importance, cells = attributions.flatten(1), channels * height * width
    else:
        importance = {"signed": attributions.sum(dim=1), "abs of sum": attributions.sum(dim=1).abs(),
                      "sum of abs": attributions.abs().sum(dim=1)}[order].flatten(1)
        cells = height * width
    ranking = importance.argsort(dim=1, descending=descending)
    curve = []
    for k in range(steps + 1):
        keep = torch.ones(n, cells)
        keep.scatter_(1, ranking[:, :count(k * cells / steps)], 0.0)
        keep = keep.view(n, *((channels, height, width) if order == "per channel" else (1, height, width)))
        erased = images * keep + fill * (1 - keep)
        curve.append(scores_of(model, erased, target, kind))
    return torch.stack(curve, dim=1)


@exercise("deletion_curve")
@isolated
def deletion_curve(fn: Callable[..., Tensor]) -> None:
    """fn(model, images, attributions, target, baseline, steps): the target's softmax probability (N, steps + 1) as
    the top k/steps of the pixels (attribution summed over channels, largest first) are set to baseline,
    k = 0..steps."""
    cases = [  # (case, channels, (H, W), batch, baseline, steps, training)
        ("3 grey 8×8 images, 4 steps", 1, (8, 8), 3, -0.5, 4, True),
        ("2 colour images 6×8, 8 steps", 3, (6, 8), 2, 0.3, 8, False),
        ("a batch of one 8×8, 8 steps", 1, (8, 8), 1, -1.0, 8, True),
        # 64 pixels in 7 steps: 9.14, 18.29, 27.43, 36.57, 45.71, 54.86 pixels, where round and floor disagree at
        # three steps and round and ceiling at three others; a baseline far from the pixels, so that one pixel shows
        ("2 grey 8×8 images, 7 steps (64 / 7 is not whole)", 1, (8, 8), 2, -3.0, 7, False),
        ("2 grey 8×8 images, 1 step (nothing, then everything)", 1, (8, 8), 2, 0.1, 1, True),
    ]
    for case, channels, size, batch, baseline, steps, training in cases:
        case = f"{case}, baseline {baseline}, model in {mode(training)} mode"
        model = tiny_cnn(channels, size, training)
        images = torch.randn(batch, channels, *size)
        attributions = torch.randn(batch, channels, *size)  # both signs: a ranking by |value| differs
        target = targets_for(model, images)
        pristine = copy.deepcopy(model)
        got = on_model(fn, model, images.clone(), attributions.clone(), target.clone(), baseline, steps, case=case)

        _, expected = explain.deletion_curve(copy.deepcopy(pristine), images, attributions, target, baseline, steps)
        args = (pristine, images, attributions, target)
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[1], Tensor) and like(got[1], expected):
            raise CheckFailed(f"case '{case}': return the probabilities only, a tensor (N, steps + 1) — not "
                              "(fractions, probabilities).")
        mistakes = [
            (deletion_variant(*args, baseline, steps, descending=False), "you removed the *least* important pixels "
             "first: sort the importance in descending order (the largest attribution goes first)."),
            (deletion_variant(*args, baseline, steps, kind="logit"), "those are logits: the curve follows the softmax "
             "probability of the target class (between 0 and 1)."),
            (deletion_variant(*args, baseline, steps, order="abs of sum"), "you ranked the pixels by |attribution|: "
             "this lab ranks by the signed value (summed over channels), so pixels that speak *against* the class "
             "go last."),
            (deletion_variant(*args, baseline, steps, order="sum of abs"), "you ranked the pixels by the sum of "
             "|attribution| over channels: rank by the signed attribution summed over channels."),
            (deletion_variant(*args, baseline, steps, order="per channel"), "remove whole pixels: rank the pixels by "
             "their attribution summed over the channels, and set all channels of a removed pixel to the baseline."),
            (deletion_variant(*args, 0.0, steps), "removed pixels are set to 0: set them to `baseline` (here the value "
             "of a black pixel after normalisation, which is not 0)."),
            (deletion_variant(pristine, images, attributions, explain.predicted_classes(pristine, images), baseline,
                              steps),
             "that is the probability of the *predicted* class: follow the class given in `target`."),
            (deletion_variant(*args, baseline, steps, training=True), TRAIN_MODE),
            (deletion_variant(*args, baseline, steps, count=int), "int() rounds down: at step k remove "
             "round(k · H · W / steps) pixels, the nearest whole number."),
            (deletion_variant(*args, baseline, steps, count=lambda x: -int(-x // 1)), "that rounds up: at step k "
             "remove round(k · H · W / steps) pixels, the nearest whole number."),
        ]
        n = len(images)
        shape_hint = {(n, steps): f"{steps + 1} points per image: k = 0 (nothing removed) "
                                  f"to k = {steps} (every pixel).",
                      (steps + 1, n): "one row per image: (N, steps + 1)."}.get(
            tuple(got.shape) if isinstance(got, Tensor) else None,
            "one row per image, one column per step k = 0..steps.")
        expect_like(got, expected, case, mistakes, "importance = attributions.sum(dim=1).flatten(1); order = "
                    "importance.argsort(dim=1, descending=True); at step k set the first round(k·H·W/steps) pixels of "
                    "the order to baseline; softmax probability of the target", shape_hint=shape_hint)


# --------------------------------------------------------------------------- model randomisation

@exercise("randomized_copy")
@isolated
def randomized_copy(fn: Callable[[nn.Module], nn.Module]) -> None:
    """fn(model): a copy of the model with every layer re-initialised (batch norm's running statistics reset too),
    the original untouched."""
    for case, channels, size, training in [("a grey-image CNN", 1, (8, 8), False),
                                           ("a colour-image CNN", 3, (6, 10), True)]:
        case = f"{case} in {mode(training)} mode"
        model = tiny_cnn(channels, size, training)
        with torch.no_grad():  # "trained" weights unrelated to any initialisation: an answer that reseeds (with
            for p in model.parameters():  # any seed) would otherwise redraw what this model started from
                if p.dim() >= 2:
                    p.copy_(torch.randn_like(p) * p.std() + 0.05)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        got = answer(fn, model, case=case)
        expect(got is not None, case, "got None — did you forget to return the copy?")
        expect(isinstance(got, nn.Module), case, f"expected an nn.Module, got {type(got).__name__}.")
        changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
        if got is model or changed:
            raise CheckFailed(f"case '{case}': the original model was re-initialised too. Hint: re-initialise a "
                              "copy.deepcopy(model): the sanity check compares the trained network with the random "
                              "one, so it needs both.")
        state = got.state_dict()
        expect({k: tuple(v.shape) for k, v in state.items()} == {k: tuple(v.shape) for k, v in before.items()}, case,
               "the copy does not have the model's layers. Hint: copy.deepcopy(model) keeps the architecture.")
        kept = [name for name, p in got.named_parameters() if torch.equal(p.detach(), before[name])]
        expect(not kept, case, f"these parameters were not re-initialised: {', '.join(kept)}. Hint: call "
               "reset_parameters() on every module of the copy that has one (Conv2d, BatchNorm2d, Linear).")
        # Re-initialised means drawn afresh, so unrelated to the trained values: their correlation is within
        # 6/√n of 0 for n independent numbers (a fresh draw fails that about once in 10⁹), where trained weights
        # plus a little noise, or scaled, or half-mixed, stay correlated.
        for name, p in got.named_parameters():
            new, old = p.detach().flatten().double(), before[name].flatten().double()
            if p.dim() < 2 or new.numel() < 100:
                continue
            r = float(torch.corrcoef(torch.stack([new, old]))[0, 1])
            if abs(r) > 6 / new.numel() ** 0.5:
                raise CheckFailed(f"case '{case}': '{name}' is still correlated with the trained weights "
                                  f"(correlation {r:.2f}). Hint: re-initialise means drawing new values "
                                  "(reset_parameters()), not nudging, scaling or mixing the trained ones.")
        for name, m in got.named_modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
                if torch.equal(m.running_mean, before[f"{name}.running_mean"]):
                    raise CheckFailed(f"case '{case}': batch norm '{name}' kept the trained network's running "
                                      "statistics. Hint: they are buffers, not parameters: reset them too with "
                                      "reset_running_stats() (BatchNorm's reset_parameters() does both).")
                fresh = torch.equal(m.running_mean, torch.zeros_like(m.running_mean)) and torch.equal(
                    m.running_var, torch.ones_like(m.running_var))
                expect(fresh, case, f"batch norm '{name}' has running statistics that are neither the trained ones "
                       "nor fresh ones (mean 0, variance 1). Hint: reset_running_stats().")
        x = torch.randn(2, channels, *size)
        with torch.no_grad(), evaluating(got), evaluating(model):
            expect(not tensors.close(attempt(got, x, case=case), model(x)), case,
                   "the copy computes what the model computes.")
