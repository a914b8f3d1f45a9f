"""Lab 00 checks: the reference and a differently written correct answer pass, classic mistakes fail with their hint,
and a stub is 'not attempted'."""

import math
import re

import numpy as np
import pytest

from dlpractice.checks import lab00 as check
from support.exercise_checks import fails, stub

# --------------------------------------------------------------------------- mse

def mse_reference(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def mse_alternative(y_true, y_pred):
    d = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(d @ d) / len(d)


@pytest.mark.parametrize("answer, hint", [
    (lambda t, p: np.mean(t - p), "square each error before averaging"),
    (lambda t, p: np.mean(np.abs(t - p)), "mean *absolute* error (MAE)"),
    (lambda t, p: np.sum((t - p) ** 2), "not their sum"),
    (lambda t, p: np.sqrt(np.mean((t - p) ** 2)), "root mean squared error (RMSE)"),
    (lambda t, p: np.mean(t - p) ** 2, "not average the errors, then square"),
    (lambda t, p: None, "did you forget to return"),
])
def test_mse_mistakes(answer, hint):
    fails(check.mse, answer, match=re.escape(hint))


def test_mse_correct_answers_and_stub():
    assert check.mse(mse_reference) is True
    assert check.mse(mse_alternative) is True
    assert check.mse(stub) is False


# The kinds every check covers (checks/README.md): side effects, inputs the cases never showed, numerics and types.

def mse_in_place(y_true, y_pred):
    y_true -= y_pred  # saves memory, and changes the caller's array
    return np.mean(y_true ** 2)


def mse_integer_buffer(y_true, y_pred):
    squared = np.zeros_like(y_true)  # an integer array when y_true holds integers
    for i in range(len(y_true)):
        squared[i] = (y_true[i] - y_pred[i]) ** 2
    return squared.mean()


def mse_float32_inside(y_true, y_pred):
    d = y_true.astype(np.float32) - y_pred.astype(np.float32)
    return float(np.mean(d * d))


@pytest.mark.parametrize("answer, hint", [
    (mse_in_place, "changed `y_true` in place"),
    (mse_integer_buffer, "y_true may hold integers"),
    (mse_float32_inside, "values around 1e8"),
    (lambda t, p: np.mean((t - p) ** 2).astype(np.float32), "float64 in, float32 out"),
])
def test_mse_kinds(answer, hint):
    fails(check.mse, answer, match=re.escape(hint))


def mse_torch(y_true, y_pred):
    import torch

    t, p = torch.as_tensor(y_true, dtype=torch.float64), torch.as_tensor(y_pred, dtype=torch.float64)
    return torch.mean((t - p) ** 2)  # a float64 0-d tensor is one number too


def mse_loop(y_true, y_pred):
    return sum((a - b) ** 2 for a, b in zip(y_true, y_pred)) / len(y_true)


def mse_longdouble(y_true, y_pred):
    d = np.asarray(y_true, dtype=np.longdouble) - np.asarray(y_pred, dtype=np.longdouble)
    return np.mean(d * d)  # finer than float64: not a loss of precision


def test_mse_correct_answers_written_differently():
    for answer in (mse_torch, mse_loop, mse_longdouble, lambda t, p: np.average(np.square(np.subtract(t, p))).item()):
        assert check.mse(answer) is True


# --------------------------------------------------------------------------- r2

def r2_reference(y_true, y_pred):
    ss_res = np.sum((y_true - y_pred) ** 2)
    ss_tot = np.sum((y_true - y_true.mean()) ** 2)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1 - ss_res / ss_tot


def r2_alternative(y_true, y_pred):
    mse = np.mean((y_true - y_pred) ** 2)
    variance = np.var(y_true)
    if variance == 0:
        return float(mse == 0)
    return 1.0 - mse / variance


def r2_no_constant_case(y_true, y_pred):
    return 1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2)


def r2_python_division(y_true, y_pred):
    return 1 - float(np.sum((y_true - y_pred) ** 2)) / float(np.sum((y_true - y_true.mean()) ** 2))


