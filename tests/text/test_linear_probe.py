"""text.linear_probe: average_word_vectors (mean of known words, zeros without any), probe_features (about 1.0 on
separable features, about 0.5 on random labels), and probe_tfidf fitting its vectorizer on the training folds only:
a case where a vectorizer that had seen the test fold would lose a quarter of the accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from dlpractice.text import linear_probe
from dlpractice.text.linear_probe import average_word_vectors, probe_features, probe_tfidf


def test_average_word_vectors() -> None:
    """Each sentence's mean over its known words (a repeated word counts twice); zeros for no known word."""
    vectors = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 0.5]], dtype=np.float32)
    index = {"a": 0, "b": 1, "c": 2}
    out = average_word_vectors([["a", "b"], ["zz", "yy"], [], ["a", "a", "c", "unknown"]], vectors, index)
    assert out.dtype == np.float64 and out.shape == (4, 2)
    assert np.allclose(out, [[2.0, -1.0], [0.0, 0.0], [0.0, 0.0], [2.5 / 3, 4.5 / 3]])


def test_probe_features_separable_and_random() -> None:
    """Two blobs 12 standard deviations apart: every fold perfect. Random labels on random features: chance."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 100)
    separable = rng.normal(size=(200, 5)) + 12.0 * labels[:, None] * np.eye(5)[0]
    score = probe_features("blobs", separable, labels, folds=5, seed=0)
    assert (score.features, score.dimensions) == ("blobs", 5)
    assert score.accuracy == 1.0 and score.accuracy_std == 0.0
    assert score.fit_seconds > 0
    noise = probe_features("noise", rng.normal(size=(400, 10)), rng.integers(0, 2, 400), folds=5, seed=0)
    assert 0.4 < noise.accuracy < 0.6 and noise.accuracy_std > 0


def leaky_tfidf_accuracy(texts: list[str], labels: np.ndarray, folds: int, seed: int) -> float:
    """The mistake probe_tfidf avoids: the same model, with the vectorizer fitted on every text, test folds too."""
    features = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    scores = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels):
        model = LogisticRegression(C=10.0, max_iter=2000).fit(features[train], labels[train])
        scores.append((model.predict(features[test]) == labels[test]).mean())
    return float(np.mean(scores))


def test_probe_tfidf_vectorizer_fitted_on_the_training_folds_only() -> None:
    """30 class-0 sentences of 5 words seen nowhere else, 10 class-1 sentences of "beta" plus 5 such words. Fitted
    on the training folds, the vectorizer drops a test sentence's unseen words, so "beta" is the whole of a class-1
    row: every fold is perfect. Fitted on everything, the unseen words (weight 0) take most of the row's length,
    "beta" shrinks and the intercept calls every class-1 sentence class 0: 0.75."""
    texts = [" ".join(f"a{i}x{j}" for j in range(5)) for i in range(30)]
    texts += ["beta " + " ".join(f"b{i}x{j}" for j in range(5)) for i in range(10)]
    labels = np.repeat([0, 1], [30, 10])
    score = probe_tfidf(texts, labels, folds=5, seed=0)
    assert leaky_tfidf_accuracy(texts, labels, folds=5, seed=0) == pytest.approx(0.75)  # the case has teeth
    assert score.accuracy == 1.0
    assert score.dimensions == len(TfidfVectorizer(ngram_range=(1, 2)).fit(texts).vocabulary_)


def test_probe_tfidf_fits_see_no_test_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every vectorizer the folds fit sees exactly its training fold (the one fitted on all the texts only counts
    the dimensions)."""
    fitted: list[list[str]] = []

    class Recording(TfidfVectorizer):
        def fit_transform(self, raw_documents, y=None):
            if self.sublinear_tf:  # the pipeline's vectorizer, not the one counting dimensions
                fitted.append(list(raw_documents))
            return super().fit_transform(raw_documents, y)

    monkeypatch.setattr(linear_probe, "TfidfVectorizer", Recording)
    rng = np.random.default_rng(1)
    words = ["plot", "cast", "music", "scene", "story", "film", "ending", "actor"]
    texts = [" ".join(rng.choice(words, 4)) + (" great fun" if i % 2 else " dull mess") + f" t{i}" for i in range(24)]
    labels = np.arange(24) % 2
    score = probe_tfidf(texts, labels, folds=4, seed=2)
    assert score.accuracy == 1.0  # an easy set
    splits = StratifiedKFold(4, shuffle=True, random_state=2).split(np.zeros(24), labels)
    assert fitted == [[texts[i] for i in train] for train, _ in splits]
