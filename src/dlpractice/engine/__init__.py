"""The training engine for labs that use the high-level API (built on Lightning).

A lab's config subclasses `EngineConfig`; its `run` builds a LightningModule and a data module, then calls
`fit(module, datamodule, ctx, config, seed)`, which logs to TensorBoard, checkpoints, resumes and uses any devices.
"""

from dlpractice.engine.classifier import Classifier
from dlpractice.engine.config import EngineConfig
from dlpractice.engine.datamodule import ArrayDataModule
from dlpractice.engine.fit import fit
from dlpractice.engine.metrics import final_metrics
from dlpractice.engine.rng import RngState
from dlpractice.training.sampler import SeededSampler

__all__ = ["ArrayDataModule", "Classifier", "EngineConfig", "RngState", "SeededSampler", "final_metrics", "fit"]