@pytest.mark.parametrize("answer, hint", [
    (lambda t, p: 1 - np.sum((t - p) ** 2) / np.sum(t ** 2), "around its *mean*"),
    (lambda t, p: np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2), "you returned SS_res/SS_tot"),
    (lambda t, p: 1 - np.sum((t - t.mean()) ** 2) / np.sum((t - p) ** 2), "SS_res) go on top"),
    (lambda t, p: 1 - np.sum((t - p) ** 2) / np.sum((t - p.mean()) ** 2), "mean of y_true, not of y_pred"),
    (lambda t, p: np.corrcoef(t, p)[0, 1] ** 2, "not the squared correlation"),
    (r2_no_constant_case, "SS_tot = 0"),
    (r2_python_division, "ZeroDivisionError"),
    (r2_python_division, "return 1.0 if the predictions are perfect"),
])
def test_r2_mistakes(answer, hint):
    with np.errstate(all="ignore"):
        fails(check.r2, answer, match=re.escape(hint))


def test_r2_correct_answers_and_stub():
    assert check.r2(r2_reference) is True
    assert check.r2(r2_alternative) is True
    assert check.r2(stub) is False


def r2_one_pass(y_true, y_pred):
    n = len(y_true)
    ss_tot = np.sum(y_true ** 2) - n * np.mean(y_true) ** 2  # cancels catastrophically for values around 1e8
    ss_res = np.sum((y_true - y_pred) ** 2)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1 - ss_res / ss_tot


def r2_in_place(y_true, y_pred):
    ss_res = np.sum((y_true - y_pred) ** 2)
    y_true -= y_true.mean()
    ss_tot = np.sum(y_true ** 2)
    return 1.0 if ss_tot == 0 and ss_res == 0 else 0.0 if ss_tot == 0 else 1 - ss_res / ss_tot


def r2_always_one_for_constant(y_true, y_pred):
    ss_tot = np.sum((y_true - y_true.mean()) ** 2)
    return 1.0 if ss_tot == 0 else 1 - np.sum((y_true - y_pred) ** 2) / ss_tot


@pytest.mark.parametrize("answer, hint", [
    (r2_one_pass, "lose all precision"),
    (r2_in_place, "changed `y_true` in place"),
    (r2_always_one_for_constant, "return 1.0 if the predictions are perfect (SS_res = 0), else 0.0"),
])
def test_r2_kinds(answer, hint):
    fails(check.r2, answer, match=re.escape(hint))


def r2_loop(y_true, y_pred):
    mean = sum(y_true) / len(y_true)
    ss_res = sum((a - b) ** 2 for a, b in zip(y_true, y_pred))
    ss_tot = sum((a - mean) ** 2 for a in y_true)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1 - ss_res / ss_tot


def r2_torch(y_true, y_pred):
    import torch

    t, p = torch.from_numpy(y_true).double(), torch.from_numpy(y_pred).double()
    ss_tot, ss_res = ((t - t.mean()) ** 2).sum(), ((t - p) ** 2).sum()
    return float(ss_res == 0) if ss_tot == 0 else (1 - ss_res / ss_tot).item()


def r2_ptp(y_true, y_pred):
    if np.ptp(y_true) == 0:
        return np.float64(np.array_equal(y_true, y_pred))
    return 1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2)


def test_r2_correct_answers_written_differently():
    for answer in (r2_loop, r2_torch, r2_ptp):
        assert check.r2(answer) is True


# --------------------------------------------------------------------------- majority_accuracy

def majority_reference(y):
    _, counts = np.unique(y, return_counts=True)
    return counts.max() / len(y)


def majority_alternative(y):
    from collections import Counter

    return Counter(y.tolist()).most_common(1)[0][1] / len(y)


@pytest.mark.parametrize("answer, hint", [
    (lambda y: np.mean(y == 0), "the majority class is not always 0"),
    (lambda y: np.unique(y, return_counts=True)[1].min() / len(y), "*least* frequent class"),
    (lambda y: 1 / len(np.unique(y)), "does not guess among the classes at random"),
    (lambda y: np.bincount(y).max(), "accuracy is a fraction"),
])
def test_majority_accuracy_mistakes(answer, hint):
    fails(check.majority_accuracy, answer, match=re.escape(hint))


def test_majority_accuracy_correct_answers_and_stub():
    assert check.majority_accuracy(majority_reference) is True
    assert check.majority_accuracy(majority_alternative) is True
    assert check.majority_accuracy(lambda y: np.bincount(y).max() / len(y)) is True
    assert check.majority_accuracy(stub) is False


