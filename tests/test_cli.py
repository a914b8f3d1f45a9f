"""The `dlpractice` command as a user runs it: in a subprocess, reading its output and exit status."""

import json
import os
import subprocess
import sys

import pytest

from dlpractice import run as dlpractice_run
from support.paths import TWO_LAB_CLI


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


def test_list_shows_every_lab_with_target_and_budget(monkeypatch, capsys):
    result = run_in_process(monkeypatch, capsys, "list")
    assert result.returncode == 0, result.stderr
    assert "pytorch-basics" in result.stdout
    assert "sine_test_r2 >= 0.95" in result.stdout
    assert "30 s" in result.stdout


def test_list_and_info_show_every_dataset_preset_of_the_cnn_lab(monkeypatch, capsys):
    """Lab 03 is judged per dataset: `list` gives each preset a row with its target and budget (CIFAR-10's is a GPU),
    `info` one targets line per preset."""
    listed = run_in_process(monkeypatch, capsys, "list")
    assert listed.returncode == 0, listed.stderr
    rows = {line.split("│")[5].strip(): line for line in listed.stdout.splitlines() if line.count("│") == 8}
    for preset in ("mnist_sample", "mnist", "fashion_mnist", "cifar10"):
        assert preset in rows, listed.stdout
        assert "cnn_test_accuracy >= " in rows[preset]
    assert rows["cifar10"].split("│")[7].strip() == "GPU"
    assert rows["mnist"].split("│")[7].strip() == "90 s"
    info = run_in_process(monkeypatch, capsys, "info", "cnn")
    assert info.returncode == 0, info.stderr
    targets = [line for line in info.stdout.splitlines() if line.startswith("targets: ")]
    assert [line.split(":")[1].strip() for line in targets] == [
        "dataset=mnist_sample", "dataset=mnist", "dataset=fashion_mnist", "dataset=cifar10"]
    assert "cnn_test_accuracy >= 0.85 on a GPU" in targets[-1]
    assert "cnn_test_accuracy >= 0.992 in 90 s" in targets[1]


