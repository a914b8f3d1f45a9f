# %% [markdown]
# # Lab 00 — A machine-learning refresher with scikit-learn
#
# Before we build neural networks, we make sure the ground under them is solid. Every later lab
# compares a network with a "classic" model, reports a score, and claims that one model is better
# than another. This lab is about doing that honestly.
#
# You will:
# 1. fit a **linear regression**, a **random forest** and **gradient boosting** on a real table, and
#    read their **R²** and **MSE** — on the training data *and* on held-out test data, to spot **overfitting**;
# 2. make a random model **repeatable** with `random_state`;
# 3. see why **accuracy lies** on an imbalanced data set, and read **precision, recall, F1** and a
#    **confusion matrix**; try **class weights**;
# 4. estimate a score with **k-fold cross-validation** (mean ± standard deviation);
# 5. learn why `0.1 + 0.2 != 0.3`, and why a single seed can fool you.
#
# **Exercises.** Seven small functions to write. Each exercise cell ends with a line such as
# `check.mse(mse)`, which runs your function on several cases (including some this notebook never
# shows), compares it with scikit-learn, and tells you what is wrong when it is. Until you write your
# answer, the check says *not attempted*; the rest of the notebook still runs, because it never uses
# your functions — it uses scikit-learn's. As with any library function, yours must leave their arguments
# as they are (no in-place changes such as `y.sort()` or `y_true -= y_pred`) and compute floats in float64.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes, make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split

import dlpractice.course.notebooks
from dlpractice.checks import lab00 as check

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer trees and fewer repeats
SEED = 0
N_TREES = 50 if QUICK else 300  # trees in each random forest
N_REPEATS = 8 if QUICK else 30  # train/test splits in the last section

# %% [markdown]
# ## 1. Regression: three models on the diabetes table
#
# The diabetes table ships with scikit-learn (no download). Each of its 442 rows is a patient: ten
# baseline measurements (age, sex, body-mass index, blood pressure and six blood-serum values, all
# already centred and scaled), and the **target**: a number that measures how far the disease has
# progressed one year later (from 25 to 346). We want to predict the target from the measurements.
#
# First rule of honest evaluation: **hold out a test set** that no model sees while it learns.

# %%
diabetes = load_diabetes()
X, y = diabetes.data, diabetes.target
print("features:", diabetes.feature_names)
print("X:", X.shape, " y:", y.shape, f" target from {y.min():.0f} to {y.max():.0f}, mean {y.mean():.1f}")

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
print(f"{len(y_train)} training rows, {len(y_test)} test rows")

# %% [markdown]
# ### Two scores for regression
#
# With $y_i$ the measured values and $\hat y_i$ the predictions, over $n$ samples:
#
# - the **mean squared error** $\mathrm{MSE} = \frac{1}{n}\sum_i (y_i - \hat y_i)^2$ — in squared target
#   units, 0 for perfect predictions, the lower the better;
# - the **coefficient of determination** $R^2 = 1 - \frac{SS_\text{res}}{SS_\text{tot}}$ with
#   $SS_\text{res} = \sum_i (y_i - \hat y_i)^2$ and $SS_\text{tot} = \sum_i (y_i - \bar y)^2$, where $\bar y$ is
#   the mean of the measured values. $R^2 = 1$ is perfect, $R^2 = 0$ is no better than always
#   predicting $\bar y$, and $R^2 < 0$ is *worse* than that. It has no units, so it compares across problems.
#
# **Exercise 1.** Write `mse(y_true, y_pred)`: both are 1-D NumPy arrays of the same length (`y_true` may hold
# integers, `y_pred` floats; the values may be large, such as 1e8 + a few units); return one number.

# %%
def mse(y_true, y_pred):
    ### BEGIN SOLUTION
    # TODO: return the mean over the samples of (y_true - y_pred) squared
    return np.mean((y_true - y_pred) ** 2)
    ### END SOLUTION


check.mse(mse)

