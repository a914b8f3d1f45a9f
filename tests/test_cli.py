"""The `dlpractice` command as a user runs it: in a subprocess, reading its output and exit status."""

import json
import subprocess
import sys

import pytest

from support.paths import TOY_CLI


def dlpractice(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "dlpractice", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "DLPRACTICE_OFFLINE": "1", "COLUMNS": "200"},
    )


def assert_one_line_error(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr + result.stdout
    assert message.count("\n") == 0, message
    for fragment in fragments:
        assert fragment in message


def test_list_shows_every_lab_with_target_and_budget(tmp_path):
    result = dlpractice("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pytorch-basics" in result.stdout
    assert "sine_test_r2 >= 0.95" in result.stdout
    assert "30 s" in result.stdout


def test_list_and_info_show_every_dataset_preset_of_the_cnn_lab(tmp_path):
    """Lab 03 is judged per dataset: `list` gives each preset a row with its target and budget (CIFAR-10's is a GPU),
    `info` one targets line per preset."""
    listed = dlpractice("list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("│")[5].strip(): line for line in listed.stdout.splitlines() if line.count("│") == 8}
    for preset in ("mnist_sample", "mnist", "fashion_mnist", "cifar10"):
        assert preset in rows, listed.stdout
        assert "cnn_test_accuracy >= " in rows[preset]
    assert rows["cifar10"].split("│")[7].strip() == "GPU"
    assert rows["mnist"].split("│")[7].strip() == "90 s"
    info = dlpractice("info", "cnn", cwd=tmp_path)
    assert info.returncode == 0, info.stderr
    targets = [line for line in info.stdout.splitlines() if line.startswith("targets: ")]
    assert [line.split(":")[1].strip() for line in targets] == [
        "dataset=mnist_sample", "dataset=mnist", "dataset=fashion_mnist", "dataset=cifar10"]
    assert "cnn_test_accuracy >= 0.85 on a GPU" in targets[-1]
    assert "cnn_test_accuracy >= 0.992 in 90 s" in targets[1]


def test_info_accepts_id_or_name_and_shows_types_and_defaults(tmp_path):
    by_id = dlpractice("info", "01", cwd=tmp_path)
    by_name = dlpractice("info", "pytorch-basics", cwd=tmp_path)
    assert by_id.returncode == 0, by_id.stderr
    assert by_id.stdout == by_name.stdout
    assert "seed" in by_id.stdout and "int" in by_id.stdout


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["run", "99"], ["unknown lab '99'", "01 (pytorch-basics)"]),
        (["info", "cnn-nonsense"], ["unknown lab 'cnn-nonsense'"]),
        (["run", "01", "--set", "nonsense=1"], ["unknown config key 'nonsense'", "seed"]),
        (["run", "01", "--set", "seed=abc"], ["seed", "'abc' is not a valid int"]),
        (["run", "01", "--set", "epochs=0"], ["epochs must be > 0"]),
        (["run", "01", "--data-dir", "no/such/folder"], ["--data-dir", "does not exist"]),
        (["run", "01", "--devices", "two"], ["--devices"]),
        (["run"], ["exactly one of LAB or --all"]),
    ],
)
def test_bad_input_gets_one_line_exit_2_and_writes_nothing(tmp_path, args, fragments):
    result = dlpractice(*args, cwd=tmp_path)
    assert_one_line_error(result, *fragments)
    assert not (tmp_path / "runs").exists()


def test_resume_of_a_lab_without_checkpoints_is_refused(tmp_path):
    run_dir = tmp_path / "runs" / "pytorch-basics" / "x"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"lab": "01", "config": {}}))
    result = dlpractice("run", "01", "--resume", str(run_dir), cwd=tmp_path)
    assert_one_line_error(result, "saves no checkpoints")
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]


def test_run_quick_writes_a_complete_run_folder(tmp_path):
    result = dlpractice("run", "pytorch-basics", "--quick", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / "out" / "pytorch-basics").iterdir()
    for name in ("config.json", "metrics.json", "report.md"):
        assert (run_dir / name).is_file()
    assert list((run_dir / "figures").glob("*.png"))
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    report = (run_dir / "report.md").read_text()
    assert "sine_test_r2" in report and "](figures/" in report
    assert json.loads((run_dir / "config.json").read_text())["lab"] == "01"


def test_run_all_quick_ends_with_the_summary_table(tmp_path):
    result = dlpractice("run", "--all", "--quick", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = result.stdout[result.stdout.index("dlpractice run --all"):]
    for column in ("lab", "metric", "value", "target", "met?", "wall time", "budget"):
        assert column in summary
    assert "moons_test_accuracy" in summary


def toy_cli(*args, cwd):
    """The real CLI with the engine's toy lab registered as lab 99 (see support/toy_cli.py)."""
    import os

    return subprocess.run([sys.executable, str(TOY_CLI), *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "DLPRACTICE_OFFLINE": "1"})


def test_a_dataset_absent_while_offline_is_one_line_and_leaves_no_run_folder(tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    result = toy_cli("run", "toy", "--quick", "--set", "dataset=mnist", "--data-dir", str(empty), cwd=tmp_path)
    assert_one_line_error(result, "MNIST", str(empty))
    assert not any((tmp_path / "runs").rglob("*.json"))


def test_a_real_dataset_from_data_dir_trains(tmp_path, shared_mnist_root):
    result = toy_cli("run", "toy", "--quick", "--set", "dataset=mnist", "--data-dir", str(shared_mnist_root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / "runs" / "toy").iterdir()
    assert json.loads((run_dir / "metrics.json").read_text())["test_mse"] < 1.0
