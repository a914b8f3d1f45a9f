"""Lab 00 ml-refresher: classic models and honest scores with scikit-learn, before any neural network.

Two problems. Regression on the diabetes table (bundled with scikit-learn): linear regression vs random
forest vs gradient boosting, scored by R² and MSE on the training and test rows (the gap is overfitting)
and by k-fold cross-validation (mean ± std). Classification on an imbalanced synthetic set (about 5 %
positives): a majority-class baseline and a logistic regression with and without class weights, where
accuracy flatters the models and recall / F1 of the rare class do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    f1_score,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)
from sklearn.model_selection import KFold, cross_val_score, train_test_split

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.data import load_table


@dataclass
class MlRefresherConfig(LabConfig):
    test_fraction: float = 0.25  # of the diabetes rows held out for testing
    trees: int = 200  # trees in the random forest
    cv_folds: int = 5
    n_samples: int = 2000  # rows of the imbalanced classification set
    minority_fraction: float = 0.05  # share of the positive class
    class_sep: float = 0.8  # larger: an easier classification problem

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "trees", "n_samples", "class_sep")
        if not 0 < self.test_fraction < 1:
            raise ValueError(f"test_fraction must be between 0 and 1, got {self.test_fraction}")
        if not 0 < self.minority_fraction < 0.5:
            raise ValueError(f"minority_fraction must be between 0 and 0.5, got {self.minority_fraction}")
        if self.cv_folds < 2:
            raise ValueError(f"cv_folds must be >= 2, got {self.cv_folds}")
        if self.n_samples < 200:
            raise ValueError(f"n_samples must be >= 200 (the minority class needs test samples), got {self.n_samples}")

    @classmethod
    def quick(cls) -> MlRefresherConfig:
        return cls(trees=50, cv_folds=3)


def regressors(config: MlRefresherConfig) -> dict:
    return {
        "linear regression": LinearRegression(),
        "random forest": RandomForestRegressor(n_estimators=config.trees, random_state=config.seed),
        "gradient boosting": GradientBoostingRegressor(random_state=config.seed),
    }


def key(name: str) -> str:
    return name.replace(" ", "_")


def regression(config: MlRefresherConfig, ctx) -> tuple[dict[str, float], str]:
    diabetes = load_table("diabetes")
    x, y = diabetes.X.astype(np.float64), diabetes.y.astype(np.float64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=config.test_fraction, random_state=config.seed)
    cv = KFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed)
    metrics: dict[str, float] = {}
    rows = []
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharex=True, sharey=True)
    for ax, (name, model) in zip(axes, regressors(config).items()):
        predicted = model.fit(x_train, y_train).predict(x_test)
        train_r2, test_r2 = r2_score(y_train, model.predict(x_train)), r2_score(y_test, predicted)
        test_mse = mean_squared_error(y_test, predicted)
        folds = cross_val_score(model, x, y, cv=cv, scoring="r2")
        found = {"train_r2": train_r2, "test_r2": test_r2, "test_mse": test_mse, "cv_r2_mean": folds.mean(), "cv_r2_std": folds.std()}
        metrics |= {f"{key(name)}_{k}": float(v) for k, v in found.items()}
        cv_r2 = f"{folds.mean():.3f} ± {folds.std():.3f}"
        rows.append((name, f"{train_r2:.3f}", f"{test_r2:.3f}", f"{test_mse:.0f}", cv_r2))
        ax.scatter(y_test, predicted, s=18, alpha=0.7, edgecolors="k", linewidths=0.3)
        ax.plot([y.min(), y.max()], [y.min(), y.max()], "k--", lw=1, label="perfect prediction")
        ax.set_title(f"{name}\ntrain R² {train_r2:.2f}, test R² {test_r2:.2f}, test MSE {test_mse:.0f}")
        ax.set_xlabel("measured disease progression")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("predicted disease progression")
    axes[0].legend(loc="upper left")
    fig.suptitle(f"Diabetes: measured vs predicted on {len(y_test)} test patients")
    fig.tight_layout()
    ctx.save_figure(fig, "measured_vs_predicted")
    # Repeatability: the same seed gives the very same forest.
    twice = [RandomForestRegressor(n_estimators=config.trees, random_state=config.seed).fit(x_train, y_train).predict(x_test)
             for _ in range(2)]
    metrics["seeded_forest_repeatable"] = float(np.array_equal(*twice))
    header = ("model", "train R²", "test R²", "test MSE", f"{config.cv_folds}-fold CV R² (mean ± std)")
    return metrics, table(header, rows)


def classification(config: MlRefresherConfig, ctx) -> tuple[dict[str, float], str]:
    x, y = make_classification(n_samples=config.n_samples, n_features=6, n_informative=3, n_redundant=0,
                               n_clusters_per_class=1, weights=[1 - config.minority_fraction, config.minority_fraction],
                               class_sep=config.class_sep, random_state=config.seed)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, stratify=y, random_state=config.seed)
    models = {
        "majority baseline": DummyClassifier(strategy="most_frequent"),
        "logistic regression": LogisticRegression(),
        "logistic regression, class_weight='balanced'": LogisticRegression(class_weight="balanced"),
    }
    prefixes = {"majority baseline": "majority_baseline", "logistic regression": "plain",
                "logistic regression, class_weight='balanced'": "balanced"}
    metrics: dict[str, float] = {}
    rows = []
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    for ax, (name, model) in zip(axes, models.items()):
        predicted = model.fit(x_train, y_train).predict(x_test)
        found = {"accuracy": accuracy_score(y_test, predicted),
                 "precision": precision_score(y_test, predicted, zero_division=0),
                 "recall": recall_score(y_test, predicted, zero_division=0),
                 "f1": f1_score(y_test, predicted, zero_division=0)}
        metrics |= {f"{prefixes[name]}_{k}": float(v) for k, v in found.items()}
        rows.append([name] + [f"{v:.3f}" for v in found.values()])
        ConfusionMatrixDisplay.from_predictions(y_test, predicted, ax=ax, colorbar=False, cmap="Blues")
        ax.set_title(f"{name}\naccuracy {found['accuracy']:.3f}, F1 {found['f1']:.2f}", fontsize="medium")
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
    fig.suptitle(f"Imbalanced test set: {np.sum(y_test == 0)} negatives, {np.sum(y_test == 1)} positives")
    fig.tight_layout()
    ctx.save_figure(fig, "confusion_matrices")
    return metrics, table(("model", "accuracy", "precision", "recall", "F1"), rows)


def run(config: MlRefresherConfig, ctx) -> LabResult:
    regression_metrics, regression_table = regression(config, ctx)
    classification_metrics, classification_table = classification(config, ctx)
    return LabResult(metrics=regression_metrics | classification_metrics, tables={
        "Regression on the diabetes table": regression_table,
        "Imbalanced classification (class 1 is the positive, rare class)": classification_table,
    })


LAB = Lab(
    name="ml-refresher",
    title="Machine-learning refresher: classic models and honest scores with scikit-learn",
    dataset="diabetes table (bundled with scikit-learn) + imbalanced synthetic classification",
    config=MlRefresherConfig,
    run=run,
    targets=(
        Target("linear_regression_cv_r2_mean", 0.4),
        Target("gradient_boosting_cv_r2_mean", 0.35),
        Target("balanced_recall", 0.6),
        Target("seeded_forest_repeatable", 1.0),
    ),
    cpu_budget_s=20,
)
