"""Lab 02 intermediate-pytorch: mini-batches, optimisers, schedules, gradient flow, checkpoints, then Lightning.

Learning curves and early stopping on the diabetes table (regression, where an MLP overfits within a few
dozen epochs); then, on the digits table (8x8 images, 10 classes): SGD, SGD with momentum, Adam and AdamW on
the same budget; five learning-rate schedules; per-layer gradient norms of deep sigmoid, tanh and ReLU nets;
a run stopped, checkpointed and resumed against one never stopped; and the Adam run once more as a
LightningModule trained by `dlpractice.engine.fit`, which gives the very same weights.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from torch import nn
from torch.utils.tensorboard import SummaryWriter

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.data import Split, load_table, make_split
from dlpractice.engine import ArrayDataModule, Classifier, EngineConfig, check_options, final_metrics, fit
from dlpractice.models import MLP, predict
from dlpractice.training import plots
from dlpractice.training.activations import ACTIVATIONS
from dlpractice.training.checkpointing import load_checkpoint, save_checkpoint
from dlpractice.training.gradient_flow import deep_mlp, gradient_norms
from dlpractice.training.loop import ArrayDataset, Curves, evaluate, seeded_loader, train
from dlpractice.training.optimizers import OPTIMIZERS, make_optimizer
from dlpractice.training.schedules import SCHEDULES, make_schedule

# deep networks: (activation, init); the keys name them in figures and tables, in this order in metrics
DEEP_NETS = {"sigmoid, Xavier init": ("sigmoid", "xavier"), "tanh, Xavier init": ("tanh", "xavier"),
             "ReLU, He init": ("relu", "he"), "ReLU, PyTorch's default init": ("relu", "default")}


@dataclass
class IntermediatePytorchConfig(LabConfig):
    hidden: int = 128  # units in each of the two hidden layers
    batch_size: int = 32  # rows per mini-batch
    curve_epochs: int = 80  # diabetes (regression): long enough to overfit
    curve_lr: float = 0.001  # Adam, on diabetes
    patience: int = 10  # early stopping: epochs without a lower validation loss
    epochs: int = 15  # digits (classification): for each optimiser, schedule and the checkpoint runs
    sgd_lr: float = 0.05  # SGD and SGD with momentum
    schedule_lr: float = 0.1  # peak rate of the schedules (SGD with momentum): too high for a constant rate to settle
    adam_lr: float = 0.001  # Adam and AdamW (and the Lightning run)
    momentum: float = 0.9
    weight_decay: float = 0.01  # AdamW's decoupled weight decay
    depth: int = 12  # hidden layers of the deep networks whose gradients vanish (or not)
    deep_epochs: int = 5  # then each deep network is trained this long (Adam)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "hidden", "batch_size", "curve_epochs", "curve_lr", "patience", "epochs", "sgd_lr",
                       "schedule_lr", "adam_lr", "weight_decay", "deep_epochs")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum}")
        if self.epochs < 2:
            raise ValueError(f"epochs must be >= 2 (a run is stopped and resumed halfway), got {self.epochs}")
        if self.depth < 2:
            raise ValueError(f"depth must be >= 2 (a deep network), got {self.depth}")

    @classmethod
    def quick(cls) -> IntermediatePytorchConfig:
        return cls(curve_epochs=40, epochs=6, depth=10, deep_epochs=3)


def writer(ctx, name: str) -> SummaryWriter:
    """A TensorBoard run of its own, tensorboard/<name>: runs side by side overlay their curves of the same tag."""
    return SummaryWriter(str(ctx.tensorboard_dir / name))


def classifier(config: IntermediatePytorchConfig, split: Split) -> MLP:
    torch.manual_seed(config.seed)  # every run starts from the same weights
    return MLP(split.parts["train"][0].shape[1], (config.hidden, config.hidden), int(split.parts["train"][1].max()) + 1)


def learning_curves(config: IntermediatePytorchConfig, ctx) -> tuple[dict[str, float], str]:
    """Diabetes: train long (overfit), then again with early stopping and the best epoch's weights."""
    diabetes = load_table("diabetes")
    split = make_split(diabetes.X, diabetes.y[:, None], config.seed, classification=False)
    mean, std = split.parts["train"][1].mean(), split.parts["train"][1].std()
    parts = {name: (x, (y - mean) / std) for name, (x, y) in split.parts.items()}  # targets standardised too
    x_test, y_test = parts["test"]
    results, test_r2 = {}, {}
    for name, patience in (("all epochs", None), ("early stopping", config.patience)):
        torch.manual_seed(config.seed)
        model = MLP(diabetes.X.shape[1], (config.hidden, config.hidden), 1)
        loader = seeded_loader(ArrayDataset(*parts["train"]), config.batch_size, config.seed)
        with writer(ctx, f"curves/{name.replace(' ', '_')}") as events:
            results[name] = train(model, nn.MSELoss(), loader, parts["val"], torch.optim.Adam(model.parameters(), lr=config.curve_lr),
                                  config.curve_epochs, writer=events, patience=patience, keep_best=patience is not None)
        test_r2[name] = r2_score(y_test, predict(model, x_test))
    linear = LinearRegression().fit(parts["train"][0], parts["train"][1])  # for scale: lab 00's linear model
    test_r2["linear regression"] = r2_score(y_test, linear.predict(x_test))
    full = results["all epochs"]
    stop = len(results["early stopping"].val_loss) - 1  # the last epoch it ran: a prefix of the full run
    fig = plots.loss_curves({"diabetes, MLP + Adam": full}, {"diabetes, MLP + Adam": "MSE (standardised target)"})
    fig.axes[0].axvline(stop + 1, color="red", ls="--", label=f"early stopping, patience {config.patience} (epoch {stop + 1})")
    fig.axes[0].legend()
    ctx.save_figure(fig, "learning_curves")
    metrics = {"best_epoch": float(full.best_epoch + 1), "early_stopping_epoch": float(stop + 1),
               "val_loss_best": full.val_loss[full.best_epoch], "val_loss_last": full.val_loss[-1],
               "train_loss_last": full.train_loss[-1], "test_r2_last_epoch": test_r2["all epochs"],
               "test_r2_early_stopping": test_r2["early stopping"], "test_r2_linear_regression": test_r2["linear regression"]}
    rows = []
    for name, r in results.items():
        rows.append((name, len(r.val_loss), f"{r.train_loss[-1]:.3f}", f"{r.val_loss[-1]:.3f}", f"{test_r2[name]:.3f}"))
    rows.append(("linear regression (scikit-learn)", "", "", "", f"{test_r2['linear regression']:.3f}"))
    header = ("run", "epochs trained", "last train MSE", "last val MSE", "test R² (of the weights it ends with)")
    return metrics, table(header, rows)


