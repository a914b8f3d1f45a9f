"""Grad-CAM (Selvaraju et al., 2017): a conv layer's maps weighted by how much the class score depends on each
map (its gradient averaged over positions), summed, kept where positive, and upsampled to the image (lab 06)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from dlpractice.explain.feature_maps import capture
from dlpractice.explain.scores import class_scores
from dlpractice.models.evaluation import device_of, evaluating


def grad_cam(model: nn.Module, images: Tensor, layer: nn.Module, target: int | Tensor | None = None,
             relu: bool = True, upsample: bool = True, normalize: bool = True) -> Tensor:
    """Heat maps (N, 1, H, W) of the images' size (bilinear upsampling), each divided by its maximum.

    `upsample=False, normalize=False` gives the raw map at the layer's resolution, as captum's LayerGradCam."""
    x = images.detach().to(device_of(model)).requires_grad_(True)  # the maps need a graph even if params are frozen
    with evaluating(model), capture(layer) as outputs:
        scores = class_scores(model, x, target)
    maps = outputs[-1]  # (N, K, h, w)
    (grads,) = torch.autograd.grad(scores.sum(), maps)
    weights = grads.mean(dim=(2, 3), keepdim=True)  # one weight per map: its gradient averaged over positions
    cam = (weights * maps).sum(dim=1, keepdim=True).detach()
    if relu:  # only what speaks *for* the class
        cam = cam.clamp(min=0)
    if upsample:
        cam = F.interpolate(cam, size=images.shape[-2:], mode="bilinear", align_corners=False)
    if normalize:
        peak = cam.abs().amax(dim=(1, 2, 3), keepdim=True)
        cam = cam / peak.clamp(min=1e-12)  # an all-zero map stays zero
    return cam.cpu()


def default_cam_layer(model: nn.Module) -> nn.Module:
    """The last layer of `model.features` that is not pooling (the final maps after their non-linearity, as in
    lab 03's LeNet5 / SmallVGG / SmallResNet); for other models, the last nn.Conv2d."""
    features = getattr(model, "features", None)
    if isinstance(features, nn.Sequential):
        kept = [m for m in features if not isinstance(m, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d))]
        if kept:
            return kept[-1]
    from dlpractice.explain.filters import last_conv

    return last_conv(model)
