"""text.analogies: evaluate_analogies gives gensim's `evaluate_word_analogies` accuracy and question count on the
same vectors, solve_analogy never answers with a question word, and king - man + woman = queen on a hand-built
2-D example."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gensim.test.utils import datapath

from dlpractice.text import evaluate_analogies, solve_analogy
from dlpractice.text.analogies import read_analogies
from dlpractice.text.neighbours import unit_rows


def test_equals_gensim_evaluate_word_analogies(gensim_model) -> None:
    """Mikolov's questions-words.txt on the Lee model: same number of questions asked and same accuracy; gensim's
    last section is the total."""
    wv = gensim_model.wv
    questions = read_analogies(datapath("questions-words.txt"))
    ours = evaluate_analogies(wv.vectors, wv.index_to_key, questions)
    score, sections = wv.evaluate_word_analogies(datapath("questions-words.txt"))
    total = sections[-1]
    assert total["section"] == "Total accuracy"
    asked = len(total["correct"]) + len(total["incorrect"])
    assert ours.questions == asked > 50
    assert ours.oov == len(questions) - asked
    assert ours.accuracy == pytest.approx(score, abs=1e-12)
    assert sum(right for right, _ in ours.per_section.values()) == len(total["correct"])
    theirs_sections = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
                       for s in sections[:-1] if s["correct"] or s["incorrect"]}
    assert ours.per_section == theirs_sections


def test_answers_equal_gensim_most_similar(gensim_model) -> None:
    """Question by question (Lee's vocabulary answers few correctly, so compare the answers themselves): solve_analogy
    gives gensim's 3CosAdd answer, most_similar(positive=[b, c], negative=[a])'s best word."""
    wv = gensim_model.wv
    unit = unit_rows(wv.vectors.astype(np.float64))
    asked = [q for _, *q in read_analogies(datapath("questions-words.txt")) if all(w in wv.key_to_index for w in q)]
    assert len(asked) > 50
    for a, b, c, _ in asked:
        theirs = wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
        ours = solve_analogy(unit, wv.key_to_index[a], wv.key_to_index[b], wv.key_to_index[c])
        assert wv.index_to_key[ours] == theirs, (a, b, c)


def example() -> tuple[np.ndarray, list[str]]:
    """Unit vectors at man 0°, king 30°, queen 60°, woman 90°, and two distractors at 200° and 300°."""
    words = ["man", "king", "queen", "woman", "apple", "car"]
    radians = np.radians([0, 30, 60, 90, 200, 300])
    return np.stack([np.cos(radians), np.sin(radians)], axis=1), words


def test_king_minus_man_plus_woman_is_queen() -> None:
    """b - a + c points at 95°: woman (90°) is closest but is a question word, so the answer is queen."""
    vectors, words = example()
    man, king, queen, woman = 0, 1, 2, 3
    unit = unit_rows(vectors)
    assert np.argmax(unit @ (unit[king] - unit[man] + unit[woman])) == woman  # what the exclusion prevents
    assert solve_analogy(unit, man, king, woman) == queen
    assert solve_analogy(unit, woman, queen, man) == king


def test_solve_analogy_never_answers_a_question_word() -> None:
    """Random unit vectors and every (a, b, c) of distinct words among 6: the answer is never a, b or c."""
    unit = unit_rows(np.random.default_rng(0).normal(size=(6, 3)))
    for a in range(6):
        for b in range(6):
            for c in range(6):
                if len({a, b, c}) == 3:
                    assert solve_analogy(unit, a, b, c) not in (a, b, c)


def test_read_and_evaluate_with_sections_and_oov(tmp_path: Path) -> None:
    """A two-section file, upper-case words, a question outside the vocabulary and a malformed line."""
    path = tmp_path / "questions.txt"
    path.write_text(": royalty\nMan King Woman Queen\nwoman queen man king\nman king woman pear\n"
                    ": bad\nnot four words\nman woman king apple\n")
    questions = read_analogies(path)
    assert questions[0] == ("royalty", "man", "king", "woman", "queen")
    assert len(questions) == 4
    vectors, words = example()
    scores = evaluate_analogies(vectors * np.arange(1, 7)[:, None], words, questions)  # lengths do not matter
    assert (scores.questions, scores.oov) == (3, 1)
    assert scores.per_section == {"royalty": (2, 2), "bad": (0, 1)}
    assert scores.accuracy == pytest.approx(2 / 3)
    assert math.isnan(evaluate_analogies(vectors, words, [("s", "x", "y", "z", "w")]).accuracy)
