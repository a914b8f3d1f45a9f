"""The gradebook (`dlpractice check` on several notebooks or a folder): grades.csv, the summary table, --jobs,
--json, and the notebooks that cannot be graded (each its own error row, never the end of the grading)."""

import csv
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from dlpractice.course.errors import UserError
from dlpractice.course.notebooks import gradebook
from support.paths import NOTEBOOKS

LAB00 = "00-ml-refresher.ipynb"  # the quickest lab: seven exercises, about 6 s per notebook in quick mode
# Seconds a cell may run: lab 00's slowest quick cell takes under 2 s; the looping notebook costs this much.
TIMEOUT = 6
EXERCISES = ["mse", "r2", "majority_accuracy", "confusion_counts", "precision_recall_f1", "kfold_indices", "is_close"]


def dlpractice_check(*args, cwd):
    env = {**os.environ, "COLUMNS": "200", "DLPRACTICE_OFFLINE": "1", "MPLBACKEND": "agg"}
    return subprocess.run([sys.executable, "-m", "dlpractice", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def edited(notebook, old, new):
    """The notebook with `old` replaced by `new` in the one code cell that holds it."""
    cells = [cell for cell in notebook.cells if old in cell.source]
    assert len(cells) == 1, old
    cells[0].source = cells[0].source.replace(old, new)
    return notebook


def class_folder(folder):
    """Five hand-ins of lab 00: correct, wrong answers, untouched, looping forever after two exercises, corrupt."""
    folder.mkdir()
    shutil.copy(NOTEBOOKS / "solutions" / LAB00, folder / "correct.ipynb")
    wrong = nbformat.read(NOTEBOOKS / "solutions" / LAB00, as_version=4)
    edited(wrong, "return np.mean((y_true - y_pred) ** 2)", "return np.mean(np.abs(y_true - y_pred))")
    edited(wrong, "return counts.max() / len(y)", "return 0.5")
    nbformat.write(wrong, folder / "wrong.ipynb")
    shutil.copy(NOTEBOOKS / "exercises" / LAB00, folder / "untouched.ipynb")
    loops = nbformat.read(NOTEBOOKS / "solutions" / LAB00, as_version=4)
    edited(loops, "check.r2(r2)", "check.r2(r2)\nwhile True:  # r2 has reported: its result stands\n    pass")
    nbformat.write(loops, folder / "loops.ipynb")
    (folder / "corrupt.ipynb").write_text((NOTEBOOKS / "solutions" / LAB00).read_text()[:300])  # cut short
    # Not graded: a stale Jupyter autosave (hidden folder) and a file that is not named .ipynb.
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(folder / "wrong.ipynb", folder / ".ipynb_checkpoints" / "wrong-checkpoint.ipynb")
    (folder / "notes.txt").write_text("not a notebook")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class folder graded twice (each notebook runs twice): --jobs 1 with the table, --jobs 2 with --json."""
    root = tmp_path_factory.mktemp("gradebook")
    folder = class_folder(root / "submissions")
    one = dlpractice_check(folder, "--quick", "--timeout", TIMEOUT, "--jobs", 1, "--lab", "00", cwd=root)
    two = dlpractice_check(folder, "--quick", "--timeout", TIMEOUT, "--jobs", 2, "--json", "--grades", "two.csv",
                           cwd=root)
    return {"root": root, "one": one, "two": two}


def read_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_grades_csv_has_the_expected_row_for_every_exercise_of_every_notebook(graded):
    assert graded["one"].returncode == 0, graded["one"].stderr
    assert "Traceback" not in graded["one"].stderr
    with open(graded["root"] / "grades.csv", newline="") as file:
        assert next(csv.reader(file)) == ["file", "lab", "exercise", "status", "message"]
    rows = read_rows(graded["root"] / "grades.csv")
    by_file = {}
    for row in rows:
        by_file.setdefault(os.path.basename(row["file"]), []).append(row)
    assert list(by_file) == ["correct.ipynb", "corrupt.ipynb", "loops.ipynb", "untouched.ipynb", "wrong.ipynb"]
    statuses = {name: {row["exercise"]: row["status"] for row in file_rows} for name, file_rows in by_file.items()}
    assert statuses["correct.ipynb"] == dict.fromkeys(EXERCISES, "passed")
    assert statuses["untouched.ipynb"] == dict.fromkeys(EXERCISES, "not attempted")
    wrong = dict.fromkeys(EXERCISES, "passed") | {"mse": "failed", "majority_accuracy": "failed"}
    assert statuses["wrong.ipynb"] == wrong
    assert statuses["loops.ipynb"] == {"mse": "passed", "r2": "passed"} | dict.fromkeys(EXERCISES[2:], "not run")
    assert all("ran past 6 s and was stopped" in row["message"] for row in by_file["loops.ipynb"][2:])
    assert by_file["corrupt.ipynb"] == [{"file": by_file["corrupt.ipynb"][0]["file"], "lab": "", "exercise": "",
                                         "status": "error", "message": "not a Jupyter notebook (.ipynb)"}]
    assert {row["lab"] for row in rows if row["status"] != "error"} == {"00"}
    failed = next(row for row in by_file["wrong.ipynb"] if row["exercise"] == "mse")
    assert "expected" in failed["message"]  # the check's own message: the case, expected, got


def test_summary_table_has_one_row_per_file(graded):
    lines = {os.path.basename(line.split("│")[1].strip()): [cell.strip() for cell in line.split("│")[2:-1]]
             for line in graded["one"].stdout.splitlines() if line.count("│") == 8 and ".ipynb" in line}
    # lab, passed/total, failed, not attempted, not run, error
    assert lines == {
        "correct.ipynb": ["00", "7/7", "0", "0", "0", "0"],
        "corrupt.ipynb": ["", "0/0", "0", "0", "0", "1"],
        "loops.ipynb": ["00", "2/7", "0", "0", "5", "0"],
        "untouched.ipynb": ["00", "0/7", "0", "7", "0", "0"],
        "wrong.ipynb": ["00", "5/7", "2", "0", "0", "0"],
    }


def test_jobs_2_gives_the_same_csv_and_json_holds_the_same_rows(graded):
    assert graded["two"].returncode == 0, graded["two"].stderr
    assert read_rows(graded["root"] / "two.csv") == read_rows(graded["root"] / "grades.csv")
    files = json.loads(graded["two"].stdout)  # stdout holds the JSON and nothing else
    assert [f["file"] for f in files] == sorted(f["file"] for f in files)
    rows = [{"file": f["file"], "lab": f["lab"], **row} for f in files for row in f["rows"]]
    assert rows == read_rows(graded["root"] / "grades.csv")
    assert [(f["passed"], f["total"]) for f in files] == [(7, 7), (0, 0), (2, 7), (0, 7), (5, 7)]


def tiny_notebook(path, cells, lab="00"):
    """A hand-made notebook of lab 00 that checks `is_close` (the cheapest of its checks)."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "dlpractice": {"lab": lab}}
    notebook.cells = [nbformat.v4.new_code_cell(cell) for cell in cells]
    nbformat.write(notebook, path)
    return path


ANSWER = ("from dlpractice.checks import lab00 as check\n\n"
          "import math\n\n"
          "def is_close(a, b, rel_tol=1e-9, abs_tol=0.0):\n"
          "    if a == b or math.isinf(a) or math.isinf(b):\n"
          "        return a == b\n"
          "    return abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol)\n\n"
          "check.is_close(is_close)")


def test_a_notebook_that_cannot_be_graded_gets_one_error_row_and_the_others_still_run(tmp_path):
    paths = [
        tiny_notebook(tmp_path / "a_dies.ipynb", [ANSWER, "import os\nos._exit(1)", "check.is_close(is_close)"]),
        tiny_notebook(tmp_path / "b_other_lab.ipynb", [ANSWER], lab="01"),
        tiny_notebook(tmp_path / "c_unknown_lab.ipynb", [ANSWER], lab="77"),
        tiny_notebook(tmp_path / "d_no_checks.ipynb", ["1 + 1"]),
        tmp_path / "e_notes.txt",
    ]
    paths[-1].write_text("not a notebook")
    grades = gradebook.grade_all(paths, cell_timeout=60, lab="00", jobs=2)
    assert [g.file for g in grades] == [str(p) for p in paths]
    assert grades[0].lab == "00"
    assert [row[1] for row in grades[0].rows] == ["passed", "not run"]
    assert grades[0].rows[1][2] == "not reached (cell 1 ended the Jupyter kernel)"
    assert [g.rows for g in grades[1:]] == [
        [("", "error", "notebook of lab 01, expected 00")],
        [("", "error", "not a notebook of a known lab (its metadata names lab '77')")],
        [("", "error", "the notebook calls no check")],
        [("", "error", "not a Jupyter notebook (.ipynb)")],
    ]
    gradebook.write_csv(grades, tmp_path / "grades.csv")
    assert len(read_rows(tmp_path / "grades.csv")) == 6
    assert not list(tmp_path.glob(".*partial"))


def test_find_notebooks_takes_folders_one_level_deep_sorted_and_once(tmp_path):
    for name in ("b/x.ipynb", "a.ipynb", "b/deeper/no.ipynb", ".hidden/no.ipynb", "c.txt", "empty/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = gradebook.find_notebooks([tmp_path, tmp_path / "a.ipynb", tmp_path / "c.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.ipynb", "b/x.ipynb", "c.txt"]
    with pytest.raises(UserError, match="no .ipynb notebook"):
        gradebook.find_notebooks([tmp_path / "empty"])


@pytest.mark.parametrize("case", ["grades_exists", "grades_folder", "grades_no_parent", "timeout_0", "timeout_neg",
                                  "jobs_0", "jobs_too_many", "unknown_lab", "missing_path"])
def test_bad_options_are_refused_in_one_line_before_anything_runs(tmp_path, case):
    folder = tmp_path / "class"
    folder.mkdir()
    tiny_notebook(folder / "s.ipynb", ["import pathlib\npathlib.Path('ran').write_text('yes')"])
    (tmp_path / "grades.csv").write_text("earlier grades")
    args = {
        "grades_exists": [], "grades_folder": ["--grades", "class"], "grades_no_parent": ["--grades", "no/g.csv"],
        "timeout_0": ["--timeout", "0"], "timeout_neg": ["--timeout", "-1"], "jobs_0": ["--jobs", "0"],
        "jobs_too_many": ["--jobs", str((os.cpu_count() or 1) + 1)], "unknown_lab": ["--lab", "77"],
        "missing_path": ["nowhere.ipynb"],
    }[case]
    result = dlpractice_check("class", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.strip().count("\n") == 0, result.stderr
    expected = {"grades_exists": "--force", "grades_folder": "is a folder", "grades_no_parent": "does not exist",
                "timeout_0": "--timeout", "timeout_neg": "--timeout", "jobs_0": "--jobs", "jobs_too_many": "--jobs",
                "unknown_lab": "--lab", "missing_path": "no such file or folder"}[case]
    assert expected in result.stderr
    assert (tmp_path / "grades.csv").read_text() == "earlier grades"  # untouched
    assert not (folder / "ran").exists()  # no notebook ran


def test_force_overwrites_an_existing_grades_file(tmp_path):
    tiny_notebook(tmp_path / "s.ipynb", [ANSWER])
    (tmp_path / "grades.csv").write_text("earlier grades")
    result = dlpractice_check("s.ipynb", "s.ipynb", "--force", cwd=tmp_path)  # named twice: graded once
    assert result.returncode == 0, result.stderr
    assert [(r["exercise"], r["status"]) for r in read_rows(tmp_path / "grades.csv")] == [("is_close", "passed")]
