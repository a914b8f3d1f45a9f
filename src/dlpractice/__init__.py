"""dlpractice: a hands-on deep learning course in PyTorch, delivered as tested software."""

from dlpractice.course.runner import run

__all__ = ["run"]
__version__ = "0.1.0"
