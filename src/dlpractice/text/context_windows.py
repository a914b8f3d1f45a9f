"""Which words are each word's context: word2vec's dynamic window, as (centre, context) pairs for skip-gram and as
bags of context words for CBOW.

Dynamic window: for each centre word, a span s is drawn uniformly from 1..window and the context is the words at
distance 1..s on both sides, within the same sentence. Near words are thus seen more often than far ones (at
distance d with probability (window - d + 1) / window), which is how word2vec weights them. The corpus is one
array of ids with, beside it, the sentence each token belongs to: a window never crosses a sentence boundary.
Everything here is vectorised over the whole corpus (one NumPy pass per distance), so an epoch of pairs takes a
fraction of a second even for a million tokens.
"""

from __future__ import annotations

import numpy as np


def reduced_windows(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    """(n,) int64 spans, each uniform on 1..window (gensim draws `window - randint(0, window)`, the same law)."""
    return window - rng.integers(0, window, n)


def neighbours_at(ids: np.ndarray, sentence_of: np.ndarray, spans: np.ndarray,
                  distance: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions i and j = i + distance (distance may be negative) where j is in i's window: same sentence, and
    |distance| <= spans[i]."""
    n = len(ids)
    i = np.arange(max(0, -distance), min(n, n - distance))
    j = i + distance
    inside = (sentence_of[i] == sentence_of[j]) & (spans[i] >= abs(distance))
    return i[inside], j[inside]


def skip_gram_pairs(ids: np.ndarray, sentence_of: np.ndarray, spans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (centre, context) pair of the corpus: two int64 arrays of word ids, grouped by distance."""
    window = int(spans.max(initial=0))
    centres, contexts = [], []
    for distance in [d for k in range(1, window + 1) for d in (-k, k)]:
        i, j = neighbours_at(ids, sentence_of, spans, distance)
        centres.append(ids[i])
        contexts.append(ids[j])
    if not centres:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(centres), np.concatenate(contexts)


def cbow_windows(ids: np.ndarray, sentence_of: np.ndarray,
                 spans: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For CBOW, each centre word with the bag of its context words, in nn.EmbeddingBag's layout.

    Returns (centres (N,), contexts (M,), offsets (N,)): the context of centre b is contexts[offsets[b]:offsets[b+1]].
    Centres with no context word (a sentence of one word) are left out.
    """
    window = int(spans.max(initial=0))
    positions, words = [], []
    for distance in [d for k in range(1, window + 1) for d in (-k, k)]:
        i, j = neighbours_at(ids, sentence_of, spans, distance)
        positions.append(i)
        words.append(ids[j])
    if not positions:
        return (np.zeros(0, dtype=np.int64),) * 3
    position, word = np.concatenate(positions), np.concatenate(words)
    order = np.argsort(position, kind="stable")  # group each centre's context words together
    position, word = position[order], word[order]
    starts = np.flatnonzero(np.r_[True, position[1:] != position[:-1]])
    return ids[position[starts]], word, starts.astype(np.int64)
