"""text.neighbours: nearest_neighbours ranks by cosine exactly as gensim's `most_similar`, leaves the word itself
out, and a long vector does not win over a well-aligned short one."""

from __future__ import annotations

import numpy as np
import pytest

from dlpractice.text import cosine_similarities, nearest_neighbours
from dlpractice.text.neighbours import unit_rows


@pytest.mark.parametrize("word", ["government", "police", "fire", "president", "australia"])
def test_equals_gensim_most_similar(gensim_model, word: str) -> None:
    wv = gensim_model.wv
    ids, sims = nearest_neighbours(wv.vectors, wv.key_to_index[word], k=10)
    theirs = wv.most_similar(word, topn=10)
    assert [wv.index_to_key[i] for i in ids] == [w for w, _ in theirs]
    assert np.allclose(sims, [s for _, s in theirs], atol=1e-5)
    assert wv.key_to_index[word] not in ids
    assert np.all(np.diff(sims) <= 0)


def test_cosine_not_dot_product() -> None:
    """Query along x: a short vector 6° off beats a long one 39° off (which the dot product would rank first)."""
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [10.0, 8.0], [-1.0, 0.0]])
    assert np.argmax(vectors @ vectors[0]) == 2  # the trap
    ids, sims = nearest_neighbours(vectors, 0, k=3)
    assert ids.tolist() == [1, 2, 3]
    assert np.allclose(sims, [0.9 / np.hypot(0.9, 0.1), 10 / np.hypot(10, 8), -1.0])


def test_self_excluded_even_with_an_exact_duplicate() -> None:
    """A word's exact duplicate is its first neighbour (cosine 1); the word itself does not appear."""
    vectors = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 4.0], [-1.0, 0.5]])
    ids, sims = nearest_neighbours(vectors, 0, k=2)
    assert ids.tolist() == [2, 1]
    assert sims[0] == pytest.approx(1.0)


def test_self_excluded_when_k_exceeds_the_vocabulary() -> None:
    """Asking for more neighbours than there are other words gives the V - 1 others, as gensim's most_similar does."""
    from gensim.models import KeyedVectors

    vectors = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 4.0]])
    kv = KeyedVectors(vector_size=2)
    kv.add_vectors(["a", "b", "c"], vectors.astype(np.float32))
    assert [w for w, _ in kv.most_similar("a", topn=10)] == ["c", "b"]
    ids, sims = nearest_neighbours(vectors, 0, k=10)
    assert ids.tolist() == [2, 1]
    assert np.isfinite(sims).all()


def test_cosine_similarities_and_zero_rows() -> None:
    vectors = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, -2.0]])
    assert np.allclose(cosine_similarities(vectors, np.array([0.0, 5.0])), [0.8, 0.0, -1.0])
    assert np.allclose(unit_rows(vectors), [[0.6, 0.8], [0.0, 0.0], [0.0, -1.0]])
    assert np.allclose(cosine_similarities(vectors, np.zeros(2)), 0.0)
