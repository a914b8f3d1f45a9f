"""Course notebooks: building exercise and solution notebooks from one source, and grading them."""

import os


def quick() -> bool:
    """True when DLPRACTICE_QUICK=1: notebooks shrink epochs and data (the tests set it)."""
    return os.environ.get("DLPRACTICE_QUICK", "") not in ("", "0")