def train_digits(config, split: Split, optimizer_name: str, lr: float, schedule_name: str, tag: str, ctx) -> tuple[MLP, Curves]:
    model = classifier(config, split)
    optimizer = make_optimizer(optimizer_name, model.parameters(), lr, config.momentum, config.weight_decay)
    loader = seeded_loader(ArrayDataset(*split.parts["train"]), config.batch_size, config.seed)
    schedule = make_schedule(schedule_name, optimizer, config.epochs, len(loader))
    with writer(ctx, tag) as events:
        return model, train(model, nn.CrossEntropyLoss(), loader, split.parts["val"], optimizer, config.epochs,
                            schedule=schedule, writer=events)


def compare_optimizers(config, split: Split, ctx) -> tuple[dict[str, float], str, dict[str, MLP]]:
    models, curves = {}, {}
    rates = {name: config.adam_lr if name.startswith("adam") else config.sgd_lr for name in OPTIMIZERS}
    for name in OPTIMIZERS:
        models[name], curves[name] = train_digits(config, split, name, rates[name], "constant", f"optimizers/{name}", ctx)
    ctx.save_figure(plots.compare_runs(curves, f"Digits, one MLP, {config.epochs} epochs: four optimisers"),
                    "optimizers")
    best = max(curves, key=lambda name: curves[name].val_accuracy[-1])  # chosen on validation, then tested once
    metrics = {f"{name}_val_loss": c.val_loss[-1] for name, c in curves.items()}
    metrics |= {f"{name}_val_accuracy": c.val_accuracy[-1] for name, c in curves.items()}
    metrics["best_optimizer_val_accuracy"] = curves[best].val_accuracy[-1]
    metrics["best_optimizer_test_accuracy"] = evaluate(models[best], nn.CrossEntropyLoss(), *split.parts["test"])[1]
    rows = []
    for name, c in curves.items():
        rows.append((name, f"{rates[name]:g}", f"{c.train_loss[-1]:.4f}", f"{c.val_loss[-1]:.4f}",
                     f"{c.val_accuracy[-1]:.4f}"))
    header = ("optimiser", "lr", "final train loss", "final val loss", "val accuracy")
    return metrics, table(header, rows) + f"\n\nBest on validation: {best}.", models


