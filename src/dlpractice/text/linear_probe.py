"""A linear probe: how much of a task the features already hold, measured by a logistic regression trained on
them with everything else frozen. The same cross-validation folds serve every kind of features, so the accuracies
compare directly: TF-IDF of words and word pairs (the classic baseline), the mean of a sentence's word2vec vectors,
and a pretrained sentence encoder's vectors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline


@dataclass(frozen=True)
class ProbeScore:
    features: str
    dimensions: int
    accuracy: float  # mean over the folds
    accuracy_std: float
    fit_seconds: float  # fitting and predicting, all folds (the features' own cost is not in it)


def average_word_vectors(token_lists: Sequence[Sequence[str]], vectors: np.ndarray,
                         index: dict[str, int]) -> np.ndarray:
    """(N, D): the mean vector of each sentence's words in the vocabulary; zeros for a sentence with none."""
    out = np.zeros((len(token_lists), vectors.shape[1]), dtype=np.float64)
    for row, tokens in enumerate(token_lists):
        ids = [index[t] for t in tokens if t in index]
        if ids:
            out[row] = vectors[ids].mean(axis=0)
    return out


def cross_validated(name: str, make_model: Callable, inputs, labels: np.ndarray, folds: int, seed: int,
                    dimensions: int) -> ProbeScore:
    splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels)
    scores, start = [], time.perf_counter()
    for train, test in splits:
        model = make_model().fit(subset(inputs, train), labels[train])
        scores.append(float((model.predict(subset(inputs, test)) == labels[test]).mean()))
    return ProbeScore(name, dimensions, float(np.mean(scores)), float(np.std(scores)), time.perf_counter() - start)


def subset(inputs, rows: np.ndarray):
    return [inputs[i] for i in rows] if isinstance(inputs, list) else inputs[rows]


def logistic_regression(c: float = 1.0) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=2000)


def probe_features(name: str, features: np.ndarray, labels: np.ndarray, folds: int, seed: int) -> ProbeScore:
    """Logistic regression on fixed features (standardising them first would change nothing but the solver's speed)."""
    return cross_validated(name, logistic_regression, np.asarray(features), labels, folds, seed, features.shape[1])


def probe_tfidf(texts: Sequence[str], labels: np.ndarray, folds: int, seed: int) -> ProbeScore:
    """TF-IDF of words and word pairs + logistic regression; the vectorizer is fitted on each training fold only."""
    def model():
        return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), logistic_regression(c=10.0))

    dimensions = len(TfidfVectorizer(ngram_range=(1, 2)).fit(texts).vocabulary_)
    return cross_validated("TF-IDF (words + pairs)", model, list(texts), labels, folds, seed, dimensions)