def majority_sorting_in_place(y):
    y.sort()  # sorts the caller's labels
    best = run = 1
    for previous, label in zip(y[:-1], y[1:]):
        run = run + 1 if label == previous else 1
        best = max(best, run)
    return best / len(y)


@pytest.mark.parametrize("answer, hint", [
    (majority_sorting_in_place, "changed `y` in place"),
    (lambda y: np.mean(y == int(np.median(y))), "three classes, the largest is 2"),  # the median label
    (lambda y: max(np.mean(y == 0), np.mean(y == 1)), "labels 3 and 7"),
])
def test_majority_accuracy_kinds(answer, hint):
    fails(check.majority_accuracy, answer, match=re.escape(hint))


def majority_torch(y):
    import torch

    return (torch.bincount(torch.as_tensor(y)).max() / len(y)).item()


def majority_list_count(y):
    labels = list(y)
    return labels.count(max(set(labels), key=labels.count)) / len(labels)


def test_majority_accuracy_correct_answers_written_differently():
    for answer in (majority_torch, majority_list_count):
        assert check.majority_accuracy(answer) is True


# --------------------------------------------------------------------------- confusion_counts

def counts_reference(y_true, y_pred):
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    tp = np.sum((y_true == 1) & (y_pred == 1))
    return tn, fp, fn, tp


def counts_alternative(y_true, y_pred):
    matrix = np.zeros((2, 2), dtype=int)
    for t, p in zip(y_true, y_pred):
        matrix[t, p] += 1
    return list(matrix.ravel())


def counts_swapped(y_true, y_pred):
    tn, fp, fn, tp = counts_reference(y_true, y_pred)
    return tn, fn, fp, tp


def counts_class0_positive(y_true, y_pred):
    return counts_reference(1 - y_true, 1 - y_pred)


def counts_tp_first(y_true, y_pred):
    tn, fp, fn, tp = counts_reference(y_true, y_pred)
    return tp, fp, fn, tn


def counts_from_unique_labels(y_true, y_pred):
    labels = np.unique(np.concatenate([y_true, y_pred]))  # misses a class that appears nowhere
    return np.array([[np.sum((y_true == a) & (y_pred == b)) for b in labels] for a in labels]).ravel()


@pytest.mark.parametrize("answer, hint", [
    (counts_swapped, "you swapped fp and fn"),
    (counts_class0_positive, "class 1 is the positive class"),
    (lambda t, p: counts_reference(t, p)[::-1], "class 1 is the positive class"),  # reversed = class 0 positive
    (counts_tp_first, "in the order (tn, fp, fn, tp)"),
    (lambda t, p: np.array(counts_reference(t, p)).reshape(2, 2), "not the 2×2 matrix"),
    (counts_from_unique_labels, "even when a class never appears"),
])
def test_confusion_counts_mistakes(answer, hint):
    fails(check.confusion_counts, answer, match=re.escape(hint))


def test_confusion_counts_correct_answers_and_stub():
    assert check.confusion_counts(counts_reference) is True
    assert check.confusion_counts(counts_alternative) is True
    assert check.confusion_counts(stub) is False


def counts_in_place(y_true, y_pred):
    y_pred *= 2  # codes 0..3 from the caller's own array
    return tuple(np.bincount(y_true + y_pred, minlength=4)[[0, 2, 1, 3]])


def counts_from_means(y_true, y_pred):
    n = len(y_true)
    tp, fp, fn = n * np.mean(y_true * y_pred), n * np.mean((1 - y_true) * y_pred), n * np.mean(y_true * (1 - y_pred))
    return n - tp - fp - fn, fp, fn, tp


@pytest.mark.parametrize("answer, hint", [
    (counts_in_place, "changed `y_pred` in place"),
    (counts_from_means, "counts are integers"),
])
def test_confusion_counts_kinds(answer, hint):
    fails(check.confusion_counts, answer, match=re.escape(hint))


def counts_loop(y_true, y_pred):
    tn = fp = fn = tp = 0
    for t, p in zip(y_true, y_pred):
        if t == 1:
            tp, fn = (tp + 1, fn) if p == 1 else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if p == 1 else (fp, tn + 1)
    return [tn, fp, fn, tp]