def test_in_a_pipe_list_prints_whole_rows_that_grep_finds(tmp_path):
    """A script reads `dlpractice list | grep ...`: no row is cut to the 80 columns rich assumes off a terminal."""
    result = subprocess.run([sys.executable, "-m", "dlpractice", "list"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={k: v for k, v in os.environ.items() if k != "COLUMNS"})
    assert result.returncode == 0, result.stderr
    (row,) = [line for line in result.stdout.splitlines() if "pytorch-basics" in line]
    assert "…" not in result.stdout
    assert "sine_test_r2 >= 0.95" in row and "30 s" in row


def test_list_and_info_print_json_for_scripts(monkeypatch, capsys):
    listed = json.loads(run_in_process(monkeypatch, capsys, "list", "--json").stdout)
    assert [lab["id"] for lab in listed][:7] == ["00", "01", "02", "03", "04", "05", "06"]
    cnn = next(lab for lab in listed if lab["name"] == "cnn")
    assert cnn["preset_key"] == "dataset"
    cifar = next(p for p in cnn["presets"] if p["name"] == "cifar10")
    assert cifar["cpu_budget_s"] is None  # a GPU job
    assert cifar["targets"] == [{"metric": "cnn_test_accuracy", "threshold": 0.85, "direction": "max"}]
    info = json.loads(run_in_process(monkeypatch, capsys, "info", "05", "--json").stdout)
    keys = {k["key"]: k for k in info["config"]}
    assert keys["seed"] == {"key": "seed", "type": "int", "default": 0, "quick": 0}
    assert isinstance(keys["class_sizes"]["default"], list) and info["name"] == "cnn-rna"


def test_info_accepts_id_or_name_and_shows_types_and_defaults(monkeypatch, capsys):
    by_id = run_in_process(monkeypatch, capsys, "info", "01")
    by_name = run_in_process(monkeypatch, capsys, "info", "pytorch-basics")
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
def test_bad_input_gets_one_line_exit_2_and_writes_nothing(monkeypatch, capsys, tmp_path, args, fragments):
    monkeypatch.chdir(tmp_path)
    result = run_in_process(monkeypatch, capsys, *args)
    assert_one_line_error(result, *fragments)
    assert not (tmp_path / "runs").exists()


def test_bad_input_through_a_real_process_is_one_line_on_stderr_and_exit_2(tmp_path):
    """The cases above run in this process (each real process pays for importing torch and every lab); this one
    checks what a shell sees."""
    result = dlpractice("run", "01", "--set", "nonsense=1", cwd=tmp_path)
    assert_one_line_error(result, "unknown config key 'nonsense'")
    assert not (tmp_path / "runs").exists()


def run_in_process(monkeypatch, capsys, *args):
    """`dlpractice ARGS` through the command's own `main()`, in this process (no second torch import, so dozens of
    cases stay cheap); a traceback would surface here as an exception other than SystemExit."""
    from dlpractice.cli import main

    monkeypatch.setattr(sys, "argv", ["dlpractice", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, exited.value.code, captured.out, captured.err)


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


CORES = os.cpu_count() or 1


@pytest.mark.parametrize(
    "args, fragments",
    [
        *[(["run", "01", "--set", f"lr={bad}"], ["lr must be a finite number"]) for bad in ("nan", "inf", "-inf", "1e400")],
        (["run", "04", "--set", "dropout=nan"], ["dropout must be a finite number"]),
        (["run", "01", "--seed", "-5"], ["seed must be between 0 and 4294967295"]),
        (["run", "01", "--seed", str(2**32)], ["seed must be between 0 and 4294967295"]),
        (["run", "03", "--quick", "--strategy", "nonsense"], ["--strategy nonsense", "invalid strategy"]),
        (["run", "03", "--quick", "--devices", str(CORES + 1)], [f"--devices {CORES + 1}", f"{CORES} CPU cores"]),
        (["run", "03", "--quick", "--devices", "99"], ["--devices 99", "use at most"]),
        (["run", "03", "--quick", "--num-nodes", "0"], ["--num-nodes must be >= 1"]),
        (["run", "01", "--quick", "--accelerator", "gpu"], ["lab 01", "trains in one process"]),
        (["run", "01", "--quick", "--devices", "2"], ["lab 01", "--devices"]),
        (["run", "01", "--quick", "--out", "a-file/runs"], ["--out a-file/runs", "is a file"]),
        (["run", "01", "--quick", "--out", "a-file"], ["--out a-file", "is a file"]),
        (["run", "--all", "--quick", "--set", "nope=1"], ["no lab has a config key 'nope'"]),
        (["run", "--all", "--quick", "--set", "epochs=-1"], ["epochs must be > 0"]),
        (["notebooks", "build", "--out", "a-file"], ["--out a-file", "is a file"]),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(monkeypatch, capsys, tmp_path, args, fragments):
    """Each bad input found by trying the command as a new user would: one line, exit status 2, no folder made."""
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(run_in_process(monkeypatch, capsys, *args), *fragments)
    assert files_under(tmp_path) == ["a-file"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no folder can be made")
def test_an_out_folder_that_cannot_be_made_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(run_in_process(monkeypatch, capsys, "run", "01", "--quick", "--out", "/proc/x"), "--out /proc/x")
    assert files_under(tmp_path) == []


def test_a_gpu_this_machine_lacks_is_refused(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)  # so that it holds on a machine with a GPU too
    monkeypatch.chdir(tmp_path)
    result = run_in_process(monkeypatch, capsys, "run", "03", "--quick", "--accelerator", "gpu")
    assert_one_line_error(result, "--accelerator gpu", "no GPU")
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("record", [[1, 2], {"lab": "03"}, {"lab": "03", "config": [1]}, {"lab": "03", "config": {"seed": -1}}])
def test_a_malformed_run_folder_is_refused_untouched(monkeypatch, capsys, tmp_path, record):
    run_dir = tmp_path / "runs" / "cnn" / "x"
    (run_dir / "checkpoints").mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps(record))
    before = files_under(tmp_path)
    result = run_in_process(monkeypatch, capsys, "run", "03", "--resume", str(run_dir))
    assert_one_line_error(result, f"--resume {run_dir}")
    assert files_under(tmp_path) == before


def test_the_python_api_names_labs_by_number_and_exports_user_error():
    from dlpractice import UserError
    from dlpractice.course import registry

    assert registry.find(1).name == registry.find("01").name == "pytorch-basics"
    with pytest.raises(UserError, match="lab is named by its id"):
        dlpractice_run(1.5)
    with pytest.raises(UserError, match="unknown lab '42'"):
        dlpractice_run(42)


def test_resume_of_a_lab_without_checkpoints_is_refused(tmp_path):
    run_dir = tmp_path / "runs" / "pytorch-basics" / "x"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"lab": "01", "config": {}}))
    result = dlpractice("run", "01", "--resume", str(run_dir), cwd=tmp_path)
    assert_one_line_error(result, "saves no checkpoints")
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]


