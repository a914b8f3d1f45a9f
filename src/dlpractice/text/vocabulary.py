"""From raw text to word ids: a tokenizer, and a vocabulary of the words seen at least `min_count` times.

The same token lists feed our word2vec and gensim's, so the two models see exactly the same words. The
vocabulary is sorted by count (most frequent first, ties alphabetically): id 0 is the most frequent word, which
is also the order gensim keeps, and `restrict_vocab`-style cut-offs take the first ids.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: "Don't panic, it's 2 a.m." -> don, t, panic, it, s, 2, a, m."""
    return WORD.findall(text.lower())


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # id -> word, most frequent first
    counts: np.ndarray  # (V,) int64: how often each word occurs in the corpus

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}

    def encode(self, sentences: Iterable[Sequence[str]]) -> list[np.ndarray]:
        """Each sentence as an int64 array of ids; words outside the vocabulary are dropped (as word2vec does)."""
        index = self.index
        return [np.array([index[w] for w in s if w in index], dtype=np.int64) for s in sentences]


def build_vocabulary(sentences: Iterable[Sequence[str]], min_count: int = 5) -> Vocabulary:
    """The words that occur at least `min_count` times, most frequent first."""
    counts = Counter(w for s in sentences for w in s)
    kept = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    return Vocabulary(tuple(kept), np.array([counts[w] for w in kept], dtype=np.int64))
