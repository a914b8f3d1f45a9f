"""Lab 01 pytorch-basics: tensors, autograd, and training loops written out by hand.

Three small problems, each an MLP trained by the same loop (`dlpractice.training.loop.train_tensors`):
regression on a noisy sinusoid (MSE), two moons (binary, BCEWithLogits), spirals (multi-class,
CrossEntropy). Around them: parameters counted against the formula, backpropagation by hand
checked against autograd (`dlpractice.autograd.backprop`), and an MLP against random forest and gradient
boosting on a table that ships with scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import Tensor, nn

from dlpractice.autograd import backprop
from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.data import Split, load_table, make_split, noisy_sinusoid, spirals, two_moons
from dlpractice.models import MLP, count_parameters, mlp_parameter_formula, predict
from dlpractice.training import plots
from dlpractice.training.loop import History, train_tensors


@dataclass
class PytorchBasicsConfig(LabConfig):
    n_sine: int = 1000
    sine_noise: float = 0.1
    n_moons: int = 2000
    moons_noise: float = 0.15
    n_spirals: int = 1500
    spiral_arms: int = 3
    spiral_turns: float = 1.5
    spiral_noise: float = 0.2
    hidden: int = 64  # units per hidden layer
    depth: int = 2  # hidden layers
    activation: Literal["relu", "tanh", "gelu"] = "relu"
    epochs: int = 500  # for the three synthetic problems
    lr: float = 0.01
    batch_size: int | None = None  # None: the whole training part is one batch
    keep_best: bool = True  # end with the weights of the epoch with the lowest validation loss
    table: Literal["breast_cancer", "wine", "iris", "digits"] = "breast_cancer"  # bundled with scikit-learn
    tabular_epochs: int = 200
    tabular_lr: float = 0.001

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "n_sine", "n_moons", "n_spirals", "hidden", "depth", "epochs", "lr", "tabular_epochs", "tabular_lr")
        if min(self.n_sine, self.n_moons, self.n_spirals) < 50:
            raise ValueError("n_sine, n_moons and n_spirals must be >= 50 (there are train, validation and test parts)")
        if min(self.sine_noise, self.moons_noise, self.spiral_noise) < 0:
            raise ValueError("sine_noise, moons_noise and spiral_noise must be >= 0")
        if self.spiral_arms < 3:
            raise ValueError(f"spiral_arms must be >= 3 (multi-class), got {self.spiral_arms}")
        if self.batch_size is not None and self.batch_size <= 0:
            raise ValueError(f"batch_size must be > 0 or None, got {self.batch_size}")

    @classmethod
    def quick(cls) -> PytorchBasicsConfig:
        return cls(epochs=150, hidden=32, tabular_epochs=100)


def fit(split: Split, out_features: int, loss_fn: nn.Module, config: PytorchBasicsConfig, writer, tag: str,
        epochs: int | None = None, lr: float | None = None) -> tuple[MLP, History]:
    """A fresh MLP (seeded, so the same seed gives the same start), trained by the shared loop."""
    torch.manual_seed(config.seed)
    x_train, y_train = split.parts["train"]
    model = MLP(x_train.shape[1], (config.hidden,) * config.depth, out_features, config.activation)
    history = train_tensors(model, loss_fn, x_train, y_train, *split.parts["val"], epochs=epochs or config.epochs,
                    lr=lr or config.lr, batch_size=config.batch_size, seed=config.seed, writer=writer, tag=tag,
                    keep_best=config.keep_best)
    return model, history


def accuracy(logits: Tensor, y: Tensor) -> float:
    """Binary (one logit per row, y in {0., 1.}) or multi-class (one logit per class, y a class index)."""
    predicted = (logits[:, 0] > 0).float() if logits.shape[1] == 1 else logits.argmax(dim=1)
    return (predicted == y.reshape(-1).to(predicted.dtype)).float().mean().item()


def sine_problem(config, ctx, writer) -> tuple[dict[str, float], MLP, History]:
    x, y = noisy_sinusoid(config.n_sine, noise=config.sine_noise, seed=config.seed)
    split = make_split(x, y, config.seed, classification=False)
    model, history = fit(split, 1, nn.MSELoss(), config, writer, "sine")
    x_test, y_test = split.parts["test"]
    residual = ((predict(model, x_test) - y_test) ** 2).sum().item()
    r2 = 1 - residual / ((y_test - y_test.mean()) ** 2).sum().item()
    x_line = np.linspace(x.min(), x.max(), 400, dtype=np.float32)[:, None]
    ctx.save_figure(plots.fitted_curve(
        x[split.index["train"]], y[split.index["train"]], x_line, predict(model, split.scale(x_line)).numpy(),
        np.sin(x_line), f"MLP fit to a noisy sinusoid (test R² = {r2:.3f})"), "sine_fit")
    return {"sine_test_r2": r2, "sine_test_mse": residual / len(y_test)}, model, history


def classification_setup(y: np.ndarray) -> tuple[np.ndarray, int, nn.Module]:
    """(targets, outputs, loss). Two classes: one logit, targets 0./1. of shape (n, 1), BCEWithLogitsLoss;
    more: one logit per class, class-index targets, CrossEntropyLoss."""
    classes = int(y.max()) + 1
    if classes == 2:
        return y.astype(np.float32)[:, None], 1, nn.BCEWithLogitsLoss()
    return y, classes, nn.CrossEntropyLoss()


def classification_problem(name: str, x: np.ndarray, y: np.ndarray, config, ctx, writer) -> tuple[dict[str, float], MLP, History]:
    target, out_features, loss_fn = classification_setup(y)
    split = make_split(x, target, config.seed, classification=True)
    model, history = fit(split, out_features, loss_fn, config, writer, name)
    acc = accuracy(predict(model, split.parts["test"][0]), split.parts["test"][1])

    def predict_proba(points: np.ndarray) -> np.ndarray:
        logits = predict(model, split.scale(points))
        if out_features == 1:
            p = torch.sigmoid(logits)
            return torch.cat([1 - p, p], dim=1).numpy()
        return torch.softmax(logits, dim=1).numpy()

    train_i = split.index["train"]
    title = f"{name}: MLP + {type(loss_fn).__name__} (test accuracy {acc:.3f})"
    ctx.save_figure(plots.decision_boundary(predict_proba, x[train_i], y[train_i], title), f"{name}_boundary")
    return {f"{name}_test_accuracy": acc}, model, history


def tabular_comparison(config, ctx, writer) -> tuple[dict[str, float], MLP, History, str]:
    """An MLP (same loop) vs random forest vs gradient boosting on a table bundled with scikit-learn."""
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

    dataset = load_table(config.table)
    x, y = dataset.X, dataset.y
    target, out_features, loss_fn = classification_setup(y)
    split = make_split(x, target, config.seed, classification=True)
    model, history = fit(split, out_features, loss_fn, config, writer, "tabular", config.tabular_epochs, config.tabular_lr)
    scores = {"MLP": accuracy(predict(model, split.parts["test"][0]), split.parts["test"][1])}
    trees = {"random forest": RandomForestClassifier(n_estimators=100, random_state=config.seed),
             "gradient boosting": GradientBoostingClassifier(random_state=config.seed)}
    train_i, test_i = split.index["train"], split.index["test"]
    for name, clf in trees.items():  # trees need no scaling, and learn from the same training rows as the MLP
        scores[name] = float(clf.fit(x[train_i], y[train_i]).score(x[test_i], y[test_i]))
    title = f"{config.table.replace('_', ' ')} ({x.shape[0]} rows, {x.shape[1]} features): test accuracy"
    ctx.save_figure(plots.bar_chart(scores, title, "test accuracy", ylim=(min(0.8, min(scores.values()) - 0.05), 1.02)),
                    "tabular_comparison")
    rows = []
    for name, score in scores.items():
        rows.append((name, f"{score:.4f}"))
    metrics = {f"tabular_{k.replace(' ', '_').lower()}_test_accuracy": v for k, v in scores.items()}
    text = f"Table `{config.table}`, {len(test_i)} test rows.\n\n" + table(("model", "test accuracy"), rows)
    return metrics, model, history, text


def parameter_table(models: dict[str, MLP]) -> tuple[float, str]:
    rows, all_match = [], True
    for name, model in models.items():
        counted, formula = count_parameters(model), mlp_parameter_formula(model.sizes)
        all_match &= counted == formula
        match = "yes" if counted == formula else "**no**"
        rows.append((name, " → ".join(map(str, model.sizes)), counted, formula, match))
    header = ("model", "layer sizes", "counted (`p.numel()`)", "formula Σ(in·out + out)", "match")
    return float(all_match), table(header, rows)


def backprop_check(config, x_sine: Tensor, y_sine: Tensor) -> tuple[dict[str, float], str]:
    """Hand-made gradients vs autograd on random data (and a deliberately wrong variant), then descent by hand."""
    gen = torch.Generator().manual_seed(config.seed)
    x, y = torch.randn(64, 3, generator=gen), torch.randn(64, 2, generator=gen)
    params = backprop.init_params(3, 16, 2, seed=config.seed)
    auto = backprop.autograd_gradients(params, x, y)
    right = backprop.compare(backprop.manual_gradients(params, x, y), auto)
    wrong = backprop.compare(backprop.manual_gradients(params, x, y, forget_relu_mask=True), auto)
    losses = backprop.gradient_descent_by_hand(x_sine, y_sine, hidden=32, steps=300, lr=0.1, seed=config.seed)
    rows = [(k, tuple(params[k].shape), f"{right[k]:.2e}", f"{wrong[k]:.2e}") for k in params]
    text = (table(("parameter", "shape", "max abs diff, by hand vs autograd", "same, ReLU mask forgotten"), rows)
            + "\n\nGradient descent with these hand-made gradients "
            f"(the sinusoid, x standardised, 300 steps, lr 0.1): "
            f"MSE {losses[0]:.4f} after the first step, {losses[-1]:.4f} after the last.")
    metrics = {"backprop_max_abs_diff": max(right.values()), "backprop_wrong_relu_max_abs_diff": max(wrong.values()),
               "gd_by_hand_first_step_loss": losses[0], "gd_by_hand_last_step_loss": losses[-1]}
    return metrics, text


def run(config: PytorchBasicsConfig, ctx) -> LabResult:
    metrics: dict[str, float] = {}
    models: dict[str, MLP] = {}
    histories: dict[str, History] = {}
    writer = ctx.tensorboard_writer()
    try:
        found, models["sine"], histories["sine"] = sine_problem(config, ctx, writer)
        metrics |= found
        x, y = two_moons(config.n_moons, noise=config.moons_noise, seed=config.seed)
        found, models["moons"], histories["moons"] = classification_problem("moons", x, y, config, ctx, writer)
        metrics |= found
        x, y = spirals(config.n_spirals, arms=config.spiral_arms, noise=config.spiral_noise, turns=config.spiral_turns, seed=config.seed)
        found, models["spirals"], histories["spirals"] = classification_problem("spirals", x, y, config, ctx, writer)
        metrics |= found
        found, models["tabular"], histories["tabular"], tabular_table = tabular_comparison(config, ctx, writer)
        metrics |= found
    finally:
        writer.close()
    loss_names = {"sine": "MSE", "moons": "BCE", "spirals": "cross-entropy",
                  "tabular": "BCE" if models["tabular"].sizes[-1] == 1 else "cross-entropy"}
    ctx.save_figure(plots.loss_curves(histories, loss_names), "loss_curves")
    metrics["param_count_formula_matches"], param_table = parameter_table(models)
    x_sine, y_sine = noisy_sinusoid(config.n_sine, noise=config.sine_noise, seed=config.seed)
    x_sine = (x_sine - x_sine.mean()) / x_sine.std()
    found, backprop_table = backprop_check(config, torch.from_numpy(x_sine), torch.from_numpy(y_sine))
    metrics |= found
    return LabResult(metrics=metrics, tables={
        "Parameter counts": param_table,
        "Backpropagation by hand vs autograd": backprop_table,
        "Neural network vs trees on a table": tabular_table,
    })


LAB = Lab(
    name="pytorch-basics",
    title="PyTorch basics: tensors, autograd, hand-written training loops",
    dataset="synthetic (sinusoid, moons, spirals) + breast-cancer table",
    config=PytorchBasicsConfig,
    run=run,
    targets=(Target("sine_test_r2", 0.95), Target("moons_test_accuracy", 0.97), Target("spirals_test_accuracy", 0.95)),
    cpu_budget_s=30,
)