# %% [markdown]
# **Exercise 2.** Write `r2(y_true, y_pred)` from the formula above (not with `r2_score`).
#
# The arrays are as in exercise 1, with at least two samples. Compute $SS_\text{tot}$ from the deviations
# $y_i - \bar y$ as written: the shortcut $\sum_i y_i^2 - n\bar y^2$ loses every digit when the values are
# large and close together (around 1e8, say). One edge case: when every value of `y_true` is the same,
# $SS_\text{tot} = 0$ and the formula divides by zero. Do what scikit-learn does: return `1.0` if the
# predictions are perfect ($SS_\text{res} = 0$) and `0.0` otherwise.

# %%
def r2(y_true, y_pred):
    ### BEGIN SOLUTION
    # TODO: SS_res = sum of squared errors, SS_tot = sum of squared distances of y_true to its mean;
    # TODO: return 1 - SS_res / SS_tot (and handle SS_tot == 0 as scikit-learn does)
    ss_res = np.sum((y_true - y_pred) ** 2)
    ss_tot = np.sum((y_true - y_true.mean()) ** 2)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1 - ss_res / ss_tot
    ### END SOLUTION


check.r2(r2)

# %% [markdown]
# From here on we use scikit-learn's `mean_squared_error` and `r2_score`. Now the three models:
#
# - **linear regression**: the target is a weighted sum of the features plus a constant;
# - **random forest**: many deep decision trees, each grown on a bootstrap sample of the rows (and random
#   subsets of the features), whose predictions are averaged;
# - **gradient boosting**: shallow trees added one after the other, each one fitted to the errors the
#   previous ones still make.
#
# We score each on the rows it was trained on *and* on the test rows.

# %%
models = {
    "linear regression": LinearRegression(),
    "random forest": RandomForestRegressor(n_estimators=N_TREES, random_state=SEED),
    "gradient boosting": GradientBoostingRegressor(random_state=SEED),
}
scores = {}
print(f"{'model':<20}{'train R²':>10}{'test R²':>10}{'test MSE':>10}")
for name, model in models.items():
    model.fit(X_train, y_train)
    train_pred, test_pred = model.predict(X_train), model.predict(X_test)
    scores[name] = {"train": r2_score(y_train, train_pred), "test": r2_score(y_test, test_pred),
                    "mse": mean_squared_error(y_test, test_pred), "prediction": test_pred}
    print(f"{name:<20}{scores[name]['train']:>10.3f}{scores[name]['test']:>10.3f}{scores[name]['mse']:>10.0f}")

# %% [markdown]
# A number hides a lot: plot **measured against predicted** values. A perfect model puts every point
# on the dashed diagonal.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharex=True, sharey=True)
low, high = y.min(), y.max()
for ax, (name, s) in zip(axes, scores.items()):
    ax.scatter(y_test, s["prediction"], s=18, alpha=0.7, edgecolors="k", linewidths=0.3)
    ax.plot([low, high], [low, high], "k--", lw=1, label="perfect prediction")
    ax.set_title(f"{name}\ntest R² = {s['test']:.2f}, MSE = {s['mse']:.0f}")
    ax.set_xlabel("measured disease progression")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("predicted disease progression")
axes[0].legend(loc="upper left")
fig.suptitle(f"Diabetes: measured vs predicted on the {len(y_test)} test patients")
fig.tight_layout()
plt.show()

# %% [markdown]
# All three models pull their predictions towards the middle: they over-predict the mildest cases and
# under-predict the worst. The ten measurements simply do not determine the target well — an R²
# around 0.3–0.5 is typical for this table.
#
# Now compare **train** and **test** scores. A model whose training score is far above its test score
# has learned the training rows, noise included, rather than a rule that carries over: it
# **overfits**.

