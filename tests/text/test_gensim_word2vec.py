"""text.gensim_word2vec: train_gensim returns gensim's vectors in our vocabulary's order (whatever that order is),
passes our hyperparameters on, and refuses a vocabulary that is not gensim's; its word count should be the one our
word2vec reports for the same corpus."""

from __future__ import annotations

import gensim.models
import numpy as np
import pytest

from dlpractice.text import Vocabulary, Word2VecParams, train_word2vec
from dlpractice.text.gensim_word2vec import train_gensim

PARAMS = Word2VecParams(dim=16, epochs=1, window=3, negatives=4)


@pytest.fixture
def spy_models(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every gensim Word2Vec that train_gensim builds while the test runs."""
    built = []

    class Recorded(gensim.models.Word2Vec):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(gensim.models, "Word2Vec", Recorded)
    return built


def test_vectors_in_our_vocabulary_order(lee, spy_models) -> None:
    """With our vocabulary reversed (least frequent first) row i is still gensim's vector of word i."""
    reversed_vocab = Vocabulary(lee.vocab.words[::-1], lee.vocab.counts[::-1])
    result = train_gensim(lee.sentences, reversed_vocab, PARAMS, min_count=5, seed=0, workers=1)
    (model,) = spy_models
    assert result.vectors.shape == (len(lee.vocab), PARAMS.dim) and result.vectors.dtype == np.float32
    assert np.array_equal(result.vectors, np.stack([model.wv[w] for w in reversed_vocab.words]))
    assert not np.array_equal(result.vectors, model.wv.vectors)  # the order really changed
    assert (model.vector_size, model.window, model.negative, model.sg, model.hs) == (16, 3, 4, 1, 0)
    assert (model.alpha, model.min_alpha, model.sample, model.epochs) == (0.025, 1e-4, 1e-3, 1)
    assert result.seconds > 0


def test_cbow_architecture(lee, spy_models) -> None:
    result = train_gensim(lee.sentences, lee.vocab, Word2VecParams("cbow", dim=8, epochs=1), 5, seed=0, workers=1)
    (model,) = spy_models
    assert (model.sg, model.cbow_mean) == (0, 1)
    assert np.array_equal(result.vectors, np.stack([model.wv[w] for w in lee.vocab.words]))


def test_vocabulary_mismatch_raises() -> None:
    """A vocabulary with a word gensim does not keep (or without one it keeps) is refused."""
    sentences = [["a", "b", "a", "c"], ["b", "a", "c", "d"]] * 3  # a: 9, b: 6, c: 6, d: 3
    good = Vocabulary(("a", "b", "c"), np.array([9, 6, 6]))
    train_gensim(sentences, good, Word2VecParams(dim=4, epochs=1), min_count=4, seed=0, workers=1)
    for bad in (Vocabulary(("a", "b"), np.array([9, 6])), Vocabulary(("a", "b", "c", "d"), np.array([9, 6, 6, 3]))):
        with pytest.raises(RuntimeError, match="vocabulary"):
            train_gensim(sentences, bad, Word2VecParams(dim=4, epochs=1), min_count=4, seed=0, workers=1)


def test_counts_the_same_words_as_ours(lee) -> None:
    """The lab compares words/s of the two models: both must count the same words of the same corpus."""
    params = Word2VecParams(dim=4, epochs=1)
    theirs = train_gensim(lee.sentences, lee.vocab, params, min_count=5, seed=0, workers=1)
    ours = train_word2vec(lee.ids, lee.vocab.counts, params, seed=0)
    assert ours.words == sum(len(ids) for ids in lee.ids)
    assert theirs.words == ours.words
