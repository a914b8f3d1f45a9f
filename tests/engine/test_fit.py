"""`engine.fit`, the Lightning engine, proved through the toy lab (tests/support/toy_lab.py) run by the real CLI in a
subprocess."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from support.paths import TOY_CLI
from support.toy_lab import CRASH_STATUS, ToyConfig

QUICK_EPOCHS = ToyConfig.quick().epochs
STEPS_PER_EPOCH = 5  # ceil(0.6 * 256 / 32): the crash step below relies on it


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`dlpractice run ...` with the toy lab registered as 99; stdout is a pipe, as in CI."""
    return subprocess.run([sys.executable, str(TOY_CLI), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def run_toy(out: Path, *args: str) -> subprocess.CompletedProcess:
    return cli("run", "99", "--out", str(out), "--accelerator", "cpu", *args, cwd=out.parent)


def run_dirs(out: Path) -> list[Path]:
    return sorted((out / "toy").iterdir()) if (out / "toy").is_dir() else []


def only_run_dir(out: Path) -> Path:
    found = run_dirs(out)
    assert len(found) == 1, found
    return found[0]


def training_metrics(run_dir: Path) -> dict[str, float]:
    metrics = json.loads((run_dir / "metrics.json").read_text())
    metrics.pop("wall_time_s")
    return metrics


def snapshot(root: Path) -> dict[str, str]:
    """Every file under root with a hash of its bytes: proves that nothing was created or overwritten."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """One uninterrupted quick run with seed 0: the reference the other runs are compared with."""
    out = tmp_path_factory.mktemp("baseline") / "runs"
    done = run_toy(out, "--quick", "--seed", "0")
    assert done.returncode == 0, done.stderr
    return only_run_dir(out), done


# ---- the whole engine through the CLI ----

def test_run_folder_has_config_metrics_report_tensorboard_and_checkpoints(baseline) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir, _ = baseline
    assert json.loads((run_dir / "config.json").read_text())["config"]["seed"] == 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs"] == QUICK_EPOCHS and metrics["test_mse"] < 1.0
    assert "test_mse" in (run_dir / "report.md").read_text()
    events = list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    assert len(events) == 1
    scalars = EventAccumulator(str(events[0]))
    scalars.Reload()
    val_loss = [e.value for e in scalars.Scalars("val_loss")]
    assert len(val_loss) == QUICK_EPOCHS
    assert "lr-Adam" in scalars.Tags()["scalars"]  # LearningRateMonitor
    # best.ckpt is the epoch with the lowest val_loss, and last.ckpt knows its score
    last = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    best = torch.load(run_dir / "checkpoints" / "best.ckpt", weights_only=True)
    assert last["epoch"] == QUICK_EPOCHS - 1 and best["epoch"] == int(np.argmin(val_loss))
    [checkpointing] = [v for k, v in last["callbacks"].items() if k.startswith("ModelCheckpoint")]
    assert float(checkpointing["best_model_score"]) == pytest.approx(min(val_loss), abs=1e-6)


def test_checkpoints_load_with_weights_only_and_carry_rng_state(baseline) -> None:
    run_dir, _ = baseline
    for name in ("last.ckpt", "best.ckpt"):
        checkpoint = torch.load(run_dir / "checkpoints" / name, weights_only=True)
        assert checkpoint["hyper_parameters"] == {"hidden": 32, "dropout": 0.2, "lr": 0.01}
        assert checkpoint["optimizer_states"] and checkpoint["lr_schedulers"]
        assert isinstance(checkpoint["callbacks"]["RngState"]["torch"], torch.Tensor)


def test_plain_output_has_one_line_per_epoch_and_no_banners(baseline) -> None:
    _, done = baseline
    lines = [line for line in done.stdout.splitlines() if re.match(rf"epoch \d+/{QUICK_EPOCHS}  ", line)]
    assert [line.split()[1] for line in lines] == [f"{i}/{QUICK_EPOCHS}" for i in range(1, QUICK_EPOCHS + 1)]
    assert all("train_loss=" in line and "val_loss=" in line for line in lines)
    output = done.stdout + done.stderr
    assert "GPU available" not in output and "Tip:" not in output and "\r" not in output


def test_same_seed_same_metrics_and_another_seed_differs(baseline, tmp_path: Path) -> None:
    run_dir, _ = baseline
    again = run_toy(tmp_path / "same", "--quick", "--seed", "0")
    other = run_toy(tmp_path / "other", "--quick", "--seed", "1")
    assert again.returncode == 0 and other.returncode == 0, again.stderr + other.stderr
    assert training_metrics(only_run_dir(tmp_path / "same")) == training_metrics(run_dir)
    assert training_metrics(only_run_dir(tmp_path / "other"))["test_mse"] != training_metrics(run_dir)["test_mse"]


def test_killed_run_resumes_to_the_same_metrics_in_the_same_folder(baseline, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    crash_step = 2 * STEPS_PER_EPOCH + 2  # two batches into the third epoch
    killed = run_toy(out, "--quick", "--seed", "0", "--set", f"crash_at_step={crash_step}")
    assert killed.returncode == CRASH_STATUS, killed.stderr
    run_dir = only_run_dir(out)
    assert not (run_dir / "metrics.json").exists()
    saved = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert saved["global_step"] == 2 * STEPS_PER_EPOCH  # the end of epoch 2, before the kill
    config_before = (run_dir / "config.json").read_bytes()

    resumed = run_toy(out, "--resume", str(run_dir))
    assert resumed.returncode == 0, resumed.stderr
    assert only_run_dir(out) == run_dir and (run_dir / "config.json").read_bytes() == config_before
    assert training_metrics(run_dir) == training_metrics(baseline[0])
    # only the epochs after the checkpoint were trained again
    assert [line.split()[1] for line in resumed.stdout.splitlines() if line.startswith("epoch ")] == ["3/4", "4/4"]


def test_a_run_that_fails_after_a_checkpoint_keeps_its_folder_and_says_how_to_resume(baseline, tmp_path: Path) -> None:
    out = tmp_path / "runs"
    failed = run_toy(out, "--quick", "--seed", "0", "--set", f"crash_at_step={2 * STEPS_PER_EPOCH + 2}",
                     "--set", "crash=raise")
    run_dir = only_run_dir(out)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    (line,) = failed.stderr.strip().splitlines()
    assert "RuntimeError: simulated failure at step 12" in line and f"--resume {run_dir}" in line
    assert "simulated failure" in (run_dir / "error.txt").read_text()  # the whole traceback, for a bug report
    assert not (run_dir / "metrics.json").exists()
    resumed = run_toy(out, "--resume", str(run_dir))
    assert resumed.returncode == 0, resumed.stderr
    assert training_metrics(run_dir) == training_metrics(baseline[0])


def test_a_run_that_fails_before_its_first_checkpoint_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    failed = run_toy(out, "--quick", "--set", "crash_at_step=2", "--set", "crash=raise")
    assert failed.returncode == 1
    assert "simulated failure at step 2" in failed.stderr
    assert not out.exists()  # neither the run folder nor the runs/toy/ and runs/ made for it


def test_metrics_that_come_out_nan_are_reported_and_written_as_valid_json(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = run_toy(out, "--quick", "--set", "lr=1e30")
    assert done.returncode == 0, done.stderr
    assert "not finite" in done.stdout
    text = (only_run_dir(out) / "metrics.json").read_text()
    metrics = json.loads(text, parse_constant=lambda name: pytest.fail(f"metrics.json holds a bare {name}"))
    assert metrics["test_mse"] is None
    assert "Not finite" in (only_run_dir(out) / "report.md").read_text()


@pytest.mark.parametrize("damage", ["missing", "truncated", "garbage", "finished", "misfit"])
def test_resume_from_a_bad_checkpoint_is_a_one_line_error(baseline, tmp_path: Path, damage: str, monkeypatch, capsys) -> None:
    # In process (the same `main()` as the command, without paying for another Lightning import): a traceback
    # would surface here as an exception other than SystemExit.
    import shutil

    from dlpractice.cli import main
    from dlpractice.course import registry

    run_dir = tmp_path / "runs" / "toy" / "damaged"
    shutil.copytree(baseline[0], run_dir)
    if damage != "finished":
        (run_dir / "metrics.json").unlink()  # as after a kill: the run never completed
    last = run_dir / "checkpoints" / "last.ckpt"
    if damage == "missing":
        shutil.rmtree(run_dir / "checkpoints")
    elif damage == "truncated":
        last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])
    elif damage == "garbage":
        last.write_bytes(np.random.default_rng(0).bytes(4096))
    elif damage == "misfit":  # loads, but one weight of the model is missing from it
        checkpoint = torch.load(last, weights_only=True)
        del checkpoint["state_dict"]["net.0.weight"]
        torch.save(checkpoint, last)
    before = snapshot(tmp_path)
    monkeypatch.setitem(registry.LABS, "99", "support.toy_lab")
    monkeypatch.setattr(sys, "argv", ["dlpractice", "run", "99", "--out", str(tmp_path / "runs"), "--resume", str(run_dir)])

    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err
    assert {"missing": "no checkpoint", "finished": "finished", "misfit": "lacks net.0.weight"}.get(damage, "corrupt") in err
    assert snapshot(tmp_path) == before


def test_the_command_reports_a_bad_resume_without_a_traceback(tmp_path: Path) -> None:
    run_dir = tmp_path / "runs" / "toy" / "empty"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"lab": "99", "config": dataclasses.asdict(ToyConfig.quick())}))
    done = run_toy(tmp_path / "runs", "--resume", str(run_dir))
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [f"error: --resume {run_dir}: no checkpoint found (expected {run_dir}/checkpoints/last.ckpt)"]
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]


def test_early_stopping_ends_training_when_the_monitor_stops_improving(tmp_path: Path) -> None:
    # val_loss falls every epoch of the quick run, so asking for it to rise stops after patience=1 epoch
    done = run_toy(tmp_path / "runs", "--quick", "--set", "patience=1", "--set", "mode=max")
    assert done.returncode == 0, done.stderr
    assert training_metrics(only_run_dir(tmp_path / "runs"))["epochs"] == 2


def test_ddp_on_two_cpu_processes_writes_one_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "runs"
    done = run_toy(out, "--quick", "--devices", "2", "--strategy", "ddp")
    assert done.returncode == 0, done.stderr
    assert "GLOBAL_RANK: 1" in done.stderr  # a second process really trained
    run_dir = only_run_dir(out)
    assert json.loads((run_dir / "config.json").read_text())["runtime"]["devices"] == "2"
    assert training_metrics(run_dir)["epochs"] == QUICK_EPOCHS
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]  # no stray lightning_logs or the like


def layout(run_dir: Path) -> list[str]:
    """The files of a run folder, TensorBoard's event files (named by time, host and pid) by their kind only."""
    return sorted(re.sub(r"events\.out\.tfevents\..*", "events", str(p.relative_to(run_dir)))
                  for p in run_dir.rglob("*") if p.is_file())


def test_torchrun_workers_share_one_run_folder_written_by_rank_zero(baseline, tmp_path: Path) -> None:
    """`torchrun --nproc-per-node 2 ... dlpractice run LAB --strategy ddp` (gloo on CPU): one folder, laid out as a
    single-process run's, one report, and the output of rank 0 only."""
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", str(TOY_CLI),
               "run", "99", "--quick", "--accelerator", "cpu", "--strategy", "ddp", "--out", str(tmp_path / "runs")]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "GLOBAL_RANK: 1" in done.stderr  # a second process really trained
    assert done.stdout.count("run folder:") == 1
    run_dir = only_run_dir(tmp_path / "runs")
    assert layout(run_dir) == layout(baseline[0])
    assert training_metrics(run_dir).keys() == training_metrics(baseline[0]).keys()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_srun_tasks_share_the_job_steps_run_folder(tmp_path: Path) -> None:
    """Two tasks started with the variables `srun --ntasks 2` sets (Lightning's SLURM environment, gloo on CPU)."""
    slurm = {"SLURM_JOB_ID": "4242", "SLURM_STEP_ID": "0", "SLURM_NTASKS": "2", "SLURM_NTASKS_PER_NODE": "2",
             "SLURM_NNODES": "1", "SLURM_NODEID": "0", "SLURM_NODELIST": "localhost", "SLURM_JOB_NAME": "dlpractice"}
    command = [sys.executable, str(TOY_CLI), "run", "99", "--quick", "--accelerator", "cpu", "--strategy", "ddp"]
    tasks = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, **slurm, "SLURM_PROCID": str(rank), "SLURM_LOCALID": str(rank)})
             for rank in (0, 1)]
    outputs = [task.communicate(timeout=300) for task in tasks]
    assert [task.returncode for task in tasks] == [0, 0], outputs
    assert "run folder: runs/toy/slurm-4242.0" in outputs[0][0] and "run folder" not in outputs[1][0]
    assert training_metrics(only_run_dir(tmp_path / "runs")).keys() >= {"test_mse", "epochs"}


def test_deterministic_mode_is_switched_back_after_training() -> None:
    """Lightning's deterministic=True is process-wide; `fit` restores what was set before (a notebook goes on after)."""
    import torch

    from dlpractice.engine.fit import restored_determinism

    assert not torch.are_deterministic_algorithms_enabled()
    with restored_determinism():
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = True
    assert not torch.are_deterministic_algorithms_enabled() and not torch.backends.cudnn.benchmark