# %%
fig, ax = plt.subplots(figsize=(7, 4))
positions = np.arange(len(scores))
train_bars = ax.bar(positions - 0.2, [s["train"] for s in scores.values()], width=0.4, label="train")
test_bars = ax.bar(positions + 0.2, [s["test"] for s in scores.values()], width=0.4, label="test")
ax.bar_label(train_bars, fmt="%.2f")
ax.bar_label(test_bars, fmt="%.2f")
ax.set_xticks(positions, list(scores))
ax.set_ylabel("R²")
ax.set_ylim(0, 1.05)
ax.set_title("Train vs test R²: a large gap means overfitting")
ax.legend()
ax.grid(axis="y", alpha=0.3)
plt.show()

# %% [markdown]
# The random forest scores around 0.9 on the rows it has seen and far less on new ones: its deep trees
# memorise the training patients. Gradient boosting shows a similar gap. The humble linear regression,
# with only eleven numbers to fit, has a much smaller gap — and, on this small, noisy table, the best
# test score. (Its test score is lower than its training score too: a model always looks best on the
# rows it was fitted to, and some gap is normal.) Lessons to keep for the
# whole course: **always start with a simple baseline**, and **never judge a model on its training data**.
#
# (One split of 442 rows is a small sample: sections 4 and 5 measure how much these scores move.)

# %% [markdown]
# ## 2. Making a random model repeatable
#
# A random forest is random twice: each tree sees a bootstrap sample of the rows, and each split
# considers a random subset of the features. Fit the same forest twice without fixing the randomness
# and you get two different models.

# %%
unseeded = [RandomForestRegressor(n_estimators=N_TREES).fit(X_train, y_train).predict(X_test) for _ in range(2)]
seeded = [RandomForestRegressor(n_estimators=N_TREES, random_state=SEED).fit(X_train, y_train).predict(X_test)
          for _ in range(2)]

print("without random_state: same predictions?", np.array_equal(*unseeded),
      f"— largest difference {np.abs(unseeded[0] - unseeded[1]).max():.1f},",
      f"test R² {r2_score(y_test, unseeded[0]):.4f} vs {r2_score(y_test, unseeded[1]):.4f}")
print("with random_state=0:  same predictions?", np.array_equal(*seeded),
      f"— largest difference {np.abs(seeded[0] - seeded[1]).max():.1f}")

# %% [markdown]
# `random_state` fixes the random numbers the model draws, so the same code on the same data gives
# the very same model. Seed everything that draws random numbers — the split (`train_test_split(...,
# random_state=...)`), the model, NumPy (`np.random.default_rng(seed)`), and later PyTorch
# (`torch.manual_seed`) — and write the seed down with your results. Repeatable is not the same as
# *reliable*, though: section 5 comes back to this.

# %% [markdown]
# ## 3. Classification on an imbalanced data set: when accuracy lies
#
# Many real problems are imbalanced: a rare disease, a fraudulent payment, a defective part. We
# generate such a problem: 2,000 samples with six features, only about 5 % of them in the positive
# class 1. We split it **stratified**, so that train and test keep the same share of positives.

# %%
Xc, yc = make_classification(n_samples=2000, n_features=6, n_informative=3, n_redundant=0, n_clusters_per_class=1,
                             weights=[0.95, 0.05], class_sep=0.8, random_state=SEED)
Xc_train, Xc_test, yc_train, yc_test = train_test_split(Xc, yc, test_size=0.3, stratify=yc, random_state=SEED)
print("samples per class:", np.bincount(yc), f"— {yc.mean():.1%} positive")
print("test set:", np.bincount(yc_test))

# %% [markdown]
# **Exercise 3.** The simplest "model" ignores the features and always predicts the most frequent
# class. Write `majority_accuracy(y)`: the accuracy of that baseline on the labels `y` (a 1-D array of
# non-negative integer labels, with any number of classes; the most frequent one is not necessarily 0).

# %%
def majority_accuracy(y):
    ### BEGIN SOLUTION
    # TODO: find how often the most frequent label occurs, as a fraction of len(y)
    _, counts = np.unique(y, return_counts=True)
    return counts.max() / len(y)
    ### END SOLUTION