def compare_schedules(config, split: Split, ctx) -> tuple[dict[str, float], str]:
    curves = {name: train_digits(config, split, "momentum", config.schedule_lr, name, f"schedules/{name}", ctx)[1]
              for name in SCHEDULES}
    ctx.save_figure(plots.lr_and_loss(curves, f"Digits, SGD with momentum, peak lr {config.schedule_lr:g}: "
                                                       "learning-rate schedules"), "schedules")
    metrics = {f"schedule_{name.replace('-', '_')}_val_loss": c.val_loss[-1] for name, c in curves.items()}
    rows = []
    for name, c in curves.items():
        rows.append((name, f"{c.lr[0]:.2g}", f"{c.lr[-1]:.2g}", f"{c.val_loss[-1]:.4f}", f"{c.val_accuracy[-1]:.4f}"))
    return metrics, table(("schedule", "first lr", "last lr", "final val loss", "val accuracy"), rows)


def vanishing_gradients(config, split: Split, ctx) -> tuple[dict[str, float], str]:
    """Per-layer gradient norms of deep nets at initialisation, then what Adam makes of each in `deep_epochs` epochs."""
    ctx.save_figure(plots.activation_curves({name: make() for name, make in ACTIVATIONS.items()}), "activations")
    x, y = split.parts["train"]
    norms, accuracy = {}, {}
    for name, (activation, init) in DEEP_NETS.items():
        torch.manual_seed(config.seed)
        model = deep_mlp(x.shape[1], int(y.max()) + 1, config.depth, 64, activation, init)
        norms[name] = gradient_norms(model, nn.CrossEntropyLoss(), x[:256], y[:256])
        loader = seeded_loader(ArrayDataset(x, y), config.batch_size, config.seed)
        curves = train(model, nn.CrossEntropyLoss(), loader, split.parts["val"],
                       make_optimizer("adam", model.parameters(), config.adam_lr), config.deep_epochs)
        accuracy[name] = curves.val_accuracy[-1]
    title = f"Gradient norm per layer at initialisation, {config.depth} hidden layers of 64 units"
    ctx.save_figure(plots.gradient_norms_per_layer(norms, title), "gradient_norms")
    keys = dict(zip(DEEP_NETS, ("sigmoid", "tanh", "relu", "relu_default_init")))
    metrics = {f"{keys[name]}_grad_ratio": n[0] / n[-1] for name, n in norms.items()}
    metrics |= {f"deep_{keys[name]}_val_accuracy": value for name, value in accuracy.items()}
    rows = []
    for name, n in norms.items():
        rows.append((name, f"{n[0]:.2e}", f"{n[-1]:.2e}", f"{n[0] / n[-1]:.2e}", f"{accuracy[name]:.3f}"))
    header = ("network", "first layer ‖∂L/∂W‖", "last layer ‖∂L/∂W‖", "first / last",
              f"val accuracy after {config.deep_epochs} epochs of Adam")
    return metrics, table(header, rows)


def checkpoint_resume(config, split: Split, ctx) -> tuple[dict[str, float], str]:
    """Adam + cosine schedule: never stopped, vs stopped halfway and resumed with all or part of the checkpoint."""
    stop = config.epochs // 2
    path = ctx.dir / "checkpoint_by_hand" / f"epoch_{stop}.pt"  # beside checkpoints/, which the engine keeps for itself
    path.parent.mkdir(parents=True, exist_ok=True)

    def fresh():  # what a new process builds before it loads the checkpoint
        model = classifier(config, split)
        optimizer = make_optimizer("adam", model.parameters(), config.adam_lr)
        loader = seeded_loader(ArrayDataset(*split.parts["train"]), config.batch_size, config.seed)
        return model, optimizer, make_schedule("cosine", optimizer, config.epochs, len(loader)), loader

    def segment(start: int, end: int, parts, curves: Curves | None = None) -> Curves:
        model, optimizer, schedule, loader = parts
        return train(model, nn.CrossEntropyLoss(), loader, split.parts["val"], optimizer, end, schedule=schedule,
                     curves=curves, start_epoch=start)

    never_stopped = segment(0, config.epochs, fresh())
    first = fresh()
    first_half = segment(0, stop, first)
    save_checkpoint(path, first[0], first[1], first[2], stop)
    losses = {"never stopped": never_stopped.train_loss}
    for variant in ("resumed from the full checkpoint", "resumed, optimiser state not restored",
                    "resumed, scheduler state not restored"):
        parts = fresh()
        model, optimizer, schedule, _ = parts
        if variant == "resumed from the full checkpoint":
            start = load_checkpoint(path, model, optimizer, schedule)
        else:  # what a checkpoint that forgets part of the state gives
            saved = torch.load(path, weights_only=True)
            model.load_state_dict(saved["model"])
            if "optimiser" not in variant:
                optimizer.load_state_dict(saved["optimizer"])
            if "scheduler" not in variant:
                schedule.load_state_dict(saved["scheduler"])
            start = saved["epoch"]
        curves = segment(start, config.epochs, parts, copy.deepcopy(first_half))
        losses[variant] = curves.train_loss
    ctx.save_figure(plots.resume_curves(losses, stop, f"Digits, Adam + cosine schedule: stopped after epoch {stop}"),
                    "resume")
    diffs = {name: max(abs(a - b) for a, b in zip(values, losses["never stopped"])) for name, values in losses.items()}
    metrics = {"resume_max_loss_diff": diffs["resumed from the full checkpoint"],
               "resume_without_optimizer_state_max_loss_diff": diffs["resumed, optimiser state not restored"],
               "resume_without_scheduler_state_max_loss_diff": diffs["resumed, scheduler state not restored"]}
    rows = [(name, f"{diff:.2e}") for name, diff in diffs.items()]
    return metrics, table(("run", "max abs difference of the training loss per epoch from 'never stopped'"), rows)


