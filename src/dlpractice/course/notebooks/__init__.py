"""Course notebooks: building exercise and solution notebooks from one source, and grading them.

`build.py` turns each `notebooks/NN-name.py` into `exercises/` and `solutions/` notebooks, `grade.py` runs a
student's notebook and scores its exercises, and `quick()` tells a notebook to shrink its data and epochs. Only
notebook plumbing belongs here (the exercises themselves are in notebooks/, their checks in checks/). Part of
course/: it imports course/ and jupytext/nbformat, never torch; the one upward import is grade.py reading the
result format of `checks.core`, loaded only by `dlpractice check`.
"""

import os


def quick() -> bool:
    """True when DLPRACTICE_QUICK=1: notebooks shrink epochs and data (the tests set it)."""
    return os.environ.get("DLPRACTICE_QUICK", "") not in ("", "0")