def counts_dot(y_true, y_pred):
    tp = y_true @ y_pred
    return len(y_true) - y_true.sum() - y_pred.sum() + tp, y_pred.sum() - tp, y_true.sum() - tp, tp


def test_confusion_counts_correct_answers_written_differently():
    for answer in (counts_loop, counts_dot, lambda t, p: np.bincount(2 * t + p, minlength=4)):
        assert check.confusion_counts(answer) is True


# --------------------------------------------------------------------------- precision_recall_f1

def prf_reference(cm):
    (tn, fp), (fn, tp) = cm
    precision = tp / (tp + fp) if tp + fp > 0 else 0.0
    recall = tp / (tp + fn) if tp + fn > 0 else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


def prf_alternative(cm):
    tp, fp, fn = int(cm[1][1]), int(cm[0][1]), int(cm[1][0])
    ratios = [tp / d if d else 0.0 for d in (tp + fp, tp + fn, tp + (fp + fn) / 2)]  # F1 = tp / (tp + (fp + fn)/2)
    return tuple(ratios)


def prf_swapped(cm):
    p, r, f = prf_reference(cm)
    return r, p, f


def prf_class0(cm):
    return prf_reference(np.asarray(cm)[::-1, ::-1])


def prf_arithmetic(cm):
    p, r, _ = prf_reference(cm)
    return p, r, (p + r) / 2


def prf_nan(cm):
    (tn, fp), (fn, tp) = np.asarray(cm, dtype=float)
    with np.errstate(all="ignore"):
        p, r = tp / (tp + fp), tp / (tp + fn)
        return p, r, 2 * p * r / (p + r)


def prf_python_division(cm):
    (tn, fp), (fn, tp) = np.asarray(cm).tolist()
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


@pytest.mark.parametrize("answer, hint", [
    (prf_swapped, "you swapped precision and recall"),
    (prf_class0, "tp = cm[1, 1], not cm[0, 0]"),
    (prf_arithmetic, "not the arithmetic mean"),
    (prf_nan, "which holds NaN"),
    (prf_nan, "zero_division=0"),
    (prf_python_division, "ZeroDivisionError"),
    (prf_python_division, "zero_division=0"),
])
def test_precision_recall_f1_mistakes(answer, hint):
    fails(check.precision_recall_f1, answer, match=re.escape(hint))


def test_precision_recall_f1_correct_answers_and_stub():
    assert check.precision_recall_f1(prf_reference) is True
    assert check.precision_recall_f1(prf_alternative) is True
    assert check.precision_recall_f1(stub) is False


def prf_in_place(cm):
    cm[cm == 0] = 1  # "avoids" a division by zero in the caller's matrix
    (tn, fp), (fn, tp) = cm
    p, r = tp / (tp + fp), tp / (tp + fn)
    return p, r, 2 * p * r / (p + r)


def prf_f1_unguarded(cm):
    (tn, fp), (fn, tp) = cm
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if tp + fp and tp + fn else 0.0  # p + r is 0 when tp = 0, fp > 0, fn > 0
    return p, r, f1


@pytest.mark.parametrize("answer, hint", [
    (prf_in_place, "changed `cm` in place"),
    (prf_f1_unguarded, "tp = 0, with false positives and false negatives"),
])
def test_precision_recall_f1_kinds(answer, hint):
    with np.errstate(all="ignore"):
        fails(check.precision_recall_f1, answer, match=re.escape(hint))


def prf_nan_to_num(cm):
    cm = np.asarray(cm, dtype=float)
    with np.errstate(all="ignore"):
        p = np.nan_to_num(cm[1, 1] / cm[:, 1].sum())
        r = np.nan_to_num(cm[1, 1] / cm[1].sum())
        return np.array([p, r, np.nan_to_num(2 * p * r / (p + r))])


def prf_divide_where(cm):
    tp, fp, fn = cm[1, 1], cm[0, 1], cm[1, 0]
    top = np.array([tp, tp, 2 * tp], dtype=float)
    bottom = np.array([tp + fp, tp + fn, 2 * tp + fp + fn], dtype=float)
    return tuple(np.divide(top, bottom, out=np.zeros(3), where=bottom > 0))


