"""Build `solutions/NN-name.ipynb` and `exercises/NN-name.ipynb` from one jupytext source `NN-name.py`."""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat

from dlpractice.course.errors import UserError
from dlpractice.course.notebooks import STUB_MESSAGE
from dlpractice.course.runs import check_out

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
REPOSITORY = "dlpractice/dlpractice"  # where Colab fetches notebooks and the package from
COLAB_SETUP = f'''# Setup: on Colab, install dlpractice (elsewhere this cell does nothing).
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "git+https://github.com/{REPOSITORY}"], check=True)'''


def stub(region: list[str], indent: str) -> list[str]:
    """What replaces a solution: its leading comment lines if they start with `# TODO`, then a NotImplementedError."""
    leading = []
    for line in region:
        if not line.strip().startswith("#"):
            break
        leading.append(line.strip())
    todo = leading if leading and leading[0].startswith("# TODO") else ["# YOUR CODE HERE"]
    return [indent + line for line in todo] + [indent + f'raise NotImplementedError("{STUB_MESSAGE}")']


def strip_solutions(source: str, where: str) -> str:
    """Replace every BEGIN/END SOLUTION region by its stub."""
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip() == BEGIN:
            if region is not None:
                raise UserError(f"{where}: line {number}: {BEGIN} inside another solution")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif line.strip() == END:
            if region is None:
                raise UserError(f"{where}: line {number}: {END} without {BEGIN}")
            out += stub(region, indent)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise UserError(f"{where}: {BEGIN} is never closed")
    return "\n".join(out)


def lab_id(source: Path) -> str:
    match = re.match(r"(\d\d)-", source.name)
    if not match:
        raise UserError(f"{source}: notebook sources are named NN-name.py (NN is the lab id)")
    return match.group(1)


def badge(kind: str, stem: str) -> str:
    url = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{kind}/{stem}.ipynb"
    return f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})"


def build_one(source: Path, kind: str) -> nbformat.NotebookNode:
    """The `solutions` or `exercises` notebook of one source, with stable cell ids so rebuilding changes nothing."""
    notebook = jupytext.read(source, fmt="py:percent")
    cells = [nbformat.v4.new_markdown_cell(badge(kind, source.stem)), nbformat.v4.new_code_cell(COLAB_SETUP)]
    for cell in notebook.cells:
        cell.metadata = {}
        if kind == "exercises" and cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, str(source))
        cells.append(cell)
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:03d}"
    notebook.cells = cells
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "dlpractice": {"lab": lab_id(source), "kind": kind, "source": f"notebooks/{source.name}"},
    }
    return notebook


def build(src_dir: Path, out_dir: Path) -> list[Path]:
    """Write `out_dir/solutions/*.ipynb` and `out_dir/exercises/*.ipynb` for every source in `src_dir`.

    Every source is converted (and so checked) before the first file is written: one malformed source leaves the
    generated notebooks as they were, never half of them rebuilt.
    """
    check_out(out_dir)
    sources = sorted(src_dir.glob("[0-9][0-9]-*.py"))
    if not sources:
        raise UserError(f"no notebook sources (NN-name.py) in {src_dir}; run from the repository root or pass --src")
    built = {out_dir / kind / f"{source.stem}.ipynb": build_one(source, kind)
             for kind in ("solutions", "exercises") for source in sources}
    try:
        for path, notebook in built.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(nbformat.writes(notebook) + "\n")
    except OSError as err:
        raise UserError(f"--out {out_dir}: cannot write the notebooks there ({err.strerror or err})") from None
    return list(built)
