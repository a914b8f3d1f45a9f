"""What lab 03's figures show: the outputs of a CNN's first two convolutions."""

import torch

from dlpractice.models import SmallResNet
from dlpractice.vision import plots as cnn_plots


def test_conv_outputs_are_the_first_two_convolutions():
    torch.manual_seed(0)
    model = SmallResNet(1, 10, 8).train()
    x = torch.randn(3, 1, 28, 28)
    first, second = cnn_plots.conv_outputs(model, x)
    assert model.training  # restored
    torch.testing.assert_close(first, model.features[0](x))
    assert second.shape == (3, 8, 28, 28)
