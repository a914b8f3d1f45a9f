"""Where the tests find the repository, its notebooks, the shared datasets and the toy command."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
# ../shared/data beside the repository holds real datasets for tests (see its README); it may be absent.
SHARED_DATA = REPO.parent / "shared" / "data"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
# The real `dlpractice` command with the toy lab (support/toy_lab.py) registered as lab 99.
TOY_CLI = Path(__file__).resolve().with_name("toy_cli.py")
# The real `dlpractice` command with only lab 01 and the toy lab registered (for `run --all`).
TWO_LAB_CLI = Path(__file__).resolve().with_name("two_lab_cli.py")
