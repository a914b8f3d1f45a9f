"""Nearest neighbours by cosine similarity: the words whose vectors point the same way as a word's own.

Cosine rather than dot product: frequent words tend to get long vectors, and a dot product would rank them
near everything.
"""

from __future__ import annotations

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row divided by its length (a zero row stays zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def cosine_similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """(V,) cosine of every row of `vectors` with the vector `query`."""
    query = np.asarray(query, dtype=np.float64)
    return unit_rows(np.asarray(vectors, dtype=np.float64)) @ (query / (np.linalg.norm(query) or 1))


def nearest_neighbours(vectors: np.ndarray, index: int, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the k words most similar to word `index` (itself excluded), most similar first, and their cosines."""
    similarity = cosine_similarities(vectors, vectors[index])
    similarity[index] = -np.inf
    best = np.argsort(-similarity, kind="stable")[:min(k, len(similarity) - 1)]  # never the word itself
    return best, similarity[best]
