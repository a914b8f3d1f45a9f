"""Lab 02 intermediate-pytorch: the quick run and its lessons, and each hand-written piece against PyTorch or Lightning."""

import json
import math

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.callbacks import EarlyStopping
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.engine.quiet import quiet_lightning
from dlpractice.labs.intermediate_pytorch import IntermediatePytorchConfig
from dlpractice.training import activations, checkpointing, gradient_flow, schedules
from dlpractice.training.loop import ArrayDataset, seeded_loader, train
from dlpractice.training.optimizers import make_optimizer

FIGURES = ["activations.png", "gradient_norms.png", "learning_curves.png", "optimizers.png", "resume.png", "schedules.png"]


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    threads = torch.get_num_threads()
    runs = [dlpractice.run("02", quick=True, seed=seed, out=out, accelerator="cpu") for seed in (0, 0, 1)]
    assert torch.get_num_threads() == threads, "the lab must restore torch's thread count"
    return runs


def test_quick_run_writes_metrics_report_figures_checkpoints_and_tensorboard(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved) and all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == FIGURES
    report = (outcome.run_dir / "report.md").read_text()
    for title in ("Overfitting and early stopping", "Optimisers", "Learning-rate schedules", "Vanishing gradients",
                  "Checkpoint and resume", "The same model with Lightning"):
        assert f"## {title}" in report
    assert (outcome.run_dir / "checkpoints" / "last.ckpt").is_file()  # the engine's, for the Lightning run
    config = IntermediatePytorchConfig.quick()
    board = outcome.run_dir / "tensorboard"
    for run in ("optimizers/sgd", "optimizers/adamw", "schedules/one-cycle", "curves/all_epochs"):
        events = EventAccumulator(str(board / run))
        events.Reload()
        epochs = config.curve_epochs if run.startswith("curves") else config.epochs
        assert len(events.Scalars("loss/val")) == epochs, (run, events.Tags())
    events = EventAccumulator(str(board / "schedules" / "cosine"))
    events.Reload()
    lrs = [e.value for e in events.Scalars("lr")]  # one point per optimiser step, falling
    assert len(lrs) > config.epochs and lrs[0] == pytest.approx(config.schedule_lr, rel=1e-6) and lrs[-1] < 0.01 * lrs[0]
    events = EventAccumulator(str(board))  # Lightning, through the engine's logger
    events.Reload()
    assert {"train_loss_epoch", "val_loss", "val_accuracy"} <= set(events.Tags()["scalars"])


def test_quick_run_meets_its_targets_and_shows_the_lessons(quick_runs):
    outcome = quick_runs[0]
    assert all(outcome.met.values()), outcome.met
    m = outcome.metrics
    config = IntermediatePytorchConfig.quick()
    assert m["val_loss_last"] > 1.2 * m["val_loss_best"]  # the diabetes MLP overfits...
    assert m["train_loss_last"] < 0.5 * m["val_loss_last"]
    assert m["early_stopping_epoch"] == m["best_epoch"] + config.patience  # ...and early stopping sees it
    assert m["test_r2_early_stopping"] > m["test_r2_last_epoch"]
    assert m["momentum_val_loss"] < m["sgd_val_loss"] and m["adam_val_loss"] < m["sgd_val_loss"]
    assert m["best_optimizer_test_accuracy"] > 0.9
    assert m["sigmoid_grad_ratio"] < 1e-4 < 0.1 < m["relu_grad_ratio"] < 10
    assert m["relu_default_init_grad_ratio"] < 0.1  # ReLU alone is not enough: the init matters too
    assert m["resume_max_loss_diff"] == 0.0
    assert m["resume_without_optimizer_state_max_loss_diff"] > 1e-4
    assert m["resume_without_scheduler_state_max_loss_diff"] > 1e-4
    assert m["lightning_vs_hand_max_weight_diff"] == 0.0  # Lightning runs the very same steps as the hand loop
    assert m["lightning_val_loss"] == pytest.approx(m["adam_val_loss"], rel=1e-6)


def test_same_seed_same_metrics_other_seed_other_metrics(quick_runs):
    first, again, other = (outcome.metrics for outcome in quick_runs)
    assert first == again
    assert first != other


def test_registered_as_lab_02():
    lab = registry.find("2")
    assert (lab.id, lab.name) == ("02", "intermediate-pytorch")
    assert registry.find("intermediate-pytorch").id == "02"


