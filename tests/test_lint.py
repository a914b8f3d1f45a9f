"""One style for the whole repository: ruff (pinned in pyproject's test extra, configured in pyproject.toml) finds
nothing in src/, tests/ and the notebook sources. Run `python -m ruff check .` to see what it flags."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