def with_lightning(config, split: Split, ctx, hand_model: MLP) -> tuple[dict[str, float], str]:
    """The Adam run once more as a LightningModule: same seed, same batches (ArrayDataModule's SeededSampler)."""
    data = ArrayDataModule(split.parts["train"], split.parts["val"], batch_size=config.batch_size, seed=config.seed)
    module = Classifier(classifier(config, split), num_classes=int(split.parts["train"][1].max()) + 1, lr=config.adam_lr)
    trainer = fit(module, data, ctx, EngineConfig(epochs=config.epochs, log_every_n_steps=10), seed=config.seed)
    logged = final_metrics(trainer)
    model = module.model.cpu()
    weight_diff = max((a - b).abs().max().item() for a, b in zip(model.parameters(), hand_model.parameters()))
    hand_val_loss, hand_val_accuracy = evaluate(hand_model, nn.CrossEntropyLoss(), *split.parts["val"])
    metrics = {"lightning_val_loss": logged["val_loss"], "lightning_val_accuracy": logged["val_accuracy"],
               "lightning_test_accuracy": evaluate(model, nn.CrossEntropyLoss(), *split.parts["test"])[1],
               "lightning_vs_hand_max_weight_diff": weight_diff}
    rows = [("hand loop (Adam)", f"{hand_val_loss:.6f}", f"{hand_val_accuracy:.4f}"),
            ("Lightning, `dlpractice.engine.fit`", f"{logged['val_loss']:.6f}", f"{logged['val_accuracy']:.4f}")]
    text = (table(("training", "val loss", "val accuracy"), rows)
            + f"\n\nLargest difference between their weights: {weight_diff:.2e}.")
    return metrics, text


def run(config: IntermediatePytorchConfig, ctx) -> LabResult:
    tables = {}
    metrics, tables["Overfitting and early stopping (diabetes, regression)"] = learning_curves(config, ctx)
    digits = load_table("digits")
    split = make_split(digits.X, digits.y, config.seed, classification=True)
    found, tables["Optimisers (digits)"], models = compare_optimizers(config, split, ctx)
    metrics |= found
    found, tables["Learning-rate schedules (digits)"] = compare_schedules(config, split, ctx)
    metrics |= found
    found, tables["Vanishing gradients"] = vanishing_gradients(config, split, ctx)
    metrics |= found
    found, tables["Checkpoint and resume"] = checkpoint_resume(config, split, ctx)
    metrics |= found
    found, tables["The same model with Lightning"] = with_lightning(config, split, ctx, models["adam"])
    metrics |= found
    return LabResult(metrics=metrics, tables=tables)


LAB = Lab(
    name="intermediate-pytorch",
    title="Intermediate PyTorch: mini-batches, optimisers, schedules, gradient flow, checkpoints, Lightning",
    dataset="diabetes and digits tables (bundled with scikit-learn)",
    config=IntermediatePytorchConfig,
    run=run,
    targets=(
        Target("best_optimizer_val_accuracy", 0.95),
        Target("resume_max_loss_diff", 1e-6, "min"),
        Target("sigmoid_grad_ratio", 1e-4, "min"),
        Target("relu_grad_ratio", 0.1),
    ),
    cpu_budget_s=30,
    check_options=check_options,
)
