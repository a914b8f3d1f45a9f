"""Images and convolutions (labs 03 and 04): convolution and max pooling written out with loops (`conv_by_hand`),
data augmentation (`augmentation`), and the CNN figures (`plots`, not imported here: matplotlib is slow to load).

Code about images that a lab teaches belongs here; CNN architectures go in models/, image datasets in data/,
explanation methods in explain/. Like every topic package it may import engine, training, models, data and course,
never labs/, checks/ or another topic package (one exception today: plots.py draws feature maps and filters with
explain/'s functions).
"""

from dlpractice.vision.augmentation import AUGMENTATIONS, make_augmentation, random_shift
from dlpractice.vision.conv_by_hand import (
    EDGE_KERNELS,
    apply_kernel,
    compare_with_pytorch,
    conv2d_by_hand,
    conv_output_size,
    conv_parameter_count,
    dense_parameter_count,
    edge_magnitude,
    max_pool2d_by_hand,
    receptive_field,
)

__all__ = ["AUGMENTATIONS", "EDGE_KERNELS", "apply_kernel", "compare_with_pytorch", "conv2d_by_hand",
           "conv_output_size", "conv_parameter_count", "dense_parameter_count", "edge_magnitude", "make_augmentation",
           "max_pool2d_by_hand", "random_shift", "receptive_field"]
