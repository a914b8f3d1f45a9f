"""The real `dlpractice` command with the toy lab registered as lab 99 (DDP workers re-run this same script)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, so that `support.toy_lab` imports

from dlpractice.cli import main  # noqa: E402
from dlpractice.course import registry  # noqa: E402

registry.LABS["99"] = "support.toy_lab"

if __name__ == "__main__":
    main()
