"""`dlpractice check` on student notebooks: the scoreboard, and the inputs it refuses."""

import json
import subprocess
import sys

import nbformat
import pytest

CHECKS = '''
from dlpractice.checks.core import attempt, exercise, expect_close

class check:
    double = staticmethod(exercise("double")(lambda fn: expect_close(attempt(fn, 3, case="three"), 6, case="three", hint="multiply by two")))
    square = staticmethod(exercise("square")(lambda fn: expect_close(attempt(fn, 3, case="three"), 9, case="three")))
    negate = staticmethod(exercise("negate")(lambda fn: expect_close(attempt(fn, 3, case="three"), -3, case="three")))
'''


def write_notebook(path, cells, lab="01", kernel="python3"):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CHECKS)] + [nbformat.v4.new_code_cell(c) for c in cells]
    notebook.metadata = {"kernelspec": {"name": kernel, "display_name": kernel, "language": "python"}, "dlpractice": {"lab": lab}}
    nbformat.write(notebook, path)
    return path


def dlpractice_check(path, *args):
    return subprocess.run([sys.executable, "-m", "dlpractice", "check", str(path), *args],
                          capture_output=True, text=True, timeout=120, env={**__import__("os").environ, "COLUMNS": "200"})


def test_scoreboard_reports_passed_failed_with_hint_and_not_attempted(tmp_path):
    path = write_notebook(tmp_path / "student.ipynb", [
        "def double(x):\n    return x * 2\ncheck.double(double)",
        "def square(x):\n    return x * 2\ncheck.square(square)",
        "def negate(x):\n    raise NotImplementedError\ncheck.negate(negate)",
    ])
    result = dlpractice_check(path)
    assert result.returncode == 0, result.stderr
    lines = {line.split("│")[2].strip(): line for line in result.stdout.splitlines() if line.count("│") >= 4 and "exercise" not in line}
    assert "passed" in lines["double"]
    assert "failed" in lines["square"] and "expected 9" in lines["square"] and "got 6" in lines["square"]
    assert "not attempted" in lines["negate"]
    assert "total: 1/3 passed" in result.stdout


def test_a_cell_that_never_ends_is_stopped_and_named(tmp_path):
    path = write_notebook(tmp_path / "loop.ipynb", [
        "def double(x):\n    return x * 2\ncheck.double(double)",
        "while True:\n    pass",
        "def square(x):\n    return x * x\ncheck.square(square)",
    ])
    result = dlpractice_check(path, "--timeout", "3")
    assert result.returncode == 0, result.stderr
    assert "cell 2 was stopped after 3 s" in result.stdout
    assert "total: 1/2 passed" in result.stdout


@pytest.mark.parametrize("case", ["not_json", "unknown_lab", "no_kernel", "missing"])
def test_refused_inputs_get_one_line_and_exit_2(tmp_path, case):
    path = tmp_path / "x.ipynb"
    if case == "not_json":
        path.write_text("this is not a notebook")
    elif case == "unknown_lab":
        write_notebook(path, ["1 + 1"], lab="77")
    elif case == "no_kernel":
        write_notebook(path, ["1 + 1"], kernel="no-such-kernel")
    result = dlpractice_check(path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    expected = {"not_json": "not a Jupyter notebook", "unknown_lab": "not a notebook of a known lab",
                "no_kernel": "kernel could not start", "missing": "no such file"}[case]
    assert expected in result.stderr


def test_a_cell_that_ends_the_kernel_leaves_a_scoreboard_with_the_rest_not_run(tmp_path):
    path = write_notebook(tmp_path / "dies.ipynb", [
        "def double(x):\n    return x * 2\ncheck.double(double)",
        "import os\nos._exit(1)",
        "def square(x):\n    return x * x\ncheck.square(square)",
        "def negate(x):\n    return -x\ncheck.negate(negate)",
    ])
    result = dlpractice_check(path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = {line.split("│")[2].strip(): line for line in result.stdout.splitlines() if line.count("│") >= 4 and "exercise" not in line}
    assert "passed" in lines["double"]
    assert "not run" in lines["square"] and "not run" in lines["negate"]
    assert "cell 2 ended the Jupyter kernel" in result.stdout
    assert "total: 1/3 passed" in result.stdout


def test_json_prints_the_results_and_nothing_else_on_stdout(tmp_path):
    path = write_notebook(tmp_path / "student.ipynb", [
        "import os\nos.system('echo from the kernel')\nprint('printed in a cell')",
        "def double(x):\n    return x * 2\ncheck.double(double)",
        "def square(x):\n    raise NotImplementedError\ncheck.square(square)",
    ])
    result = dlpractice_check(path, "--json")
    assert result.returncode == 0, result.stderr
    graded = json.loads(result.stdout)
    assert (graded["file"], graded["lab"], graded["passed"], graded["total"]) == (str(path), "01", 1, 2)
    assert [(r["exercise"], r["status"]) for r in graded["results"]] == [("double", "passed"), ("square", "not attempted")]


@pytest.mark.parametrize("args, expected", [
    (["--timeout", "0"], "--timeout must be a positive number"),
    (["--timeout", "-1"], "--timeout must be a positive number"),
    (["--lab", "00"], "notebook of lab 01, expected 00"),
])
def test_bad_options_for_one_notebook_get_one_line_and_exit_2(tmp_path, args, expected):
    path = write_notebook(tmp_path / "x.ipynb", ["import pathlib\npathlib.Path('ran').write_text('yes')"])
    result = dlpractice_check(path, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0 and expected in result.stderr, result.stderr
    assert not (tmp_path / "ran").exists()
