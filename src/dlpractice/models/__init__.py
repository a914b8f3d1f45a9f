"""Small reusable models for the labs, one concept per file."""

from dlpractice.models.evaluation import device_of, evaluating, predict
from dlpractice.models.lenet import LeNet5
from dlpractice.models.mlp import MLP, count_parameters, mlp_parameter_formula
from dlpractice.models.resnet import GlobalAvgPool, ResidualBlock, SmallResNet
from dlpractice.models.summary import layer_shapes, layer_table
from dlpractice.models.vgg import SmallVGG

__all__ = ["GlobalAvgPool", "LeNet5", "MLP", "ResidualBlock", "SmallResNet", "SmallVGG", "count_parameters", "device_of", "evaluating",
           "layer_shapes", "layer_table", "mlp_parameter_formula", "predict"]
