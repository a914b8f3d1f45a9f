"""The gradebook: grade a class's notebooks at once (`dlpractice check` with several notebooks or a folder).

Each notebook runs in its own Jupyter kernel through grade.py's `grade()`. Whatever goes wrong with one notebook (a
corrupt file, a notebook of another lab, a kernel that cannot start) becomes one "error" row for that file and never
ends the grading; a notebook that hangs or ends its kernel costs only its own rows (grade() marks them "not run").
The rows (file, lab, exercise, status, message) are written to a CSV, sorted by file whatever the parallelism.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from dlpractice.course.errors import UserError
from dlpractice.course.notebooks.grade import grade

COLUMNS = ("file", "lab", "exercise", "status", "message")
# The statuses a row can have: grade.py's four, plus "error" for a notebook that could not be graded at all.
STATUSES = ("passed", "failed", "not attempted", "not run", "error")


def find_notebooks(paths: list[Path]) -> list[Path]:
    """The notebooks to grade: each file as given, and for each folder the *.ipynb in it and in its subfolders
    (one level, for classes that hand in a folder per student), sorted, each once.

    Hidden folders are skipped (Jupyter's .ipynb_checkpoints holds stale autosaved copies). A path that does not
    exist, or a folder with no notebook, is refused before anything runs: it is a typo, not a student's fault.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = [p for p in [*path.glob("*.ipynb"), *path.glob("*/*.ipynb")]
                      if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)]
            if not inside:
                raise UserError(f"{path}: no .ipynb notebook in this folder or its subfolders")
            found.extend(inside)
        elif path.exists():
            found.append(path)  # any file named on the command line is graded; a non-notebook gets an error row
        else:
            raise UserError(f"{path}: no such file or folder")
    unique = {p.resolve(): p for p in found}  # the same notebook named twice (a file and its folder) runs once
    return sorted(unique.values())


def check_grades_path(path: Path, force: bool) -> None:
    """Refuse, before any notebook runs, a --grades path that could not be written or would overwrite grades."""
    if path.is_dir():
        raise UserError(f"--grades {path} is a folder; give the path of a .csv file")
    if not path.parent.is_dir():
        raise UserError(f"--grades {path}: the folder {path.parent} does not exist")
    if path.exists() and not force:
        raise UserError(f"--grades {path} already exists; add --force to overwrite it, or choose another path")


@dataclass
class NotebookGrade:
    """One notebook's rows: (exercise, status, message), or a single ("", "error", reason) when it was not graded."""

    file: str
    lab: str
    rows: list[tuple[str, str, str]]

    def counts(self) -> dict[str, int]:
        return {status: sum(row[1] == status for row in self.rows) for status in STATUSES}

    def exercises(self) -> int:
        return sum(row[1] != "error" for row in self.rows)

    def as_dict(self) -> dict:
        rows = [dict(zip(COLUMNS[2:], row)) for row in self.rows]
        return {"file": self.file, "lab": self.lab, "total": self.exercises(), **self.counts(), "rows": rows}


def grade_notebook(path: Path, cell_timeout: int, lab: str | None) -> NotebookGrade:
    """Grade one notebook; any failure to grade it becomes its error row."""
    try:
        graded = grade(path, cell_timeout=cell_timeout, lab=lab)
    except UserError as err:
        return NotebookGrade(str(path), "", [("", "error", str(err).removeprefix(f"{path}: "))])
    except Exception as err:  # one notebook's unexpected failure must not end the class's grading
        return NotebookGrade(str(path), "", [("", "error", f"grading failed: {type(err).__name__}: {err}")])
    rows = [(r.exercise, r.status, r.detail) for r in graded.results]
    if not rows:  # a notebook with every check call deleted must still show up in the gradebook
        rows = [("", "error", "the notebook calls no check")]
    return NotebookGrade(str(path), graded.lab, rows)


def grade_all(
    paths: list[Path], cell_timeout: int, lab: str | None = None, jobs: int = 1,
    on_graded: Callable[[NotebookGrade], None] | None = None,
) -> list[NotebookGrade]:
    """Grade the notebooks, `jobs` at a time, and return their grades in the order of `paths`.

    Threads suffice: each notebook's code runs in its own kernel process, the threads only wait on them.
    `on_graded` is called (in this thread) as each notebook finishes, for progress lines.
    """
    grades: dict[Path, NotebookGrade] = {}
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(grade_notebook, path, cell_timeout, lab): path for path in paths}
        for future in as_completed(futures):
            grades[futures[future]] = future.result()
            if on_graded is not None:
                on_graded(grades[futures[future]])
    finally:
        # After Ctrl-C, the notebooks not started yet are dropped rather than run; the running ones end with their
        # kernels shut down. (After a normal end every future is done, so nothing is cancelled.)
        pool.shutdown(wait=True, cancel_futures=True)
    return [grades[path] for path in paths]


def write_csv(grades: list[NotebookGrade], path: Path) -> None:
    """Write the gradebook at once (a temporary file renamed over `path`): never a half-written grades.csv."""
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for notebook in grades:
            for row in notebook.rows:
                writer.writerow((notebook.file, notebook.lab, *row))
    os.replace(partial, path)
