"""The real `dlpractice` command with a registry of two labs: pytorch-basics (01) and the engine's toy lab (99).

For `run --all`: what it does (every registered lab, then one summary table) is the same for two labs as for
sixteen, and running every real lab's quick config here would repeat tests/labs/ at a cost of minutes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, so that `support.toy_lab` imports

from dlpractice.cli import main  # noqa: E402
from dlpractice.course import registry  # noqa: E402

registry.LABS.clear()
registry.LABS.update({"01": "dlpractice.labs.pytorch_basics", "99": "support.toy_lab"})

if __name__ == "__main__":
    main()
