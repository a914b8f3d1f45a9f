"""Analogies by vector arithmetic (3CosAdd): "man is to king as woman is to ?" is answered by the word whose vector
is closest (cosine) to king - man + woman, the three question words excluded.

Each of the three vectors is first scaled to length 1, as in gensim's `most_similar`, so that a long vector (a
frequent word) does not dominate the sum. The test set is Mikolov's questions-words.txt: 19,544 questions in 14
sections (capitals, currencies, plurals, tenses...). A question with any word outside the vocabulary is skipped,
and accuracy is over the questions answered. This reproduces gensim's `evaluate_word_analogies` (checked in
tests/text/test_analogies.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dlpractice.text.neighbours import unit_rows


@dataclass(frozen=True)
class AnalogyScores:
    accuracy: float  # NaN when no question is in the vocabulary
    questions: int  # questions asked (all four words in the vocabulary)
    oov: int  # questions skipped
    per_section: dict[str, tuple[int, int]]  # section -> (correct, asked)


def read_analogies(path: str | Path) -> list[tuple[str, str, str, str, str]]:
    """(section, a, b, c, d) per question, lower-cased: a is to b as c is to d."""
    questions, section = [], ""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            section = line[2:].strip()
        elif len(line.split()) == 4:
            a, b, c, d = line.lower().split()
            questions.append((section, a, b, c, d))
    return questions


def solve_analogy(unit: np.ndarray, a: int, b: int, c: int) -> int:
    """The id d maximising cos(v_d, v̂_b - v̂_a + v̂_c) over every word but a, b and c; `unit`: rows of length 1."""
    target = unit[b] - unit[a] + unit[c]
    scores = unit @ target
    scores[[a, b, c]] = -np.inf
    return int(np.argmax(scores))


def evaluate_analogies(vectors: np.ndarray, words: tuple[str, ...] | list[str],
                       questions: list[tuple[str, str, str, str, str]]) -> AnalogyScores:
    index = {w.lower(): i for i, w in reversed(list(enumerate(words)))}
    unit = unit_rows(np.asarray(vectors, dtype=np.float64))
    per_section: dict[str, list[int]] = {}
    asked = [(s, *(index[w] for w in q)) for s, *q in questions if all(w in index for w in q)]
    for section, a, b, c, d in asked:
        correct = per_section.setdefault(section, [0, 0])
        correct[0] += solve_analogy(unit, a, b, c) == d
        correct[1] += 1
    right = sum(c for c, _ in per_section.values())
    accuracy = right / len(asked) if asked else float("nan")
    sections = {s: (c, n) for s, (c, n) in per_section.items()}
    return AnalogyScores(accuracy, len(asked), len(questions) - len(asked), sections)
