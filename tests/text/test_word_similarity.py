"""text.word_similarity: evaluate_word_pairs gives gensim's `KeyedVectors.evaluate_word_pairs` Spearman and OOV
count on WordSim-353 and SimLex-999, matches words case-insensitively, and is NaN with fewer than 3 pairs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath
from scipy import stats

from dlpractice.text import evaluate_word_pairs, read_word_pairs


@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.txt"])
def test_equals_gensim_evaluate_word_pairs(gensim_model, name: str) -> None:
    """The gensim model's vectors in gensim's order: the same Spearman, and the OOV count behind gensim's OOV %."""
    wv = gensim_model.wv
    pairs = read_word_pairs(datapath(name))
    ours = evaluate_word_pairs(wv.vectors, wv.index_to_key, pairs)
    _, spearman, oov_percent = wv.evaluate_word_pairs(datapath(name))
    assert ours.pairs >= 20 and ours.oov > 0  # Lee's small vocabulary misses many pairs
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-9)
    assert 100 * ours.oov / (ours.pairs + ours.oov) == pytest.approx(oov_percent, abs=1e-9)
    assert len(ours.human) == len(ours.model) == ours.pairs
    assert ours.pairs + ours.oov == len(pairs)


def test_read_word_pairs_skips_comments_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("# word1\tword2\tscore\nTiger\tCat\t7.35\nbad line\n\ncup\tcoffee\tnot-a-number\nA\tb\t1\n")
    assert read_word_pairs(path) == [("tiger", "cat", 7.35), ("a", "b", 1.0)]


def unit_circle(angles_degrees: list[float]) -> np.ndarray:
    radians = np.radians(angles_degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1)


def test_cosines_case_insensitive_and_spearman() -> None:
    """Vectors at known angles, a vocabulary spelt in capitals: the model's scores are the cosines, lower-case pairs
    find the words, and the Spearman is scipy's of the two lists."""
    words = ["Cat", "DOG", "car", "Tree"]
    vectors = unit_circle([0, 30, 90, 180]) * np.array([[1.0], [3.0], [0.5], [2.0]])  # lengths do not matter
    pairs = [("cat", "dog", 9.0), ("cat", "car", 5.0), ("dog", "tree", 1.0), ("cat", "tree", 0.5), ("cat", "x", 3)]
    scores = evaluate_word_pairs(vectors, words, pairs)
    assert (scores.pairs, scores.oov) == (4, 1)
    assert np.allclose(scores.model, np.cos(np.radians([30, 90, 150, 180])))
    assert scores.human.tolist() == [9.0, 5.0, 1.0, 0.5]
    assert scores.spearman == pytest.approx(1.0)
    assert scores.spearman == pytest.approx(stats.spearmanr(scores.human, scores.model).statistic)


def test_case_insensitive_like_gensim(tmp_path: Path) -> None:
    """Mixed-case keys and a mixed-case pairs file: the same Spearman and OOV share as gensim (case_insensitive)."""
    rng = np.random.default_rng(0)
    words = ["Paris", "france", "BERLIN", "Germany", "rome", "Italy", "madrid"]
    kv = KeyedVectors(vector_size=5)
    kv.add_vectors(words, rng.normal(size=(len(words), 5)).astype(np.float32))
    path = tmp_path / "pairs.tsv"
    lines = ["paris\tFRANCE\t8", "Berlin\tgermany\t7.5", "ROME\titaly\t2", "paris\tberlin\t6", "madrid\tSPAIN\t9",
             "Rome\tMadrid\t4"]
    path.write_text("\n".join(lines) + "\n")
    ours = evaluate_word_pairs(kv.vectors, kv.index_to_key, read_word_pairs(path))
    _, spearman, oov_percent = kv.evaluate_word_pairs(str(path))
    assert (ours.pairs, ours.oov) == (5, 1)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-9)
    assert 100 * ours.oov / (ours.pairs + ours.oov) == pytest.approx(oov_percent)


def test_nan_with_fewer_than_three_pairs() -> None:
    vectors, words = unit_circle([0, 45, 90]), ["a", "b", "c"]
    two = evaluate_word_pairs(vectors, words, [("a", "b", 1.0), ("b", "c", 2.0), ("a", "zzz", 3.0)])
    assert two.pairs == 2 and math.isnan(two.spearman)
    assert math.isnan(evaluate_word_pairs(vectors, words, []).spearman)
    three = evaluate_word_pairs(vectors, words, [("a", "b", 1.0), ("b", "c", 2.0), ("a", "c", 3.0)])
    assert not math.isnan(three.spearman)
