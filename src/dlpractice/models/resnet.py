"""A small ResNet (He et al., 2015): batch-normed residual blocks, each learning a correction to its input (lab 03)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """out = ReLU(F(x) + shortcut(x)), with F = conv3×3 → BN → ReLU → conv3×3 → BN.

    The shortcut is the identity, or a 1×1 conv + BN when the block changes the number of channels or
    (stride 2) halves the size. The ReLU comes after the addition: with F(x) = 0 the block passes its input
    (non-negative, the output of an earlier ReLU) through unchanged, which is what makes deep stacks easy to train.
    """

    def __init__(self, in_channels: int, out_channels: int | None = None, stride: int = 1) -> None:
        super().__init__()
        out_channels = out_channels or in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        residual = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(residual + self.shortcut(x))


class SmallResNet(nn.Module):
    """A 3×3 stem, then three stages of `blocks[i]` residual blocks (width·2^i channels, stages 2 and 3 start with
    stride 2), global average pooling and one Linear layer. Any image size works."""

    def __init__(self, in_channels: int = 1, num_classes: int = 10, width: int = 16,
                 blocks: tuple[int, int, int] = (1, 1, 1)) -> None:
        super().__init__()
        if width <= 0 or min(blocks) <= 0:
            raise ValueError(f"width and blocks must be > 0, got width={width}, blocks={blocks}")
        layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                                   nn.ReLU()]
        channels = width
        for stage, repeat in enumerate(blocks):
            for i in range(repeat):
                stride = 2 if stage > 0 and i == 0 else 1
                layers.append(ResidualBlock(channels, width * 2**stage, stride))
                channels = width * 2**stage
        self.features = nn.Sequential(*layers)
        # global average pooling as a plain mean: nn.AdaptiveAvgPool2d's backward has no deterministic CUDA version
        self.classifier = nn.Sequential(GlobalAvgPool(), nn.Linear(channels, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


class GlobalAvgPool(nn.Module):
    """(N, C, H, W) → (N, C): the mean of each feature map."""

    def forward(self, x: Tensor) -> Tensor:
        return x.mean(dim=(2, 3))
