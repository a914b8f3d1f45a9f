"""LeNet-5 (LeCun et al., 1998), modernised: ReLU and max pooling instead of tanh and average pooling (lab 03)."""

from __future__ import annotations

from torch import Tensor, nn


class LeNet5(nn.Module):
    """conv 5×5 (6) → pool → conv 5×5 (16) → pool → 120 → 84 → classes; 61,706 parameters for 1×28×28 digits.

    The original took 32×32 images; a 28×28 MNIST digit gets 2 pixels of zero padding in the first conv, so the
    second conv still ends at 16 maps of 5×5. `features` is the conv trunk, `classifier` the fully connected head.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 28) -> None:
        super().__init__()
        if image_size not in (28, 32):
            raise ValueError(f"LeNet5 takes 28×28 or 32×32 images, got {image_size}")
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=(32 - image_size) // 2),  # → 6 × 28 × 28
            nn.ReLU(),
            nn.MaxPool2d(2),  # → 6 × 14 × 14
            nn.Conv2d(6, 16, kernel_size=5),  # → 16 × 10 × 10
            nn.ReLU(),
            nn.MaxPool2d(2),  # → 16 × 5 × 5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),  # → 400
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, num_classes),  # logits: CrossEntropyLoss applies the softmax
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))

