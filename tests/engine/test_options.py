"""`engine.options`: the hardware options, refused up front when the machine cannot honour them, and read from the
launcher when torchrun or srun started the processes."""

import os

import pytest

from dlpractice.course.errors import UserError
from dlpractice.course.runs import RunOptions
from dlpractice.engine.options import check_options, trainer_arguments

CORES = os.cpu_count() or 1


@pytest.fixture
def no_launcher(monkeypatch):
    for name in ("TORCHELASTIC_RUN_ID", "SLURM_STEP_ID", "SLURM_NTASKS", "SLURM_NNODES", "LOCAL_WORLD_SIZE",
                 "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_plain_options_pass(no_launcher):
    check_options(RunOptions())
    check_options(RunOptions(accelerator="cpu", devices=str(CORES), strategy="ddp"))


@pytest.mark.parametrize("options, fragment", [
    (RunOptions(accelerator="cpu", devices=str(CORES + 1)), f"this machine has {CORES} CPU cores"),
    (RunOptions(strategy="ddp_nonsense"), "--strategy ddp_nonsense"),
    (RunOptions(num_nodes=0), "--num-nodes must be >= 1"),
])
def test_what_the_machine_cannot_do_is_refused(no_launcher, options, fragment):
    with pytest.raises(UserError, match=fragment):
        check_options(options)


def test_under_torchrun_devices_and_nodes_come_from_the_launcher(no_launcher):
    for name, value in {"TORCHELASTIC_RUN_ID": "x", "LOCAL_WORLD_SIZE": "2", "WORLD_SIZE": "6"}.items():
        no_launcher.setenv(name, value)
    assert trainer_arguments(RunOptions(strategy="ddp")) == {
        "accelerator": "auto", "devices": 2, "strategy": "ddp", "num_nodes": 3}
    assert trainer_arguments(RunOptions(devices="1", num_nodes=6))["devices"] == 1  # what the user says wins


def test_under_srun_devices_and_nodes_come_from_slurm(no_launcher):
    for name, value in {"SLURM_STEP_ID": "0", "SLURM_NTASKS": "8", "SLURM_NNODES": "2"}.items():
        no_launcher.setenv(name, value)
    arguments = trainer_arguments(RunOptions(accelerator="gpu", strategy="ddp"))
    assert (arguments["devices"], arguments["num_nodes"]) == (4, 2)
