"""Checks for lab 00 (ml-refresher): `from dlpractice.checks import lab00 as check`, then `check.NAME(answer)`.

Each check runs the answer on several cases, including some the notebook did not show (perfect
predictions, a constant target, all zeros, a single sample, integer targets, values around 1e8 where float32
or the one-pass variance Σy² − nȳ² lose all precision, a class that is never predicted, tp = 0 with both
denominators non-zero, fold counts that do not divide the number of samples, numbers near zero or negative,
values exactly on a tolerance, infinities and NaN), compares it with what scikit-learn (or `math`)
computes, and when the wrong value is a classic mistake (R² around 0 instead of the mean, MAE instead
of MSE, precision and recall swapped, the wrong positive class, overlapping folds, `==` on floats)
says which. Every call goes through `core.attempt`, so an answer that changes its arguments in place
(`y.sort()`, `y_true -= y_pred`, `cm[cm == 0] = 1`) fails too: none of these exercises may change its inputs.
Conventions follow scikit-learn: a 0/0 in precision, recall or F1 is 0 (`zero_division=0`);
R² of a constant target is 1.0 for perfect predictions and 0.0 otherwise.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import confusion_matrix, mean_squared_error, precision_recall_fscore_support, r2_score
from sklearn.model_selection import KFold

from dlpractice.checks.core import CheckFailed, as_bool, attempt, dtype_name, exercise, expect, expect_close

__all__ = ["mse", "r2", "majority_accuracy", "confusion_counts", "precision_recall_f1", "kfold_indices", "is_close"]


# --------------------------------------------------------------------------- helpers

def answer(fn: Callable, *args: Any, case: str, hint: str = "", **kwargs: Any) -> Any:
    """`attempt` (which fails an answer that changes its arguments: none of this lab's exercises may) on copies
    of the array arguments, so that the next case starts from intact data; `hint` is added to any failure."""
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        return attempt(fn, *args, case=case, **kwargs)
    except CheckFailed as failure:
        text = str(failure)
        raise CheckFailed(f"{text}{'' if text.endswith('.') else '.'} Hint: {hint}" if hint else text) from None


def close(a: Any, b: Any, atol: float = 1e-6, rtol: float = 1e-6) -> bool:
    """Same shape and values, NaN equal to NaN (for recognising a known answer; never raises)."""
    try:
        a_, b_ = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a_.shape == b_.shape and bool(np.allclose(a_, b_, atol=atol, rtol=rtol, equal_nan=True))


def numbers_of(got: Any, case: str, what: str) -> np.ndarray:
    """The answer as a float array, or a CheckFailed saying what was expected instead."""
    if got is None:
        raise CheckFailed(f"case '{case}': got None — did you forget to return the result?")
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"case '{case}': expected {what}, got {type(got).__name__} {got!r}.") from None


def expect_float64(got: Any, case: str) -> None:
    """A float result computed from float64 data keeps float64 precision (a Python float does; np.longdouble is
    finer still): float32 or float16 lose digits on the way."""
    dtype = getattr(got, "dtype", None)
    if dtype is not None and dtype_name(dtype) in ("float32", "float16", "bfloat16"):
        raise CheckFailed(f"case '{case}': float64 in, {dtype_name(dtype)} out; compute in float64 "
                          "(no `.astype(np.float32)` or `torch.float32` on the way)")


def compare(got: Any, expected: Any, case: str, mistakes: list[tuple[Any, str]], hint: str,
            what: str = "a number") -> None:
    """Pass if `got` ≈ `expected`; else name the first known mistake it matches; else say how it differs."""
    numbers_of(got, case, what)
    if close(got, expected):
        return
    for value, mistake in mistakes:
        if close(got, value):
            raise CheckFailed(f"case '{case}': expected {fmt(expected)}, got {fmt(got)}. Hint: {mistake}")
    expect_close(got, expected, case, hint, atol=1e-6, rtol=1e-6)


def fmt(value: Any) -> str:
    array = np.asarray(value, dtype=float)
    return f"{array.item():.6g}" if array.ndim == 0 else "(" + ", ".join(f"{v:.6g}" for v in array.ravel()) + ")"


# --------------------------------------------------------------------------- regression metrics

# Values around 1e8 with errors of about 1: float32 (spacing 8 there) rounds the errors away, and the one-pass
# variance Σy² − nȳ² subtracts two numbers near 4e17 whose difference is about 40. Float64 and the formulas as
# written (deviations first, then squares) keep every digit that matters.
LARGE = ("with values around 1e8 and differences of about 1, float32 or the shortcut Σy² − n·ȳ² lose all precision: "
         "compute in float64 (the arrays' own dtype), from the differences first, then square them.")


def large_offset_cases(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = 1e8 + rng.normal(0, 1, 40)
    return y, y + rng.normal(0, 0.5, 40)


@exercise("mse")
def mse(fn: Callable) -> None:
    """`fn(y_true, y_pred)` -> the mean squared error, as `sklearn.metrics.mean_squared_error`.

    1-D NumPy arrays of the same length, floats or integers; one number back (float64 for float64 data)."""
    rng = np.random.default_rng(0)
    y = rng.normal(150, 50, 40)
    cases = [
        ("40 noisy predictions", y, y + rng.normal(8, 30, 40), ""),
        ("errors that cancel (-2, +2, -1, +1)", np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 0.0, 4.0, 3.0]), ""),
        ("perfect predictions", y, y.copy(), ""),
        ("a single sample", np.array([2.0]), np.array([5.0]), ""),
        ("all zeros (a = b = 0)", np.zeros(5), np.zeros(5), ""),
        # an integer y_true must not make the squared errors integers (a buffer from np.zeros_like(y_true))
        ("integer targets, float predictions", np.array([3, 1, 4, 1, 5]), np.array([2.5, 1.5, 3.2, 0.4, 5.9]),
         "y_true may hold integers: keep the squared errors as floats (np.zeros_like(y_true) is an integer array)."),
        ("values around 1e8", *large_offset_cases(10), LARGE),
    ]
    for case, y_true, y_pred, hint in cases:
        got = answer(fn, y_true, y_pred, case=case)
        expect_float64(got, case)
        d = y_true - y_pred
        compare(got, mean_squared_error(y_true, y_pred), case, [
            (np.mean(d), "square each error before averaging, or positive and negative errors cancel out."),
            (np.mean(d) ** 2, "square each error, then average — not average the errors, then square."),
            (np.mean(np.abs(d)), "that is the mean *absolute* error (MAE): square the errors instead."),
            (np.sum(d ** 2), "take the mean of the squared errors, not their sum (divide by the number of samples)."),
            (np.sqrt(np.mean(d ** 2)), "that is the root mean squared error (RMSE): do not take the square root."),
        ], hint=hint or "MSE = mean over the samples of (y_true - y_pred)².")


CONSTANT_TARGET = ("when every y_true is the same, SS_tot = 0 and 1 - SS_res/SS_tot is 0/0 or -inf: "
                   "follow scikit-learn and return 1.0 if the predictions are perfect (SS_res = 0), else 0.0.")


@exercise("r2")
def r2(fn: Callable) -> None:
    """`fn(y_true, y_pred)` -> the coefficient of determination, as `sklearn.metrics.r2_score`.

    1-D NumPy arrays of the same length (at least two samples), floats or integers; one number back."""
    rng = np.random.default_rng(1)
    y = rng.normal(150, 50, 40)
    cases = [
        ("40 noisy predictions", y, y + rng.normal(0, 30, 40), ""),
        ("perfect predictions", y, y.copy(), ""),
        ("always predicting the mean of y_true", y, np.full_like(y, y.mean()), ""),
        ("predictions shifted by +20", y, y + 20, ""),
        ("predictions worse than the mean", np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 3.0, 2.0, 1.0]), ""),
        ("a constant target, perfect predictions", np.full(5, 3.0), np.full(5, 3.0), CONSTANT_TARGET),
        ("a constant target, imperfect predictions", np.full(5, 3.0), np.array([3.0, 2.0, 4.0, 3.0, 3.5]),
         CONSTANT_TARGET),
        ("all zeros (a = b = 0)", np.zeros(4), np.zeros(4), CONSTANT_TARGET),
        ("a target of zeros, predictions not zero", np.zeros(4), np.array([0.0, 1.0, -1.0, 0.5]), CONSTANT_TARGET),
        ("integer targets, float predictions", np.array([3, 1, 4, 1, 5]), np.array([2.5, 1.5, 3.2, 0.4, 5.9]),
         "y_true may hold integers: keep the squared errors as floats (np.zeros_like(y_true) is an integer array)."),
        ("two samples", np.array([1.0, 3.0]), np.array([1.5, 2.0]), ""),
        ("values around 1e8", *large_offset_cases(11), LARGE),
    ]
    for case, y_true, y_pred, hint in cases:
        got = answer(fn, y_true, y_pred, case=case, hint=hint)
        expect_float64(got, case)
        ss_res = np.sum((y_true - y_pred) ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            ss_tot = np.sum((y_true - y_true.mean()) ** 2)
            correlation = np.corrcoef(y_true, y_pred)[0, 1] if np.std(y_true) * np.std(y_pred) > 0 else np.nan
            mistakes = [
                (1 - ss_res / np.sum(y_true ** 2), "SS_tot is the spread of y_true around its *mean*: "
                 "sum((y_true - y_true.mean())**2), not sum(y_true**2)."),
                (ss_res / ss_tot, "R² = 1 - SS_res/SS_tot: you returned SS_res/SS_tot."),
                (1 - ss_tot / ss_res, "the squared errors of the predictions (SS_res) go on top: 1 - SS_res/SS_tot."),
                (1 - ss_res / np.sum((y_true - y_pred.mean()) ** 2), "SS_tot uses the mean of y_true, not of y_pred."),
                (correlation ** 2, "R² is not the squared correlation: predictions off by a constant are perfectly "
                 "correlated with y_true, yet wrong. Use 1 - SS_res/SS_tot."),
            ]
        # with a constant target the classic mistakes degenerate (1 - SS_tot/SS_res is 1), and around 1e8 rounding
        # makes any wrong value look like one (1 - SS_res/Σy² ≈ 1): there only the case's own hint is right
        if hint in (CONSTANT_TARGET, LARGE):
            mistakes = []
        compare(got, r2_score(y_true, y_pred), case, mistakes,
                hint=hint or ("R² = 1 - SS_res/SS_tot with SS_res = Σ(y_true - y_pred)², "
                              "SS_tot = Σ(y_true - mean(y_true))²."))


# --------------------------------------------------------------------------- classification metrics

@exercise("majority_accuracy")
def majority_accuracy(fn: Callable) -> None:
    """`fn(y)` -> the accuracy on `y` (non-negative integer labels, any number of classes) of always predicting its
    most frequent label (DummyClassifier's most_frequent)."""
    rng = np.random.default_rng(2)
    cases = [
        ("95 of class 0, 5 of class 1", np.array([0] * 95 + [1] * 5)),
        ("three classes, the largest is 1", np.array([0] * 30 + [1] * 50 + [2] * 20)),
        ("the majority class is 1", np.array([0] * 30 + [1] * 70)),
        ("labels 3 and 7", np.array([3] * 4 + [7] * 6)),
        ("a single class", np.array([1] * 12)),
        ("a tie (5 and 5)", np.array([0] * 5 + [1] * 5)),
        ("three classes, the largest is 2", np.array([0] * 20 + [1] * 30 + [2] * 50)),
        # the median (1) and the mean label (about 1) are not the most frequent one (0)
        ("the most frequent label is 0, the middle one is 1", np.array([0] * 40 + [1] * 25 + [2] * 35)),
        ("labels 2 and 1000", np.array([1000] * 6 + [2] * 4)),
        ("a single sample", np.array([4])),
    ]
    for case, y in cases:
        y = rng.permutation(y)
        got = answer(fn, y, case=case)
        labels, counts = np.unique(y, return_counts=True)
        expected = (DummyClassifier(strategy="most_frequent").fit(np.zeros((len(y), 1)), y)
                    .score(np.zeros((len(y), 1)), y))
        compare(got, expected, case, [
            (np.mean(y == 0), "the majority class is not always 0: find the most frequent label "
             "(np.unique(y, return_counts=True) or np.bincount(y))."),
            (counts.min() / len(y), "that is the share of the *least* frequent class; "
             "the baseline predicts the most frequent one."),
            (1 / len(labels), "the baseline always predicts the most frequent class; "
             "it does not guess among the classes at random."),
            (counts.max(), "accuracy is a fraction: divide the count of the majority class by the number of samples."),
        ], hint="always predict the most frequent label; accuracy = (its count) / len(y).")


def binary_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(case, y_true, y_pred) pairs, with 1 the positive class, including ones with a 0/0 in precision or recall."""
    rng = np.random.default_rng(3)
    order = rng.permutation(11)
    y_true = np.array([0] * 7 + [1] * 4)
    y_pred = np.array([0, 0, 0, 0, 0, 1, 1] + [0, 0, 0, 1])  # tn=5, fp=2, fn=3, tp=1: four different counts
    random_true = (rng.random(200) < 0.2).astype(int)
    random_pred = np.where(rng.random(200) < 0.7, random_true, 1 - random_true)
    mixed = np.array([0, 1, 1, 0, 1, 0, 0, 0])
    return [
        ("11 samples, tn=5 fp=2 fn=3 tp=1", y_true[order], y_pred[order]),
        ("200 random samples", random_true, random_pred),
        ("the model never predicts 1", mixed, np.zeros(8, dtype=int)),
        ("no positive sample in y_true", np.zeros(8, dtype=int), np.array([0, 1, 0, 0, 1, 0, 0, 0])),
        ("perfect predictions", mixed, mixed.copy()),
        ("the model always predicts 1", mixed, np.ones(8, dtype=int)),
        ("only class 0, in y_true and in y_pred", np.zeros(6, dtype=int), np.zeros(6, dtype=int)),
        ("only class 1, in y_true and in y_pred", np.ones(5, dtype=int), np.ones(5, dtype=int)),
        # both denominators of precision and recall are non-zero, yet tp = 0: F1 is 0 / 0
        ("tp = 0, with false positives and false negatives", np.array([1, 0, 1, 0, 0]), np.array([0, 1, 0, 0, 1])),
        ("a single sample, truly and predicted 1", np.array([1]), np.array([1])),
    ]


@exercise("confusion_counts")
def confusion_counts(fn: Callable) -> None:
    """`fn(y_true, y_pred)` -> (tn, fp, fn, tp) for labels 0/1, four integers,
    as `confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()`."""
    for case, y_true, y_pred in binary_cases():
        got = answer(fn, y_true, y_pred, case=case)
        matrix = confusion_matrix(y_true, y_pred, labels=[0, 1])
        tn, fp, fn_, tp = matrix.ravel()
        compare(got, (tn, fp, fn_, tp), case, [
            ((tn, fn_, fp, tp), "you swapped fp and fn: a false positive is predicted 1 but truly 0; "
             "a false negative is predicted 0 but truly 1."),
            ((tp, fn_, fp, tn), "class 1 is the positive class: tp counts y_true == 1 and y_pred == 1."),
            ((tp, fp, fn_, tn), "return the counts in the order (tn, fp, fn, tp), "
             "the order of confusion_matrix(...).ravel()."),
            (matrix, "return the four counts (tn, fp, fn, tp), not the 2×2 matrix (.ravel() flattens it)."),
            (matrix.T, "return the four counts (tn, fp, fn, tp), not a 2×2 matrix."),
        ], hint="count all four, even when a class never appears: tn = (y_true == 0) & (y_pred == 0), "
                "fp = (y_true == 0) & (y_pred == 1), fn = (y_true == 1) & (y_pred == 0), tp = both 1.",
           what="four counts (tn, fp, fn, tp)")
        # counts are integers: n * np.mean(...) gives floats such as 2.9999999999999996
        expect(np.asarray(got).dtype.kind in "iu", case, f"got {got!r}: counts are integers; count with "
               "np.sum(...) or np.count_nonzero(...) on boolean masks, not n * np.mean(...).")


ZERO_DIVISION = ("when a denominator is 0 (the model never predicts 1, so tp + fp = 0; or y_true has no 1, "
                 "so tp + fn = 0) return 0 for that score, like scikit-learn's zero_division=0; "
                 "F1 is 0 when precision + recall = 0.")


def safe_ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


@exercise("precision_recall_f1")
def precision_recall_f1(fn: Callable) -> None:
    """`fn(cm)` with cm = [[tn, fp], [fn, tp]] -> (precision, recall, f1) of class 1, with 0/0 read as 0."""
    for case, y_true, y_pred in binary_cases():
        cm = confusion_matrix(y_true, y_pred, labels=[0, 1])
        (tn, fp), (fn_, tp) = cm
        zero_denominator = tp == 0  # then precision, recall or F1 (or all three) is 0 / 0
        got = answer(fn, cm, case=case, hint=ZERO_DIVISION if zero_denominator else "")
        values = numbers_of(got, case, "three numbers (precision, recall, f1)")
        expect(not np.isnan(values).any(), case, f"got {fmt(values)}, which holds NaN. Hint: {ZERO_DIVISION}")
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0)
        p0, r0 = safe_ratio(tn, tn + fn_), safe_ratio(tn, tn + fp)
        compare(got, (p, r, f), case, [
            ((r, p, f), "you swapped precision and recall: precision = tp / (tp + fp) "
             "(of the samples predicted 1, the share truly 1); recall = tp / (tp + fn) "
             "(of the samples truly 1, the share found). fp = cm[0, 1], fn = cm[1, 0]."),
            ((p0, r0, safe_ratio(2 * p0 * r0, p0 + r0)), "class 1 is the positive class: tp = cm[1, 1], not cm[0, 0]."),
            ((p, r, (p + r) / 2), "F1 is the harmonic mean 2·P·R / (P + R), not the arithmetic mean (P + R) / 2."),
        ], hint="with cm = [[tn, fp], [fn, tp]]: precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2·P·R/(P+R); "
                + ZERO_DIVISION, what="three numbers (precision, recall, f1)")


# --------------------------------------------------------------------------- cross-validation

@exercise("kfold_indices")
def kfold_indices(fn: Callable) -> None:
    """`fn(n_samples, k)` -> k pairs (train_indices, test_indices) of 1-D integer arrays, the folds of
    `KFold(n_splits=k)` (no shuffling), for 2 <= k <= n_samples."""
    # uneven sizes where ceil, round and floor differ: (10, 3) floors to 3, rounds to 3, ceils to 4; (19, 10) has
    # nine folds of 2 and one of 1; (2, 2) and (3, 2) are the smallest data sets the text allows
    for n, k in [(10, 5), (11, 3), (10, 3), (7, 7), (5, 2), (103, 10), (19, 10), (2, 2), (3, 2)]:
        case = f"n_samples={n}, k={k}"
        folds = answer(fn, n, k, case=case)
        expect(folds is not None, case, "got None — did you forget to return the list of folds?")
        try:
            folds = [(np.asarray(train), np.asarray(test)) for train, test in folds]
        except (TypeError, ValueError):
            raise CheckFailed(f"case '{case}': expected a list of (train_indices, test_indices) pairs, "
                              f"got {type(folds).__name__}.") from None
        reference = [test for _, test in KFold(n_splits=k).split(np.zeros(n))]
        expect(len(folds) == k, case, f"expected {k} (train, test) pairs, one per fold, got {len(folds)}.")
        # X[test] must select rows: np.argwhere(mask) gives a column (m, 1), which makes X[test] three-dimensional
        shapes = [a.shape for pair in folds for a in pair if a.ndim != 1]
        expect(not shapes, case, f"indices must be 1-D arrays, got one of shape {shapes[:1]}: "
               "np.argwhere gives a column; use np.flatnonzero(mask) or np.arange(start, stop).")
        tests = [test.ravel() for _, test in folds]
        expect(all(a.size == 0 or (np.issubdtype(a.dtype, np.integer) and a.min() >= 0 and a.max() < n)
                   for pair in folds for a in pair), case,
               f"indices must be integers from 0 to {n - 1} (np.arange gives integers).")
        in_tests = np.bincount(np.concatenate(tests).astype(int), minlength=n)
        expect(in_tests.max() <= 1, case,
               f"test folds overlap: sample {int(in_tests.argmax())} is in {in_tests.max()} test folds, "
               "but every sample must be in exactly one. Hint: a slice a[start:stop] stops *before* stop; "
               "the next fold starts at stop.")
        missing = np.flatnonzero(in_tests == 0)
        expect(missing.size == 0, case,
               f"samples {missing.tolist()} are in no test fold: the k test folds must cover all {n} samples, "
               f"the {n % k} left over by n_samples // k too.")
        sizes, expected_sizes = [len(t) for t in tests], [len(t) for t in reference]
        expect(sizes == expected_sizes, case,
               f"test fold sizes are {sizes}, expected {expected_sizes}. Hint: like KFold, give every fold "
               "n_samples // k samples and the first n_samples % k folds one more each (np.array_split does this).")
        for i, ((train, _), test, expected) in enumerate(zip(folds, tests, reference)):
            shared = np.intersect1d(train, test)
            expect(shared.size == 0, case,
                   f"fold {i}: train and test share samples {shared.tolist()[:5]}: "
                   "the model would be tested on samples it learned from (leakage).")
            expect(len(train) == n - len(test) and np.array_equal(np.sort(train), np.setdiff1d(np.arange(n), test)),
                   case, f"fold {i}: train must hold every sample that is not in the test fold, each once.")
            expect(np.array_equal(np.sort(test), expected), case,
                   f"fold {i}: test indices are {np.sort(test).tolist()}, expected {expected.tolist()}. "
                   "Hint: without shuffling, fold i is the i-th block of consecutive indices, "
                   "as KFold(n_splits=k) gives.")


# --------------------------------------------------------------------------- floating point

@exercise("is_close")
def is_close(fn: Callable) -> None:
    """`fn(a, b, rel_tol=1e-9, abs_tol=0.0)` -> True/False (a Python bool or NumPy's np.bool_), as `math.isclose`,
    infinities and NaN included: an infinity is close only to itself, NaN to nothing."""
    absolute = ("a fixed absolute tolerance is wrong for numbers far from 1: "
                "scale the tolerance with the size of the numbers, |a - b| <= rel_tol * max(|a|, |b|).")
    symmetric = ("the answer must not depend on the order of a and b: "
                 "scale rel_tol by max(|a|, |b|), not by |a| or |b| alone.")
    boundary = "a difference exactly equal to the tolerance is close: compare with <=, not <."
    nan = "nan is close to nothing, not even itself (as math.isclose says)."
    cases = [
        ("0.1 + 0.2 vs 0.3", (0.1 + 0.2, 0.3), {}, "0.1 + 0.2 is 0.30000000000000004 in binary floating point: "
         "never compare floats with ==; compare |a - b| with a tolerance."),
        ("1.0 vs 1.1", (1.0, 1.1), {}, "1.0 and 1.1 differ by 10%, far more than rel_tol = 1e-9."),
        ("two equal numbers", (5.0, 5.0), {}, "a number is close to itself."),
        ("large numbers: 1e16 vs 1e16 + 2", (1e16, 1e16 + 2), {}, absolute),
        ("tiny numbers: 1e-12 vs 2e-12", (1e-12, 2e-12), {}, absolute),
        ("negative numbers: -1 vs -1 - 1e-10", (-1.0, -1.0 - 1e-10), {}, "take absolute values: the tolerance is "
         "rel_tol * max(|a|, |b|), and |a - b| is a distance — the numbers can be negative."),
        ("near zero with abs_tol: 1e-20 vs 0", (1e-20, 0.0), {"abs_tol": 1e-12}, "use abs_tol: near zero only "
         "an absolute tolerance can work; close means |a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)."),
        ("near zero without abs_tol: 1e-20 vs 0", (1e-20, 0.0), {}, "with abs_tol = 0 and rel_tol = 1e-9, "
         "only 0 is close to 0: the relative tolerance rel_tol * max(|a|, |b|) shrinks to nothing near zero."),
        ("rel_tol=0.095: 1.0 vs 1.1", (1.0, 1.1), {"rel_tol": 0.095}, symmetric),
        ("rel_tol=0.095: 1.1 vs 1.0", (1.1, 1.0), {"rel_tol": 0.095}, symmetric),
        ("rel_tol=0.05: 1.0 vs 1.1", (1.0, 1.1), {"rel_tol": 0.05},
         "use the rel_tol you are given, not a fixed value."),
        # values exactly on a tolerance (all exact in binary): `<` instead of `<=` fails these
        ("a = b = 0 (integers)", (0, 0), {}, boundary),
        ("exactly on abs_tol: 1.0 vs 1.5, abs_tol=0.5", (1.0, 1.5), {"abs_tol": 0.5}, boundary),
        ("exactly on rel_tol: 1.0 vs 2.0, rel_tol=0.5", (1.0, 2.0), {"rel_tol": 0.5}, boundary),
        ("rel_tol=0.1 and abs_tol=0.1: 1.0 vs 1.15", (1.0, 1.15), {"rel_tol": 0.1, "abs_tol": 0.1},
         "the tolerance is the larger of rel_tol * max(|a|, |b|) and abs_tol, not their sum."),
        # infinities, as math.isclose treats them: only an infinity is close to itself, whatever the tolerances
        ("inf vs inf", (math.inf, math.inf), {}, "an infinity is close to itself (inf - inf is nan, so test a == b "
         "first)."),
        ("-inf vs -inf", (-math.inf, -math.inf), {}, "an infinity is close to itself (inf - inf is nan, so test "
         "a == b first)."),
        ("inf vs -inf", (math.inf, -math.inf), {"abs_tol": 1.0}, "infinities of opposite signs are never close."),
        ("inf vs 1e308", (math.inf, 1e308), {"rel_tol": 0.5}, "an infinity is close to nothing but itself: "
         "rel_tol * inf is inf, so test for infinities before comparing |a - b| with the tolerance."),
        ("-1e308 vs -inf", (-1e308, -math.inf), {}, "an infinity is close to nothing but itself: "
         "rel_tol * inf is inf, so test for infinities before comparing |a - b| with the tolerance."),
        ("nan vs nan", (math.nan, math.nan), {}, nan),
        ("nan vs 1.0, abs_tol=1.0", (math.nan, 1.0), {"abs_tol": 1.0}, nan),
    ]
    for case, (a, b), options, hint in cases:
        got = answer(fn, a, b, case=case, **options)
        try:
            value = as_bool(got, case)
        except CheckFailed as failure:
            raise CheckFailed(f"{failure}. Hint: return True or False (a comparison gives one).") from None
        expected = math.isclose(a, b, **options)
        expect(value == expected, case, f"expected {expected}, got {value}. Hint: {hint}")