check.majority_accuracy(majority_accuracy)

# %% [markdown]
# Over 94 % accuracy without looking at a single feature. Keep that number in mind: on this data, a
# model is only interesting if it beats it. Now a logistic regression, as is, and with
# `class_weight="balanced"`, which weighs each training sample inversely to the size of its class
# (here a positive counts about 18 times as much as a negative), so that missing the rare class costs
# as much as missing the common one.

# %%
classifiers = {
    "majority baseline": DummyClassifier(strategy="most_frequent"),
    "logistic regression": LogisticRegression(),
    "logistic regression + class weights": LogisticRegression(class_weight="balanced"),
}
predictions = {name: clf.fit(Xc_train, yc_train).predict(Xc_test) for name, clf in classifiers.items()}
print(f"{'model':<37}{'accuracy':>10}{'precision':>11}{'recall':>8}{'F1':>7}")
for name, pred in predictions.items():
    print(f"{name:<37}{accuracy_score(yc_test, pred):>10.3f}{precision_score(yc_test, pred, zero_division=0):>11.3f}"
          f"{recall_score(yc_test, pred):>8.3f}{f1_score(yc_test, pred, zero_division=0):>7.3f}")

# %% [markdown]
# By accuracy, the plain logistic regression is about as good as the baseline, and the balanced one is
# the worst of the three. The other columns tell a different story. They come from the
# **confusion matrix**, which counts, for the positive class 1:
#
# |  | predicted 0 | predicted 1 |
# |---|---|---|
# | **truly 0** | true negatives (tn) | false positives (fp) |
# | **truly 1** | false negatives (fn) | true positives (tp) |
#
# This is scikit-learn's layout: rows are the true classes, columns the predicted ones, so
# `confusion_matrix(y_true, y_pred)` is `[[tn, fp], [fn, tp]]`.
#
# **Exercise 4.** Write `confusion_counts(y_true, y_pred)` for labels 0/1 (integer arrays): return the four
# counts `(tn, fp, fn, tp)`, as integers, in the order of `confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()`.
# Count all four even when a class never appears in `y_true` or `y_pred`.

# %%
def confusion_counts(y_true, y_pred):
    ### BEGIN SOLUTION
    # TODO: count each combination of true label and predicted label; return (tn, fp, fn, tp)
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tp = np.sum((y_true == 1) & (y_pred == 1))
    return tn, fp, fn, tp
    ### END SOLUTION


check.confusion_counts(confusion_counts)

# %% [markdown]
# From those counts, for the positive class:
#
# - **precision** $= \frac{tp}{tp + fp}$: of the samples the model flags as positive, the share that truly are;
# - **recall** $= \frac{tp}{tp + fn}$: of the truly positive samples, the share the model finds;
# - **F1** $= \frac{2 \cdot \text{precision} \cdot \text{recall}}{\text{precision} + \text{recall}}$, their
#   harmonic mean: high only when both are.
#
# **Exercise 5.** Write `precision_recall_f1(cm)`, where `cm` is a 2×2 confusion matrix in
# scikit-learn's layout `[[tn, fp], [fn, tp]]`; return `(precision, recall, f1)` for class 1. When a
# denominator is 0 — the model never predicts 1, so $tp + fp = 0$; or there is no positive sample, so
# $tp + fn = 0$ — that score is 0, as with scikit-learn's `zero_division=0`; and F1 is 0 when
# precision + recall = 0.

# %%
def precision_recall_f1(cm):
    ### BEGIN SOLUTION
    # TODO: read tn, fp, fn, tp from cm; compute precision, recall and F1, using 0 where a denominator is 0
    (tn, fp), (fn, tp) = cm
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1
    ### END SOLUTION


check.precision_recall_f1(precision_recall_f1)

# %% [markdown]
# scikit-learn computes all of this for you. Here is the plain logistic regression's confusion matrix,
# then the three confusion matrices side by side.

