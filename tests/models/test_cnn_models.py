"""Lab 03's three CNNs (LeNet-5, SmallVGG, SmallResNet) and the residual block."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.models import LeNet5, ResidualBlock, SmallResNet, SmallVGG, count_parameters


@pytest.mark.parametrize("channels, size", [(1, 28), (3, 32)])
@pytest.mark.parametrize("make", [
    lambda c, s: LeNet5(c, 10, s),
    lambda c, s: SmallVGG(c, 10, 8, image_size=s),
    lambda c, s: SmallVGG(c, 10, 8, convs=(2, 2, 2), image_size=s),
    lambda c, s: SmallResNet(c, 10, 8),
    lambda c, s: SmallResNet(c, 10, 8, blocks=(2, 1, 1)),
], ids=["lenet5", "vgg", "vgg-2-per-stage", "resnet", "resnet-2-1-1"])
def test_models_map_images_to_logits_through_features_then_classifier(make, channels, size):
    model = make(channels, size).eval()
    for batch in (1, 7):
        x = torch.randn(batch, channels, size, size)
        out = model(x)
        assert out.shape == (batch, 10)
        torch.testing.assert_close(model.classifier(model.features(x)), out)  # the split lab 06's Grad-CAM relies on
    assert any(isinstance(m, nn.Conv2d) for m in model.features) or any(isinstance(m, ResidualBlock) for m in model.features)


def test_documented_parameter_counts():
    assert count_parameters(LeNet5()) == 61_706  # 156 + 2,416 + 48,120 + 10,164 + 850
    assert count_parameters(LeNet5(3, image_size=32)) == 62_006
    assert count_parameters(SmallVGG()) == 29_178
    for model in (SmallVGG(), SmallResNet()):
        assert any(isinstance(m, nn.BatchNorm2d) for m in model.modules())


def test_lenet5_rejects_other_image_sizes_and_vgg_rejects_zero_width():
    with pytest.raises(ValueError, match="28×28 or 32×32"):
        LeNet5(image_size=64)
    with pytest.raises(ValueError, match="width"):
        SmallVGG(width=0)
    with pytest.raises(ValueError, match="blocks"):
        SmallResNet(blocks=(1, 0, 1))


def test_residual_block_is_the_identity_when_its_last_batch_norm_outputs_zero():
    torch.manual_seed(0)
    block = ResidualBlock(4).eval()
    nn.init.zeros_(block.bn2.weight)  # F(x) = 0 (the "zero-init" trick of deep ResNets)
    nn.init.zeros_(block.bn2.bias)
    x = torch.rand(2, 4, 5, 5, requires_grad=True)  # non-negative, like the output of an earlier ReLU
    out = block(x)
    torch.testing.assert_close(out, x)
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.ones_like(x))  # the gradient flows straight through the skip connection


def test_residual_block_projects_the_shortcut_when_the_shape_changes():
    same, wider, strided = ResidualBlock(4), ResidualBlock(4, 8), ResidualBlock(4, 8, stride=2)
    assert isinstance(same.shortcut, nn.Identity)
    assert isinstance(wider.shortcut, nn.Sequential) and isinstance(strided.shortcut[0], nn.Conv2d)
    x = torch.randn(2, 4, 8, 8)
    assert wider(x).shape == (2, 8, 8, 8) and strided(x).shape == (2, 8, 4, 4)
    # a deliberately wrong block (ReLU before the addition) differs from the right one with the same weights
    block = ResidualBlock(4).eval()
    wrong = F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x)))))) + x
    assert not torch.allclose(block(x), wrong)
