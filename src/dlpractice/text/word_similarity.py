"""Judging word vectors against people: WordSim-353 and SimLex-999 give word pairs with a human similarity score;
the model's score of a pair is the cosine of its two vectors, and the two rankings are compared with Spearman's
rank correlation.

WordSim-353 mixes similarity with relatedness (cup–coffee scores high), SimLex-999 scores only similarity
(cup–coffee low), which window-based word vectors find harder. Pairs with a word outside the vocabulary are
skipped and counted, for every model alike; matching is case-insensitive. This reproduces gensim's
`KeyedVectors.evaluate_word_pairs` (checked in tests/text/test_word_similarity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from dlpractice.text.neighbours import unit_rows


@dataclass(frozen=True)
class PairScores:
    spearman: float  # NaN when fewer than 3 pairs are in the vocabulary
    pairs: int  # pairs scored
    oov: int  # pairs skipped: a word outside the vocabulary
    human: np.ndarray  # (pairs,) the people's scores
    model: np.ndarray  # (pairs,) the cosines


def read_word_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """(word, word, score) per line of a tab-separated file; lines starting with # are comments."""
    pairs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        try:
            a, b, score = line.split("\t")
            pairs.append((a.lower(), b.lower(), float(score)))
        except ValueError:
            continue  # a malformed line is skipped, as gensim does
    return pairs


def evaluate_word_pairs(vectors: np.ndarray, words: tuple[str, ...] | list[str],
                        pairs: list[tuple[str, str, float]]) -> PairScores:
    index = {w.lower(): i for i, w in reversed(list(enumerate(words)))}  # the most frequent spelling wins
    unit = unit_rows(np.asarray(vectors, dtype=np.float64))
    human, model = [], []
    for a, b, score in pairs:
        if a in index and b in index:
            human.append(score)
            model.append(float(unit[index[a]] @ unit[index[b]]))
    spearman = float(stats.spearmanr(human, model).statistic) if len(human) >= 3 else float("nan")
    return PairScores(spearman, len(human), len(pairs) - len(human), np.array(human), np.array(model))
