"""text.vocabulary: the tokenizer's rule, the vocabulary's order and cut-off, encoding, and the same words and counts
as gensim's own vocabulary on the Lee corpus."""

from __future__ import annotations

import numpy as np

from dlpractice.text import build_vocabulary, tokenize


def test_tokenize_lower_cased_runs_of_letters_and_digits() -> None:
    """The docstring's example, plus punctuation, accents and newlines as separators."""
    assert tokenize("Don't panic, it's 2 a.m.") == ["don", "t", "panic", "it", "s", "2", "a", "m"]
    assert tokenize("COVID-19\nvaccines (2021)") == ["covid", "19", "vaccines", "2021"]
    assert tokenize("café") == ["caf"]
    assert tokenize("  ...  ") == []


def test_vocabulary_order_cut_off_and_counts() -> None:
    """Words seen min_count+ times, most frequent first, ties alphabetically; counts are int64."""
    sentences = [["b", "a", "c", "c"], ["a", "b", "d", "c"], ["e"]]  # c: 3, a: 2, b: 2, d: 1, e: 1
    vocab = build_vocabulary(sentences, min_count=2)
    assert vocab.words == ("c", "a", "b")
    assert vocab.counts.tolist() == [3, 2, 2]
    assert vocab.counts.dtype == np.int64
    assert len(vocab) == 3
    assert vocab.index == {"c": 0, "a": 1, "b": 2}
    assert build_vocabulary(sentences, min_count=1).words == ("c", "a", "b", "d", "e")
    assert build_vocabulary(sentences, min_count=4).words == ()


def test_encode_drops_words_outside_the_vocabulary() -> None:
    vocab = build_vocabulary([["x", "y", "x"], ["y", "z"]], min_count=2)  # x: 2, y: 2
    encoded = vocab.encode([["x", "z", "y", "x"], ["z"], []])
    assert [e.tolist() for e in encoded] == [[0, 1, 0], [], []]
    assert all(e.dtype == np.int64 for e in encoded)


def test_same_words_and_counts_as_gensim(lee, gensim_model) -> None:
    """gensim's vocabulary of the Lee corpus (min_count 5): the same 1,815 words with the same counts, and the same
    non-increasing order of counts (ties may be ordered differently)."""
    wv = gensim_model.wv
    assert set(wv.index_to_key) == set(lee.vocab.words)
    assert len(lee.vocab) > 1000
    ours = dict(zip(lee.vocab.words, lee.vocab.counts.tolist()))
    assert all(ours[w] == wv.get_vecattr(w, "count") for w in wv.index_to_key)
    assert lee.vocab.counts.tolist() == [wv.get_vecattr(w, "count") for w in wv.index_to_key]
    assert sum(len(ids) for ids in lee.ids) == sum(ours.values())  # encoding keeps every in-vocabulary token
