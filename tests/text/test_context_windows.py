"""text.context_windows: skip-gram pairs are those of a naive per-sentence double loop (never across sentences),
spans are uniform on 1..window, and CBOW's bags hold exactly the same pairs, grouped by centre."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from dlpractice.text import cbow_windows, reduced_windows, skip_gram_pairs

LENGTHS = [5, 1, 8, 2, 1, 12]  # sentences of one word have no context


def small_corpus(seed: int, window: int, positions: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids (each token's position when `positions`, else ids from 4 words, so ids repeat), sentence_of and spans."""
    rng = np.random.default_rng(seed)
    n = sum(LENGTHS)
    ids = np.arange(n) if positions else rng.integers(0, 4, n)
    sentence_of = np.repeat(np.arange(len(LENGTHS)), LENGTHS)
    return ids, sentence_of, reduced_windows(n, window, rng)


def naive_pairs(ids: np.ndarray, sentence_of: np.ndarray, spans: np.ndarray) -> Counter:
    pairs: Counter = Counter()
    for s in np.unique(sentence_of):
        where = np.flatnonzero(sentence_of == s)
        for i in where:
            for j in where:
                if 1 <= abs(i - j) <= spans[i]:
                    pairs[(int(ids[i]), int(ids[j]))] += 1
    return pairs


@pytest.mark.parametrize("positions", [True, False])
@pytest.mark.parametrize("window, seed", [(1, 0), (3, 1), (5, 2), (20, 3)])
def test_skip_gram_pairs_equal_a_naive_double_loop(window: int, seed: int, positions: bool) -> None:
    ids, sentence_of, spans = small_corpus(seed, window, positions)
    centres, contexts = skip_gram_pairs(ids, sentence_of, spans)
    assert centres.dtype == contexts.dtype == np.int64
    expected = naive_pairs(ids, sentence_of, spans)
    assert Counter(zip(centres.tolist(), contexts.tolist())) == expected
    assert sum(expected.values()) > 0


def test_skip_gram_pairs_never_cross_a_sentence_boundary() -> None:
    """Tokens identified by position, windows as wide as the corpus: every pair lies inside one sentence, and every
    two distinct tokens of a sentence are paired both ways."""
    ids, sentence_of, _ = small_corpus(0, 1, positions=True)
    spans = np.full(len(ids), 100)
    centres, contexts = skip_gram_pairs(ids, sentence_of, spans)
    assert np.array_equal(sentence_of[centres], sentence_of[contexts])
    assert len(centres) == sum(n * (n - 1) for n in LENGTHS)


def test_empty_corpus() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert all(len(a) == 0 for a in skip_gram_pairs(empty, empty, empty))
    assert all(len(a) == 0 for a in cbow_windows(empty, empty, empty))


def test_reduced_windows_uniform_on_1_to_window() -> None:
    """60,000 spans for window 5: only 1..5, each value's count within 5 binomial standard deviations of 12,000."""
    n, window = 60_000, 5
    spans = reduced_windows(n, window, np.random.default_rng(0))
    assert spans.shape == (n,)
    assert spans.min() == 1 and spans.max() == window
    counts = np.bincount(spans, minlength=window + 1)[1:]
    p = 1 / window
    assert np.all(np.abs(counts - n * p) <= 5 * np.sqrt(n * p * (1 - p)))
    assert np.array_equal(reduced_windows(10, 1, np.random.default_rng(1)), np.ones(10))


@pytest.mark.parametrize("window, seed", [(2, 0), (5, 1)])
def test_cbow_windows_hold_the_skip_gram_pairs(window: int, seed: int) -> None:
    """Rebuilding (centre, context word) pairs from the bags gives the skip-gram pairs; with tokens identified by
    position, each centre appears once, in corpus order, and the centres left out are the one-word sentences."""
    for positions in (True, False):
        ids, sentence_of, spans = small_corpus(seed, window, positions)
        centres, words, offsets = cbow_windows(ids, sentence_of, spans)
        assert centres.dtype == words.dtype == offsets.dtype == np.int64
        assert offsets[0] == 0 and np.all(np.diff(offsets) > 0) and offsets[-1] < len(words)
        ends = np.r_[offsets[1:], len(words)]
        rebuilt = Counter((int(c), int(w)) for c, start, end in zip(centres, offsets, ends) for w in words[start:end])
        c, x = skip_gram_pairs(ids, sentence_of, spans)
        assert rebuilt == Counter(zip(c.tolist(), x.tolist()))
        if positions:
            one_word = {int(p) for p in ids if LENGTHS[sentence_of[p]] == 1}
            assert centres.tolist() == [p for p in ids.tolist() if p not in one_word]
