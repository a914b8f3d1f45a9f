"""Training written out by hand (labs 01, 02, 04, 05): the loops (lab 01's `train_tensors`, the general `train`),
optimisers, learning-rate schedules, checkpointing a hand-written loop, regularisers, gradient flow, activation
functions, the seeded sampler, and these labs' figures (`plots`, not imported here: matplotlib is slow to load).

Code that shows what a trainer does, step by step, belongs here; a model goes in models/, a dataset in data/, and
anything built on Lightning in engine/. training/ sits below engine/: the engine reuses its pieces (optimiser
names, the seeded sampler), so nothing here imports engine/ or Lightning. It may import models, data and course.
"""

from dlpractice.training.activations import ACTIVATIONS, derivative
from dlpractice.training.checkpointing import load_checkpoint, save_checkpoint
from dlpractice.training.gradient_flow import deep_mlp, gradient_norms, layer_gradient_norms
from dlpractice.training.loop import (
    ArrayDataset,
    Curves,
    History,
    evaluate,
    seeded_loader,
    train,
    train_epoch,
    train_tensors,
)
from dlpractice.training.optimizers import OPTIMIZERS, make_optimizer, momentum_step
from dlpractice.training.regularizers import batch_norm_eval, batch_norm_train, dropout, l2_penalty, weight_norm
from dlpractice.training.sampler import SeededSampler
from dlpractice.training.schedules import SCHEDULES, Schedule, cosine_lr, make_schedule, step_decay_lr

__all__ = ["ACTIVATIONS", "ArrayDataset", "Curves", "History", "OPTIMIZERS", "SCHEDULES", "Schedule",
           "SeededSampler", "batch_norm_eval", "batch_norm_train", "cosine_lr", "deep_mlp", "derivative", "dropout",
           "evaluate", "gradient_norms", "l2_penalty", "layer_gradient_norms", "load_checkpoint", "make_optimizer",
           "make_schedule", "momentum_step", "save_checkpoint", "seeded_loader", "step_decay_lr", "train",
           "train_epoch", "train_tensors", "weight_norm"]
