"""Explanations of an image classifier, each written from scratch in one short file and checked against captum
in the tests: every method takes any nn.Module from images (N, C, H, W) to class scores (N, classes).

Lab 06. One method per file, plus scores.py (what the methods share) and plots.py (the figures, not imported
here: matplotlib is slow to load). A new explanation method or sanity check is a new file here; the classifier it
explains comes from models/ and is trained by the lab. Like every topic package it may import engine, training,
models, data and course, never labs/, checks/ or another topic package.
"""

from dlpractice.explain.activation_maximization import activation_maximization, total_variation
from dlpractice.explain.deletion import area_under_curve, deletion_curve
from dlpractice.explain.feature_maps import capture, feature_maps
from dlpractice.explain.filters import first_conv, first_layer_filters, last_conv
from dlpractice.explain.grad_cam import default_cam_layer, grad_cam
from dlpractice.explain.input_x_gradient import input_x_gradient
from dlpractice.explain.integrated_gradients import completeness_gap, integrated_gradients
from dlpractice.explain.occlusion import occlusion
from dlpractice.explain.projection import last_linear, penultimate_features, project
from dlpractice.explain.randomization import randomized_copy, rank_correlation
from dlpractice.explain.saliency import saliency
from dlpractice.explain.scores import class_scores, predicted_classes
from dlpractice.explain.smoothgrad import smoothgrad

__all__ = ["activation_maximization", "area_under_curve", "capture", "class_scores", "completeness_gap",
           "default_cam_layer", "deletion_curve", "feature_maps", "first_conv", "first_layer_filters", "grad_cam",
           "input_x_gradient", "integrated_gradients", "last_conv", "last_linear", "occlusion", "penultimate_features",
           "predicted_classes", "project", "randomized_copy", "rank_correlation", "saliency", "smoothgrad",
           "total_variation"]