@pytest.mark.parametrize("overrides, message", [
    ({"epochs": 0}, "epochs must be > 0"),
    ({"epochs": 1}, "epochs must be >= 2"),
    ({"adam_lr": -0.01}, "adam_lr must be > 0"),
    ({"momentum": 1.0}, "momentum must be in"),
    ({"depth": 1}, "depth must be >= 2"),
    ({"batch_size": 0}, "batch_size must be > 0"),
])
def test_bad_config_values_are_user_errors(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("intermediate-pytorch", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "intermediate-pytorch").exists()  # refused before any run folder was made


# ---- the pieces, against PyTorch and Lightning

@pytest.mark.parametrize("step_size, gamma", [(3, 0.1), (1, 0.5), (5, 0.9)])
def test_step_decay_by_hand_matches_steplr(step_size, gamma):
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    for epoch in range(12):
        assert schedules.step_decay_lr(epoch, 0.2, step_size, gamma) == pytest.approx(scheduler.get_last_lr()[0], rel=1e-9)
        optimizer.step()
        scheduler.step()
    assert schedules.step_decay_lr(3, 0.2, 3, 0.1) != pytest.approx(schedules.step_decay_lr(2, 0.2, 3, 0.1))


def lrs_of(name, epochs=6, steps_per_epoch=5, val_losses=None):
    """The learning rate at every step of a run with this schedule (validation losses feed reduce-on-plateau)."""
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = schedules.make_schedule(name, optimizer, epochs, steps_per_epoch)
    lrs = []
    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if schedule.every == "step":
                schedule.step()
        if schedule.every != "step":
            schedule.step((val_losses or [1.0] * epochs)[epoch])
    return lrs


def test_make_schedule_shapes():
    assert lrs_of("constant") == [0.1] * 30
    step = lrs_of("step")  # 6 epochs: divided by 10 after epochs 2 and 4
    assert step[:10] == pytest.approx([0.1] * 10) and step[10:20] == pytest.approx([0.01] * 10) and step[20:] == pytest.approx([0.001] * 10)
    cosine = lrs_of("cosine")
    assert cosine[0] == pytest.approx(0.1) and all(a > b for a, b in zip(cosine, cosine[1:])) and cosine[-1] < 0.001
    one_cycle = lrs_of("one-cycle")
    peak = max(range(30), key=one_cycle.__getitem__)
    assert one_cycle[0] == pytest.approx(0.1 / 25) and one_cycle[peak] == pytest.approx(0.1, rel=1e-3) and 5 <= peak <= 12
    plateau = lrs_of("plateau", val_losses=[1.0, 0.9, 0.9, 0.9, 0.9, 0.9])  # no improvement after epoch 1 (from 0)
    assert plateau[:25] == pytest.approx([0.1] * 25) and plateau[25:] == pytest.approx([0.05] * 5)  # halved after epoch 4
    with pytest.raises(ValueError, match="schedule must be one of"):
        lrs_of("exponential")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        make_optimizer("rmsprop", nn.Linear(1, 1).parameters(), 0.1)


class Replay(pl.LightningModule):
    """Logs a given sequence of validation losses, one per epoch, to see where Lightning's EarlyStopping stops."""

    def __init__(self, val_losses):
        super().__init__()
        self.layer = nn.Linear(1, 1)
        self.val_losses = val_losses
        self.epochs_run = 0

    def training_step(self, batch, batch_idx):
        return self.layer(batch[0]).sum()

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.val_losses[self.current_epoch])

    def on_validation_epoch_end(self):
        if not self.trainer.sanity_checking:
            self.epochs_run += 1

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.0)


