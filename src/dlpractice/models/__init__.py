"""Small reusable models for the labs, one concept per file.

One architecture per file (mlp, wide_mlp, lenet, vgg, resnet, genome_cnn), plus evaluation.py (running a model in
evaluation mode: `evaluating`, `predict`) and summary.py (what each layer does to the shape of its input). A file
here defines an nn.Module and how to count or run it, nothing about training it (training/, engine/) or loading
its data (data/). It may import only course/ (and torch), never data/ or anything above.
"""

from dlpractice.models.evaluation import device_of, evaluating, predict
from dlpractice.models.lenet import LeNet5
from dlpractice.models.mlp import MLP, count_parameters, mlp_parameter_formula
from dlpractice.models.resnet import GlobalAvgPool, ResidualBlock, SmallResNet
from dlpractice.models.summary import layer_shapes, layer_table
from dlpractice.models.vgg import SmallVGG

__all__ = ["GlobalAvgPool", "LeNet5", "MLP", "ResidualBlock", "SmallResNet", "SmallVGG", "count_parameters", "device_of", "evaluating",
           "layer_shapes", "layer_table", "mlp_parameter_formula", "predict"]
