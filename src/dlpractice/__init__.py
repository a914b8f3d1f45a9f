"""dlpractice: a hands-on deep learning course in PyTorch, delivered as tested software."""

from dlpractice.course.errors import UserError
from dlpractice.course.runner import run

__all__ = ["UserError", "run"]
__version__ = "0.1.0"