# %%
print("plain logistic regression, [[tn, fp], [fn, tp]]:")
print(confusion_matrix(yc_test, predictions["logistic regression"]))

fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
for ax, (name, pred) in zip(axes, predictions.items()):
    ConfusionMatrixDisplay.from_predictions(yc_test, pred, ax=ax, colorbar=False, cmap="Blues")
    ax.set_title(f"{name}\naccuracy {accuracy_score(yc_test, pred):.3f}, "
                 f"F1 {f1_score(yc_test, pred, zero_division=0):.2f}")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
fig.suptitle(f"Imbalanced test set: {np.sum(yc_test == 0)} negatives, {np.sum(yc_test == 1)} positives")
fig.tight_layout()
plt.show()

# %% [markdown]
# - The **baseline** never predicts 1: accuracy above 0.94, recall 0, F1 0. It finds none of the cases we care about.
# - The **plain logistic regression** barely leaves the baseline: it flags a handful of samples and misses most
#   positives. Its accuracy is high because almost everything is negative.
# - With **class weights** the model finds most of the positives (high recall), at the price of many false
#   alarms (lower precision), so its accuracy *drops* — yet its F1 is the best here.
#
# Class weights do not make a model better in general: they move it along the precision–recall
# trade-off, much as lowering the decision threshold would. On other data (try `class_sep=1.5` in
# `make_classification`) the plain model already finds most positives and the weights lower its F1.
# Choose the score that matches what an error costs you; on imbalanced data, **never accuracy alone** —
# report the confusion matrix, or precision, recall and F1 of the rare class.

# %% [markdown]
# ## 4. k-fold cross-validation
#
# A single train/test split leaves much to chance: which patients landed in the test set. **k-fold
# cross-validation** uses every sample for testing once. It cuts the data into $k$ folds; for each
# fold, it trains on the other $k - 1$ folds and tests on that one; it reports the mean of the $k$
# scores, and their spread.
#
# **Exercise 6.** Write `kfold_indices(n_samples, k)` that returns a list of $k$ pairs
# `(train_indices, test_indices)` (1-D integer arrays), exactly the folds of `KFold(n_splits=k)` without
# shuffling: fold $i$ tests the $i$-th block of consecutive indices and trains on all the others. When
# $k$ does not divide `n_samples`, the first `n_samples % k` folds get one extra sample each
# (`KFold(3)` on 10 samples tests on 4, 3 and 3 samples). You may assume $2 \le k \le$ `n_samples`.

# %%
def kfold_indices(n_samples, k):
    ### BEGIN SOLUTION
    # TODO: fold sizes are n_samples // k, plus one for the first n_samples % k folds;
    # TODO: for each fold, test = its block of consecutive indices, train = every other index
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    folds, start = [], 0
    for size in sizes:
        test = np.arange(start, start + size)
        train = np.concatenate([np.arange(0, start), np.arange(start + size, n_samples)])
        folds.append((train, test))
        start += size
    return folds
    ### END SOLUTION


check.kfold_indices(kfold_indices)

# %% [markdown]
# Here are the folds of `KFold` on 23 samples, with and without shuffling. Without shuffling, the folds
# follow the order of the rows — dangerous when the rows are sorted (by date, by class, by patient), so
# with real data shuffle, with a seed.

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 3))
for ax, shuffle in zip(axes, (False, True)):
    splitter = KFold(n_splits=5, shuffle=shuffle, random_state=SEED if shuffle else None)
    grid = np.zeros((5, 23))
    for fold, (_, test) in enumerate(splitter.split(np.zeros(23))):
        grid[fold, test] = 1
    ax.imshow(grid, cmap="coolwarm", aspect="auto", vmin=0, vmax=1)
    ax.set_yticks(range(5), [f"fold {i}" for i in range(5)])
    ax.set_xlabel("sample index")
    ax.set_title(f"KFold(5, shuffle={shuffle}): red = test, blue = train")