def test_early_stopping_in_the_hand_loop_stops_where_lightning_does():
    x = torch.randn(60, 2)
    y = x[:, :1] + 0.5 * torch.randn(60, 1)  # noisy: a wide MLP soon overfits the 40 training rows
    runs = {}
    for patience in (None, 4):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
        loader = seeded_loader(ArrayDataset(x[:40], y[:40]), 8, seed=0)
        runs[patience] = train(model, nn.MSELoss(), loader, (x[40:], y[40:]), torch.optim.Adam(model.parameters(), lr=0.01),
                               40, patience=patience)
    full, stopped = runs[None], runs[4]
    assert stopped.val_loss == full.val_loss[:len(stopped.val_loss)] and len(stopped.val_loss) < 40
    replay = Replay(full.val_loss)
    with quiet_lightning():
        trainer = pl.Trainer(max_epochs=40, callbacks=[EarlyStopping("val_loss", patience=4)], logger=False,
                             enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
        trainer.fit(replay, DataLoader(TensorDataset(torch.ones(2, 1)), batch_size=2),
                    DataLoader(TensorDataset(torch.ones(2, 1)), batch_size=2))
    assert replay.epochs_run == len(stopped.val_loss)


def test_train_keeps_the_best_weights_when_asked():
    x, y = torch.randn(50, 3), torch.randn(50, 1)  # pure noise: the validation loss soon turns up
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 64), nn.ReLU(), nn.Linear(64, 1))
    curves = train(model, nn.MSELoss(), seeded_loader(ArrayDataset(x[:30], y[:30]), 10, 0), (x[30:], y[30:]),
                   torch.optim.Adam(model.parameters(), lr=0.02), 30, keep_best=True)
    assert curves.best_epoch < 29
    with torch.no_grad():
        assert nn.functional.mse_loss(model(x[30:]), y[30:]).item() == pytest.approx(min(curves.val_loss))


def resumable(seed_before_load=None, drop_rng=False, tmp_path=None):
    """Train 6 epochs of a model with dropout; or stop after 3, save, build afresh, load and finish."""
    x, y = torch.randn(40, 3, generator=torch.Generator().manual_seed(0)), torch.randn(40, 1, generator=torch.Generator().manual_seed(1))

    def build():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))
        optimizer = make_optimizer("momentum", model.parameters(), 0.05)
        loader = seeded_loader(ArrayDataset(x, y), 8, seed=0)
        return model, optimizer, schedules.make_schedule("cosine", optimizer, 6, len(loader)), loader

    model, optimizer, schedule, loader = build()
    if tmp_path is None:
        return train(model, nn.MSELoss(), loader, (x, y), optimizer, 6, schedule=schedule).train_loss
    first = train(model, nn.MSELoss(), loader, (x, y), optimizer, 3, schedule=schedule)
    path = tmp_path / "checkpoint.pt"
    checkpointing.save_checkpoint(path, model, optimizer, schedule, 3)
    if drop_rng:
        saved = torch.load(path, weights_only=True)
        torch.save({k: v for k, v in saved.items() if k != "rng"} | {"rng": torch.manual_seed(99).get_state()}, path)
    model, optimizer, schedule, loader = build()  # a new process: the random state is wherever it is
    torch.manual_seed(seed_before_load)
    start = checkpointing.load_checkpoint(path, model, optimizer, schedule)
    return train(model, nn.MSELoss(), loader, (x, y), optimizer, 6, schedule=schedule, curves=first, start_epoch=start).train_loss


def test_resume_is_exact_even_with_dropout_and_a_disturbed_random_state(tmp_path):
    never_stopped = resumable()
    assert resumable(seed_before_load=123, tmp_path=tmp_path) == never_stopped
    # the control: without the saved random state, dropout draws other masks after the resume
    assert resumable(seed_before_load=123, drop_rng=True, tmp_path=tmp_path) != never_stopped


@pytest.mark.parametrize("name, analytic", [
    ("sigmoid", lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x))),
    ("tanh", lambda x: 1 - torch.tanh(x) ** 2),
    ("ReLU", lambda x: (x > 0).float()),
    ("LeakyReLU", lambda x: torch.where(x > 0, 1.0, 0.1)),
    ("ELU", lambda x: torch.where(x > 0, 1.0, torch.exp(x))),
])
def test_derivatives_by_autograd_match_the_formulas(name, analytic):
    x = torch.linspace(-4, 4, 81) + 0.01  # off the kink at 0
    assert torch.allclose(activations.derivative(activations.ACTIVATIONS[name](), x), analytic(x), atol=1e-6)


def test_deep_mlp_layers_and_inits():
    model = gradient_flow.deep_mlp(10, 3, depth=12, width=64, activation="relu", init="he")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert len(linears) == 13 and sum(isinstance(m, nn.ReLU) for m in model) == 12
    assert linears[5].weight.std().item() == pytest.approx((2 / 64) ** 0.5, rel=0.1)  # He: variance 2 / fan_in
    xavier = gradient_flow.deep_mlp(10, 3, depth=2, width=64, activation="sigmoid", init="xavier")
    assert xavier[2].weight.std().item() == pytest.approx((2 / 128) ** 0.5, rel=0.1)  # Glorot: 2 / (fan_in + fan_out)
    assert torch.all(xavier[2].bias == 0)