def prf_torch(cm):
    import torch

    c = torch.as_tensor(cm, dtype=torch.float64)
    tp, fp, fn = c[1, 1], c[0, 1], c[1, 0]
    zero = torch.zeros((), dtype=torch.float64)
    p = tp / (tp + fp) if tp + fp > 0 else zero
    r = tp / (tp + fn) if tp + fn > 0 else zero
    return torch.stack([p, r, 2 * p * r / (p + r) if p + r > 0 else zero])


def test_precision_recall_f1_correct_answers_written_differently():
    for answer in (prf_nan_to_num, prf_divide_where, prf_torch):
        assert check.precision_recall_f1(answer) is True


# --------------------------------------------------------------------------- kfold_indices

def kfold_reference(n_samples, k):
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    folds, start = [], 0
    for size in sizes:
        test = np.arange(start, start + size)
        train = np.concatenate([np.arange(0, start), np.arange(start + size, n_samples)])
        folds.append((train, test))
        start += size
    return folds


def kfold_alternative(n_samples, k):
    indices = np.arange(n_samples)
    blocks = np.array_split(indices, k)
    return [(np.setdiff1d(indices, block), block) for block in blocks]


def kfold_overlapping(n_samples, k):
    size = n_samples // k
    indices = np.arange(n_samples)
    folds = []
    for i in range(k):
        test = indices[i * size: (i + 1) * size + 1]  # one too far: shares a sample with the next fold
        folds.append((np.setdiff1d(indices, test), test))
    return folds


def kfold_remainder_last(n_samples, k):
    size = n_samples // k
    indices = np.arange(n_samples)
    folds = []
    for i in range(k):
        test = indices[i * size: n_samples if i == k - 1 else (i + 1) * size]
        folds.append((np.setdiff1d(indices, test), test))
    return folds


def kfold_remainder_dropped(n_samples, k):
    size = n_samples // k
    indices = np.arange(n_samples)
    return [(np.setdiff1d(indices, indices[i * size:(i + 1) * size]), indices[i * size:(i + 1) * size]) for i in range(k)]


def kfold_leaky(n_samples, k):
    return [(np.arange(n_samples), test) for _, test in kfold_reference(n_samples, k)]


def kfold_shuffled(n_samples, k):
    order = np.random.default_rng(0).permutation(n_samples)
    return [(order[np.setdiff1d(np.arange(n_samples), test)], order[test]) for _, test in kfold_reference(n_samples, k)]


@pytest.mark.parametrize("answer, hint", [
    (kfold_overlapping, "test folds overlap"),
    (kfold_remainder_last, "the first n_samples % k folds one more each"),
    (kfold_remainder_dropped, "are in no test fold"),
    (kfold_leaky, "train and test share samples"),
    (kfold_shuffled, "block of consecutive indices"),
    (lambda n, k: kfold_reference(n, k)[:-1], "pairs, one per fold"),
    (lambda n, k: [(train.astype(float), test) for train, test in kfold_reference(n, k)], "must be integers"),
])
def test_kfold_indices_mistakes(answer, hint):
    fails(check.kfold_indices, answer, match=re.escape(hint))


def test_kfold_indices_correct_answers_and_stub():
    assert check.kfold_indices(kfold_reference) is True
    assert check.kfold_indices(kfold_alternative) is True
    assert check.kfold_indices(lambda n, k: [(list(tr), list(te)) for tr, te in kfold_reference(n, k)]) is True
    assert check.kfold_indices(stub) is False


def kfold_argwhere(n_samples, k):
    folds, start = [], 0
    for i in range(k):
        size = n_samples // k + (i < n_samples % k)
        mask = np.zeros(n_samples, dtype=bool)
        mask[start:start + size] = True
        folds.append((np.argwhere(~mask), np.argwhere(mask)))  # columns (m, 1): X[test] is three-dimensional
        start += size
    return folds