fig.tight_layout()
plt.show()

# %% [markdown]
# `cross_val_score` does the loop for us. We compare the three regression models on the *whole*
# diabetes table, with 5 shuffled folds, and report **mean ± standard deviation** of the test R².

# %%
cv = KFold(n_splits=5, shuffle=True, random_state=SEED)
cv_scores = {name: cross_val_score(model, X, y, cv=cv, scoring="r2") for name, model in models.items()}
for name, fold_scores in cv_scores.items():
    print(f"{name:<20} R² = {fold_scores.mean():.3f} ± {fold_scores.std():.3f}   folds: {np.round(fold_scores, 2)}")

fig, ax = plt.subplots(figsize=(7, 4))
for i, (name, fold_scores) in enumerate(cv_scores.items()):
    ax.scatter(np.full(len(fold_scores), i), fold_scores, color="grey", alpha=0.7, label="one fold" if i == 0 else None)
    ax.errorbar(i + 0.15, fold_scores.mean(), yerr=fold_scores.std(), fmt="o", color="C3", capsize=6,
                label="mean ± std" if i == 0 else None)
ax.set_xticks(range(len(cv_scores)), list(cv_scores))
ax.set_ylabel("test R² of the fold")
ax.set_title("Diabetes: 5-fold cross-validation")
ax.grid(axis="y", alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# The fold scores spread widely: the standard deviation is of the same size as the differences
# between the models. With so little data, "model A beats model B by 0.02" means nothing.
#
# For classification, and imbalanced data above all, use `StratifiedKFold`: each fold keeps the share
# of each class (with 5 % positives, a plain fold could get very few). It is what `cross_val_score` uses
# by default for a classifier when you pass `cv=5`.

# %%
f1_folds = cross_val_score(LogisticRegression(class_weight="balanced"), Xc, yc, scoring="f1",
                           cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED))
print(f"balanced logistic regression: F1 = {f1_folds.mean():.3f} ± {f1_folds.std():.3f} over 5 stratified folds")

# %% [markdown]
# ## 5. Floating-point surprises, and why one seed is not enough
#
# Computers store floats in binary, with 53 significant bits. Most decimal fractions — 0.1, 0.2,
# 0.3 — have no exact binary form, so each is stored rounded, and the roundings do not cancel.

# %%
print("0.1 + 0.2 == 0.3 ?", 0.1 + 0.2 == 0.3)
print("0.1 + 0.2 =", repr(0.1 + 0.2))
print(f"0.1 is stored as {0.1:.25f}")
print("math.isclose(0.1 + 0.2, 0.3):", math.isclose(0.1 + 0.2, 0.3))
print("np.isclose(0.1 + 0.2, 0.3):  ", np.isclose(0.1 + 0.2, 0.3))

# %% [markdown]
# Rounding also makes addition depend on the **order**: the same numbers summed in another order give
# a slightly different total. Parallel code (several CPU threads, a GPU) does not always add in the
# same order, so two runs of the same program can differ in the last digits. Compare results with a
# tolerance, never with `==`.

# %%
values = np.random.default_rng(SEED).normal(size=100_000).astype(np.float32)
print("sum in index order:   ", float(np.cumsum(values)[-1]))
print("sum in sorted order:  ", float(np.cumsum(np.sort(values))[-1]))
print("NumPy's pairwise sum: ", float(values.sum()))
print("exact (math.fsum):    ", math.fsum(values.astype(np.float64)))

# %% [markdown]
# `math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)` says whether
# $|a - b| \le \max(\text{rel\_tol} \cdot \max(|a|, |b|),\ \text{abs\_tol})$: a tolerance **relative** to the
# size of the numbers, with an optional **absolute** floor for numbers near 0 (relative to 0, nothing
# but 0 is close). Beware: `np.isclose(a, b)` is a different test, $|a - b| \le \text{atol} + \text{rtol}\cdot|b|$,
# with `atol=1e-8` by default — so it calls `1e-12` and `2e-12` close, though one is twice the other:

# %%
print("np.isclose(1e-12, 2e-12):  ", np.isclose(1e-12, 2e-12))
print("math.isclose(1e-12, 2e-12):", math.isclose(1e-12, 2e-12))

# %% [markdown]
# **Exercise 7.** Write `is_close(a, b, rel_tol=1e-9, abs_tol=0.0)` that returns `True` or `False`
# exactly as `math.isclose` does (without calling it). Mind negative numbers, numbers near zero, the
# order of `a` and `b` (`is_close(a, b)` must equal `is_close(b, a)`), and infinities: an infinity is close only
# to itself, and `nan` to nothing.

# %%
def is_close(a, b, rel_tol=1e-9, abs_tol=0.0):
    ### BEGIN SOLUTION
    # TODO: equal numbers (two equal infinities too) are close; any other infinity is not; else compare |a - b| with
    # TODO: the larger of rel_tol * max(|a|, |b|) and abs_tol
    if a == b:  # also two equal infinities, for which a - b is nan
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol)
    ### END SOLUTION


check.is_close(is_close)

# %% [markdown]
# ### Why one seed is not enough
#
# In section 2 the seed made a result *repeatable*. But the result you repeat depends on the seed you
# happened to pick — for the model and, even more, for the split. Let us redo section 1 on many
# different train/test splits and look at how far the test R² moves.

# %%
repeats = {name: [] for name in models}
for split_seed in range(N_REPEATS):
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=split_seed)
    for name, model in models.items():
        repeats[name].append(r2_score(yb, model.fit(Xa, ya).predict(Xb)))
wins = np.mean(np.argmax([repeats[name] for name in models], axis=0) == 0)
for name, r2s in repeats.items():
    print(f"{name:<20} test R² from {min(r2s):.2f} to {max(r2s):.2f}, mean {np.mean(r2s):.3f} ± {np.std(r2s):.3f}")
print(f"linear regression has the best test R² on {wins:.0%} of the {N_REPEATS} splits")

fig, ax = plt.subplots(figsize=(8, 4.5))
jitter = np.random.default_rng(SEED).uniform(-0.08, 0.08, N_REPEATS)
for i, (name, r2s) in enumerate(repeats.items()):
    ax.scatter(i + jitter, r2s, alpha=0.7, label="one split" if i == 0 else None, color=f"C{i}")
    ax.hlines(np.mean(r2s), i - 0.25, i + 0.25, color="k", label="mean over the splits" if i == 0 else None)
ax.axhline(scores["linear regression"]["test"], color="grey", ls=":",
           label="linear regression on the split of section 1")
ax.set_xticks(range(len(repeats)), list(repeats))
ax.set_ylabel("test R²")
ax.set_title(f"Diabetes: test R² over {N_REPEATS} random train/test splits")
ax.grid(axis="y", alpha=0.3)
ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
# One split can make a model look better or worse than it is by more than the gap between models.
# So: **fix seeds to make a run repeatable; vary them to learn how much a result is worth.** Report
# mean ± standard deviation over folds or seeds, and only trust differences larger than the spread.
#
# ## What to remember
#
# - Judge models on held-out data; a large train–test gap is overfitting. Start with a simple baseline.
# - R² compares with predicting the mean; MSE is in squared units of the target.
# - On imbalanced data, accuracy hides a useless model: look at the confusion matrix, precision,
#   recall and F1 of the rare class. Class weights trade precision for recall.
# - Cross-validation gives a mean *and* a spread; stratify folds for classification.
# - Floats are rounded: compare with `math.isclose` (mind `np.isclose`'s absolute tolerance).
# - Seeds make runs repeatable; several seeds tell you whether a difference is real.
#
# The same comparisons run from the command line, writing metrics, figures and a report to a run
# folder: `dlpractice run ml-refresher`.