def test_run_all_quick_ends_with_the_summary_table(tmp_path):
    # every registered lab: here two (support/two_lab_cli.py), as tests/labs/ already runs each lab's quick config
    result = subprocess.run([sys.executable, str(TWO_LAB_CLI), "run", "--all", "--quick", "--out", "out"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, env={**os.environ, "DLPRACTICE_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pytorch-basics", "toy"]
    (run_dir,) = (tmp_path / "out" / "pytorch-basics").iterdir()  # a complete run folder for each lab
    for name in ("config.json", "metrics.json", "report.md"):
        assert (run_dir / name).is_file()
    assert list((run_dir / "figures").glob("*.png"))
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    report = (run_dir / "report.md").read_text()
    assert "sine_test_r2" in report and "](figures/" in report
    assert json.loads((run_dir / "config.json").read_text())["lab"] == "01"
    summary = result.stdout[result.stdout.index("dlpractice run --all"):]
    for column in ("lab", "metric", "value", "target", "met?", "wall time", "budget"):
        assert column in summary
    assert "moons_test_accuracy" in summary
    # whole rows, though stdout is not a terminal: lab, metric, value and target on one line
    assert any("01 pytorch-basics" in line and "moons_test_accuracy >= " in line for line in summary.splitlines())
    assert "…" not in summary


def toy_in_process(monkeypatch, capsys, tmp_path, *args):
    """`dlpractice ARGS` in this process, with the engine's toy lab registered as lab 99, run from tmp_path."""
    from dlpractice.course import registry

    monkeypatch.setitem(registry.LABS, "99", "support.toy_lab")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    return run_in_process(monkeypatch, capsys, *args)


def test_a_dataset_absent_while_offline_is_one_line_and_leaves_no_run_folder(monkeypatch, capsys, tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    result = toy_in_process(monkeypatch, capsys, tmp_path, "run", "toy", "--quick", "--set", "dataset=mnist",
                            "--data-dir", str(empty))
    assert_one_line_error(result, "MNIST", str(empty))
    assert not (tmp_path / "runs").exists()  # not even an empty runs/toy/


def test_a_real_dataset_from_data_dir_trains(monkeypatch, capsys, tmp_path, shared_mnist_root):
    result = toy_in_process(monkeypatch, capsys, tmp_path, "run", "toy", "--quick", "--set", "dataset=mnist",
                            "--data-dir", str(shared_mnist_root))
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tmp_path / "runs" / "toy").iterdir()
    assert json.loads((run_dir / "metrics.json").read_text())["test_mse"] < 1.0
