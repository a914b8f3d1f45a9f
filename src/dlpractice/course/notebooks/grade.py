"""`dlpractice check`: execute a student's notebook in a real kernel and score each exercise."""

from __future__ import annotations

import re
import tempfile
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

    def as_dict(self) -> dict:
        return {"exercise": self.exercise, "cell": self.cell, "status": self.status, "message": self.detail}


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


def reported(cell: nbformat.NotebookNode, index: int, exercise: str) -> ExerciseResult | None:
    """The result the exercise's check reported in the cell's outputs, if it did."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if RESULT_MIME in data and data[RESULT_MIME].get("exercise") == exercise:
            return ExerciseResult(exercise, index, data[RESULT_MIME]["status"], data[RESULT_MIME]["message"])
    return None


def result_of(cell: nbformat.NotebookNode, index: int, exercise: str) -> ExerciseResult:
    """Read what one executed exercise cell says: the check's own result, or the error that stopped it."""
    result = reported(cell, index, exercise)
    if result is not None:
        return result
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output["ename"] == "NotImplementedError":
                return ExerciseResult(exercise, index, "not attempted")
            if output["ename"] == "CheckFailed":  # the check's own message: which case, expected, got, hint
                message = output["evalue"].removeprefix(f"{exercise}: ")
            else:  # the student's code raised: name the exception
                message = f"{output['ename']}: {output['evalue']}"
            return ExerciseResult(exercise, index, "failed", message)
    return ExerciseResult(exercise, index, "not run", "the check did not report (was it called?)")


@dataclass
class Grade:
    results: list[ExerciseResult]
    timed_out: int | None  # the cell stopped for running too long
    other_errors: list[tuple[int, str]]  # cells outside the exercises that raised: (index, "Name: message")
    kernel_died: int | None = None  # the cell during which the kernel process died (os._exit, a crash)
    lab: str = ""  # the lab id in the notebook's metadata

    def as_dict(self) -> dict:
        """The grade as plain JSON-ready data (for `check --json`)."""
        return {
            "lab": self.lab, "passed": sum(r.status == "passed" for r in self.results), "total": len(self.results),
            "timed_out": self.timed_out, "kernel_died": self.kernel_died,
            "other_errors": [{"cell": index, "error": error} for index, error in self.other_errors],
            "results": [r.as_dict() for r in self.results],
        }


def grade(path: Path, cell_timeout: int = 300, lab: str | None = None) -> Grade:
    """Execute the notebook (errors do not stop it) and read back each exercise's result.

    With `lab`, a notebook of another lab is refused (UserError) before it runs: the class was given that lab.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notebook, notebook_lab = read_notebook(path)
    if lab is not None and notebook_lab != lab:
        raise UserError(f"{path}: notebook of lab {notebook_lab}, expected {lab}")
    client = NotebookClient(
        notebook, timeout=cell_timeout, allow_errors=True,
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        # The kernel's state is thrown away after grading: stopping it at once saves 0.6 s a notebook (0.12 s
        # instead of 0.72 s, measured on lab 00), which the test suite pays about forty times.
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    timed_out, died, started = None, None, False
    # The kernel process's own output (its warnings, what os.system or C code prints, its complaints when it is
    # stopped) goes to a log, not to our stdout and stderr: those hold the scoreboard or JSON that scripts read, and
    # several kernels at once would mix their lines there. The log's last line explains a kernel that cannot start.
    with tempfile.TemporaryFile("w+") as log:
        try:
            with client.setup_kernel(stdout=log, stderr=log):
                started = True
                for index, cell in enumerate(notebook.cells):
                    try:
                        client.execute_cell(cell, index)
                    except CellTimeoutError:
                        timed_out = index
                        break
                    except DeadKernelError:
                        # The student's code ended the kernel (os._exit, a segfault, memory): what ran before keeps
                        # its result and the rest reads "not run", as for a timeout.
                        died = index
                        break
        except Exception as err:  # jupyter_client raises many types when a kernel cannot start
            if not started:
                log.seek(0)
                said = [line.strip() for line in log if line.strip()]
                reason = f" (the kernel said: {said[-1]})" if said else ""
                raise UserError(f"{path}: the Jupyter kernel could not start: {err}{reason}") from None
            raise
    stopped = timed_out if timed_out is not None else died
    why = f"ran past {cell_timeout} s and was stopped" if timed_out is not None else "ended the Jupyter kernel"
    results = []
    for index, exercise in exercise_cells(notebook):
        if stopped is None or index < stopped:
            results.append(result_of(notebook.cells[index], index, exercise))
        elif index == stopped and (early := reported(notebook.cells[index], index, exercise)) is not None:
            results.append(early)  # the check reported before its cell hung or ended the kernel: the result stands
        else:
            detail = f"cell {stopped} {why}" if index == stopped else f"not reached (cell {stopped} {why})"
            results.append(ExerciseResult(exercise, index, "not run", detail))
    exercise_indices = {index for index, _ in exercise_cells(notebook)}
    other_errors = [
        (index, f"{output['ename']}: {output['evalue']}")
        for index, cell in enumerate(notebook.cells)
        if index not in exercise_indices and cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    return Grade(results, timed_out, other_errors, died, notebook_lab)
