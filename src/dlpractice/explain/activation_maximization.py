"""Activation maximisation (Erhan et al., 2009; Olah et al., 2017): gradient ascent on the *input* to excite a class
score or one channel of a layer (lab 06). Without regularisation the result is high-frequency noise the network
happens to like; an L2 penalty, a total-variation penalty and small random shifts make it a picture a person can
read."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.explain.feature_maps import capture
from dlpractice.models.evaluation import device_of, evaluating


def total_variation(images: Tensor) -> Tensor:
    """Mean squared difference between neighbouring pixels, per image: large for noise, small for smooth shapes."""
    down = (images[:, :, 1:, :] - images[:, :, :-1, :]).pow(2).mean(dim=(1, 2, 3))
    right = (images[:, :, :, 1:] - images[:, :, :, :-1]).pow(2).mean(dim=(1, 2, 3))
    return down + right


def activation_maximization(model: nn.Module, shape: tuple[int, int, int], classes: list[int] | None = None,
                            layer: nn.Module | None = None, channels: list[int] | None = None, steps: int = 200,
                            lr: float = 0.05, l2: float = 1.0, tv: float = 10.0, jitter: int = 2,
                            bounds: tuple[float, float] | None = None, seed: int = 0) -> Tensor:
    """One image (C, H, W) = `shape` per class in `classes` (their logits), or per channel in `channels` of `layer`
    (its mean activation); returns (len, C, H, W). `bounds` clamps pixels to the range real images take."""
    if (classes is None) == (channels is None) or (channels is not None and layer is None):
        raise ValueError("give either classes, or a layer and its channels")
    goals = torch.tensor(classes if classes is not None else channels, dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    device = device_of(model)
    x = (0.01 * torch.randn(len(goals), *shape, generator=generator)).to(device).requires_grad_(True)
    optimizer = torch.optim.Adam([x], lr=lr)
    index = torch.arange(len(goals))
    with evaluating(model):
        for _ in range(steps):
            dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
            shifted = torch.roll(x, shifts=(dy, dx), dims=(2, 3))  # robust to small shifts: not a pixel-exact trick
            if layer is None:
                objective = model(shifted)[index, goals.to(device)]
            else:
                with capture(layer) as outputs:
                    model(shifted)
                objective = outputs[-1][index, goals.to(device)].mean(dim=(1, 2))
            loss = -objective + l2 * x.pow(2).mean(dim=(1, 2, 3)) + tv * total_variation(x)
            # each image has its own goal; summing keeps their gradients separate. autograd.grad, not backward():
            # only the image's gradient, nothing written into the model's parameters' .grad
            (x.grad,) = torch.autograd.grad(loss.sum(), x)
            optimizer.step()
            if bounds is not None:
                with torch.no_grad():
                    x.clamp_(*bounds)
    return x.detach().cpu()
