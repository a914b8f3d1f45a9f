"""Models and images the explanation tests share: a small CNN for 8×8 digits, a random SmallVGG with real batch-norm
statistics, and captum's hand-weighted test models (captum/testing/helpers/basic_models.py), adapted to images."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.course.runner import torch_threads
from dlpractice.models import SmallVGG


def one_thread():
    """These models are tiny: one intra-op thread is as fast, and far faster on a busy 2-core machine (where
    two OpenMP threads spin waiting for each other). The previous setting is restored afterwards."""
    return torch_threads(1)


def correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two tensors, flattened."""
    return float(torch.corrcoef(torch.stack([a.flatten().double(), b.flatten().double()]))[0, 1])


class TinyCNN(nn.Module):
    """8×8 digits → 10 scores: conv → BN → ReLU → pool (4×4) → conv → ReLU → linear."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def vgg(seed: int = 0, width: int = 16, in_channels: int = 1) -> SmallVGG:
    """A random SmallVGG whose batch norms hold non-trivial running statistics, in evaluation mode."""
    torch.manual_seed(seed)
    model = SmallVGG(in_channels=in_channels, num_classes=10, width=width)
    with torch.no_grad():  # a few train-mode passes so that train and eval modes really differ
        for _ in range(3):
            model(3 * torch.rand(16, in_channels, 28, 28) + 1)
    return model.eval()


def images28(n: int = 4, channels: int = 1, seed: int = 1) -> torch.Tensor:
    return torch.rand(n, channels, 28, 28, generator=torch.Generator().manual_seed(seed))


# captum's hand-weighted test models (captum/testing/helpers/basic_models.py), adapted to images → (N, classes).

class ClampAtOne(nn.Module):
    """captum's BasicModel, 1 − relu(1 − x), summed over the pixels of each image: one score per image."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (1 - F.relu(1 - x)).flatten(1).sum(dim=1, keepdim=True)


class PaperModel(nn.Module):
    """captum's BasicModel2 / BasicModel3, the two examples of Sundararajan et al. (2017) on a 1×2 image (x1, x2):
    relu(relu(x1) − 1 − relu(x2)) or relu(relu(x1 − 1) − relu(x2)) — the same function, built two ways."""

    def __init__(self, variant: int) -> None:
        super().__init__()
        self.variant = variant

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1, x2 = x[:, 0, 0, 0], x[:, 0, 0, 1]
        if self.variant == 2:
            out = F.relu(F.relu(x1) - 1 - F.relu(x2))
        else:
            out = F.relu(F.relu(x1 - 1) - F.relu(x2))
        return out.unsqueeze(1)


class MultiLayer(nn.Module):
    """captum's BasicModel_MultiLayer on a 1×3 image: identity, Linear(3, 4) of ones with biases (−10, 1, 1, 1),
    ReLU, Linear(4, 2) of ones with biases (−1, 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear0 = nn.Linear(3, 3)
        self.linear1 = nn.Linear(3, 4)
        self.linear2 = nn.Linear(4, 2)
        with torch.no_grad():
            self.linear0.weight.copy_(torch.eye(3))
            self.linear0.bias.zero_()
            self.linear1.weight.fill_(1.0)
            self.linear1.bias.copy_(torch.tensor([-10.0, 1.0, 1.0, 1.0]))
            self.linear2.weight.fill_(1.0)
            self.linear2.bias.copy_(torch.tensor([-1.0, 1.0]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(F.relu(self.linear1(self.linear0(x.flatten(1)))))


class OneConv(nn.Module):
    """captum's BasicModel_ConvNet_One_Conv on 1×4×4 images: Conv2d(1, 2, 3) of ones with biases (−50, −75), ReLU,
    flatten (8), Linear(8, 4) with weights (1, 1, 1, 1, 1, −1, −1, −1) in every row and no bias, ReLU.
    `offset` is added to the image first (captum's second input, x2)."""

    def __init__(self, offset: float = 0.0) -> None:
        super().__init__()
        self.offset = offset
        self.conv1 = nn.Conv2d(1, 2, 3)
        self.relu1 = nn.ReLU()
        self.fc1 = nn.Linear(8, 4)
        self.relu2 = nn.ReLU()
        with torch.no_grad():
            self.conv1.weight.fill_(1.0)
            self.conv1.bias.copy_(torch.tensor([-50.0, -75.0]))
            self.fc1.weight.copy_(torch.cat([torch.ones(4, 5), -torch.ones(4, 3)], dim=1))
            self.fc1.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu2(self.fc1(self.relu1(self.conv1(x + self.offset)).view(-1, 8)))


ARANGE = torch.arange(16, dtype=torch.float32).view(1, 1, 4, 4)
