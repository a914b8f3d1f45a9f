"""`dlpractice check`: execute a student's notebook in a real kernel and score each exercise."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.course.notebooks import RESULT_MIME

CHECK_CALL = re.compile(r"\bcheck\.(\w+)\(")


@dataclass
class ExerciseResult:
    exercise: str
    cell: int
    status: str  # passed | failed | not attempted | not run
    detail: str = ""


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode, str]:
    """The notebook and its lab id, or a UserError for a file that is not a notebook of a known lab."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:  # nbformat raises JSON, schema and encoding errors alike
        raise UserError(f"{path}: not a Jupyter notebook (.ipynb)") from None
    lab = notebook.metadata.get("dlpractice", {}).get("lab")
    if lab not in registry.LABS:
        raise UserError(f"{path}: not a notebook of a known lab (its metadata names lab {lab!r})")
    return notebook, lab


def exercise_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [
        (index, name)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for name in CHECK_CALL.findall(cell.source)
    ]


def result_of(cell: nbformat.NotebookNode, index: int, exercise: str) -> ExerciseResult:
    """Read what one executed exercise cell says: the check's own result, or the error that stopped it."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if RESULT_MIME in data and data[RESULT_MIME].get("exercise") == exercise:
            return ExerciseResult(exercise, index, data[RESULT_MIME]["status"], data[RESULT_MIME]["message"])
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output["ename"] == "NotImplementedError":
                return ExerciseResult(exercise, index, "not attempted")
            message = output["evalue"]
            if output["ename"] == "CheckFailed":
                message = message.removeprefix(f"{exercise}: ")
            return ExerciseResult(exercise, index, "failed", f"{output['ename']}: {message}" if output["ename"] != "CheckFailed" else message)
    return ExerciseResult(exercise, index, "not run", "the check did not report (was it called?)")


@dataclass
class Grade:
    results: list[ExerciseResult]
    timed_out: int | None  # the cell stopped for running too long
    other_errors: list[tuple[int, str]]  # cells outside the exercises that raised: (index, "Name: message")


def grade(path: Path, cell_timeout: int = 300) -> Grade:
    """Execute the notebook (errors do not stop it) and read back each exercise's result."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    notebook, _ = read_notebook(path)
    client = NotebookClient(
        notebook, timeout=cell_timeout, allow_errors=True,
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    timed_out, started = None, False
    try:
        with client.setup_kernel():
            started = True
            for index, cell in enumerate(notebook.cells):
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    timed_out = index
                    break
    except Exception as err:  # jupyter_client raises many types when a kernel cannot start
        if not started:
            raise UserError(f"{path}: the Jupyter kernel could not start: {err}") from None
        raise
    results = []
    for index, exercise in exercise_cells(notebook):
        if timed_out is not None and index >= timed_out:
            detail = f"cell {timed_out} ran past {cell_timeout} s and was stopped" if index == timed_out else "not reached"
            results.append(ExerciseResult(exercise, index, "not run", detail))
        else:
            results.append(result_of(notebook.cells[index], index, exercise))
    exercise_indices = {index for index, _ in exercise_cells(notebook)}
    other_errors = [
        (index, f"{output['ename']}: {output['evalue']}")
        for index, cell in enumerate(notebook.cells)
        if index not in exercise_indices and cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    return Grade(results, timed_out, other_errors)
