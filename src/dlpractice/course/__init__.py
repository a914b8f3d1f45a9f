"""The course machinery, with no deep learning in it: the lab contract (`Lab`, `Preset`, `Target`, `LabResult`),
the registry of labs, typed configs (`LabConfig`), run folders, the runner, report.md, the one user-facing error
(`UserError`), and in `notebooks/` building and grading the notebooks.

A file belongs here when a course on any other subject would need it unchanged; anything that touches tensors,
models or data goes further up. This is the bottom layer: it imports no other dlpractice package (every other
package may import it) and never imports torch at module level, so that `dlpractice list` and `--help` stay fast.
"""

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.errors import UserError
from dlpractice.course.lab import Lab, LabResult, Preset, Target
from dlpractice.course.runs import RunContext, RunOptions, new_run_dir

__all__ = ["Lab", "LabConfig", "LabResult", "Preset", "RunContext", "RunOptions", "Target", "UserError",
           "check_positive", "new_run_dir"]
