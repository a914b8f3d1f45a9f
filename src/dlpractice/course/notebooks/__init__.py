"""Course notebooks: building exercise and solution notebooks from one source, and grading them.

`build.py` turns each `notebooks/NN-name.py` into `exercises/` and `solutions/` notebooks, `grade.py` runs a
student's notebook and scores its exercises, `gradebook.py` grades a class's notebooks into one CSV, and `quick()`
tells a notebook to shrink its data and epochs. Only notebook plumbing belongs here (the exercises themselves are in
notebooks/, their checks in checks/). Part of course/: it imports course/ and jupytext/nbformat, never torch.
`RESULT_MIME` is the format in which a check (`checks.core`) hands its result to the grader.
"""

import os

# What an exercise's stub raises (build.py writes it into the exercise notebooks): only this error means
# "not attempted"; any other NotImplementedError (PyTorch raises some for unsupported dtypes) is a wrong answer.
STUB_MESSAGE = "exercise: write your answer here"

# How a check sends its result to the grader: a display output of this MIME type, read back by grade.py.
RESULT_MIME = "application/vnd.dlpractice.check+json"


def quick() -> bool:
    """True when DLPRACTICE_QUICK=1: notebooks shrink epochs and data (the tests set it)."""
    return os.environ.get("DLPRACTICE_QUICK", "") not in ("", "0")
