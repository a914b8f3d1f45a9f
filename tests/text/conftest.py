"""Fixtures of the lab 07 text tests, built once per session: the Lee corpus tokenised with its vocabulary (min_count
5), a small gensim skip-gram trained on it with one worker (so it is repeatable), our own word2vec trained on it for
two epochs, and the packaged MiniLM encoder. No test changes them. Every test runs on one torch thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pytest

from dlpractice.course.runner import torch_threads
from dlpractice.data.lee_corpus import lee_corpus
from dlpractice.text import Vocabulary, Word2VecParams, Word2VecResult, build_vocabulary, tokenize, train_word2vec

MIN_COUNT = 5
SMALL = Word2VecParams(dim=32, epochs=2)  # small and short: these tests check behaviour, not quality


@dataclass(frozen=True)
class Corpus:
    sentences: list[list[str]]  # token lists, one per article
    vocab: Vocabulary
    ids: list[np.ndarray]  # the sentences as word ids (words outside the vocabulary dropped)


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    """One intra-op thread: on a busy 2-core machine two OpenMP threads spin waiting for each other, and MiniLM's
    small batches ran 10-30x slower with two. The previous setting is restored afterwards."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def lee() -> Corpus:
    """gensim's Lee corpus: 300 articles, about 61,000 tokens, 1,815 words seen 5+ times."""
    sentences = [tokenize(doc) for doc in lee_corpus()]
    vocab = build_vocabulary(sentences, MIN_COUNT)
    return Corpus(sentences, vocab, vocab.encode(sentences))


@pytest.fixture(scope="session")
def gensim_model(lee: Corpus):
    """gensim's skip-gram on the Lee corpus: 50 dimensions, 3 epochs, one worker (about 0.5 s)."""
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    return Word2Vec(lee.sentences, vector_size=50, window=5, min_count=MIN_COUNT, sg=1, negative=5, sample=1e-3,
                    workers=1, seed=0, epochs=3)


@pytest.fixture(scope="session")
def small_params() -> Word2VecParams:
    """The parameters of `our_word2vec`: skip-gram, 32 dimensions, 2 epochs, the rest gensim's defaults."""
    return SMALL


@pytest.fixture(scope="session")
def our_word2vec(lee: Corpus, small_params: Word2VecParams) -> Word2VecResult:
    """Our skip-gram on the Lee corpus with `small_params`, seed 0 (about 0.5 s)."""
    return train_word2vec(lee.ids, lee.vocab.counts, small_params, seed=0)


@pytest.fixture(scope="session")
def minilm():
    """The packaged all-MiniLM-L6-v2 (tokenizer and transformer), loaded once."""
    from dlpractice.text import sentence_embeddings

    return sentence_embeddings.load_minilm()
