"""The training engine for labs that use the high-level API (built on Lightning).

A lab's config subclasses `EngineConfig`; its `run` builds a LightningModule and a data module, then calls
`fit(module, datamodule, ctx, config, seed)`, which logs to TensorBoard, checkpoints, resumes and uses any devices.

The one Lightning-based trainer, and the only package that imports Lightning: a new callback, logger or trainer
option goes here, a training step written by hand goes in training/. The engine builds on training/ (optimiser
names, the seeded sampler), so it sits above it: it may import training, models, data and course, never a topic
package, labs/ or checks/.
"""

from lightning.pytorch import Trainer, seed_everything

from dlpractice.engine.classifier import Classifier
from dlpractice.engine.config import EngineConfig
from dlpractice.engine.datamodule import ArrayDataModule
from dlpractice.engine.fit import fit
from dlpractice.engine.metrics import final_metrics
from dlpractice.engine.options import check_options
from dlpractice.engine.rng import RngState
from dlpractice.training.sampler import SeededSampler

__all__ = ["Trainer", "seed_everything", "ArrayDataModule", "Classifier", "EngineConfig", "RngState", "SeededSampler", "check_options",
           "final_metrics", "fit"]