def kfold_ceil(n_samples, k):
    size = -(-n_samples // k)  # ceil: 4, 4, 2 for 10 samples in 3 folds
    indices = np.arange(n_samples)
    return [(np.setdiff1d(indices, indices[i * size:(i + 1) * size]), indices[i * size:(i + 1) * size])
            for i in range(k)]


@pytest.mark.parametrize("answer, hint", [
    (kfold_argwhere, "must be 1-D arrays"),
    (kfold_ceil, "test fold sizes are [4, 4, 2], expected [4, 3, 3]"),
])
def test_kfold_indices_kinds(answer, hint):
    fails(check.kfold_indices, answer, match=re.escape(hint))


def kfold_generator(n_samples, k):
    start = 0
    for i in range(k):
        size = n_samples // k + (i < n_samples % k)
        yield list(range(start)) + list(range(start + size, n_samples)), range(start, start + size)
        start += size


def kfold_where(n_samples, k):
    fold_of = np.repeat(np.arange(k), [n_samples // k + (i < n_samples % k) for i in range(k)])
    return [(np.where(fold_of != i)[0], np.where(fold_of == i)[0].astype(np.int32)) for i in range(k)]


def test_kfold_indices_correct_answers_written_differently():
    from sklearn.model_selection import KFold

    for answer in (kfold_generator, kfold_where, lambda n, k: list(KFold(n_splits=k).split(np.arange(n)))):
        assert check.kfold_indices(answer) is True


# --------------------------------------------------------------------------- is_close

def close_reference(a, b, rel_tol=1e-9, abs_tol=0.0):
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol)


def close_alternative(a, b, rel_tol=1e-9, abs_tol=0.0):
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    difference = abs(a - b)
    return difference <= abs_tol or difference <= rel_tol * abs(a) or difference <= rel_tol * abs(b)


@pytest.mark.parametrize("answer, hint", [
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: a == b, "never compare floats with =="),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) < 1e-9, "a fixed absolute tolerance"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: bool(np.isclose(a, b)), "a fixed absolute tolerance"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) <= max(rel_tol * abs(b), abs_tol), "must not depend on the order"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) <= rel_tol * max(abs(a), abs(b)), "use abs_tol"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) <= max(rel_tol * max(a, b), abs_tol), "take absolute values"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) <= max(0.1 * max(abs(a), abs(b)), abs_tol), "differ by 10%"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b), "expected True or False"),
    # the formula alone: inf - inf is nan (never <=), and rel_tol * inf is inf (everything is close to infinity)
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol),
     "an infinity is close to itself"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: a == b or abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol),
     "infinities of opposite signs are never close"),
])
def test_is_close_mistakes(answer, hint):
    fails(check.is_close, answer, match=re.escape(hint))


def test_is_close_correct_answers_and_stub():
    assert check.is_close(close_reference) is True
    assert check.is_close(close_alternative) is True
    assert check.is_close(math.isclose) is True
    assert check.is_close(lambda a, b, rel_tol=1e-9, abs_tol=0.0: np.bool_(math.isclose(a, b, rel_tol=rel_tol,
                                                                                         abs_tol=abs_tol)))
    assert check.is_close(stub) is False


@pytest.mark.parametrize("answer, hint", [
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: a == b or abs(a - b) < max(rel_tol * max(abs(a), abs(b)), abs_tol),
     "compare with <=, not <"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b)
                                                         <= rel_tol * max(abs(a), abs(b)) + abs_tol), "not their sum"),
    (lambda a, b, rel_tol=1e-9, abs_tol=0.0: int(close_reference(a, b, rel_tol, abs_tol)), "expected True or False"),
])
def test_is_close_kinds(answer, hint):
    fails(check.is_close, answer, match=re.escape(hint))


def close_numpy(a, b, rel_tol=1e-9, abs_tol=0.0):
    a, b = np.float64(a), np.float64(b)
    if a == b:
        return np.bool_(True)
    if np.isinf(a) or np.isinf(b):
        return np.bool_(False)
    return np.abs(a - b) <= np.maximum(rel_tol * np.maximum(np.abs(a), np.abs(b)), abs_tol)  # an np.bool_


def close_relative_difference(a, b, rel_tol=1e-9, abs_tol=0.0):
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) / max(abs(a), abs(b)) <= rel_tol or abs(a - b) <= abs_tol


def test_is_close_correct_answers_written_differently():
    for answer in (close_numpy, close_relative_difference):
        assert check.is_close(answer) is True


def test_every_check_is_tested_here():
    tested = {"mse", "r2", "majority_accuracy", "confusion_counts", "precision_recall_f1", "kfold_indices", "is_close"}
    assert set(check.__all__) == tested
