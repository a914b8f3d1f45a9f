"""The reference: gensim's Word2Vec (optimised C, one thread per worker) with our hyperparameters, on our tokens.

gensim builds its own vocabulary from the same token lists with the same `min_count`; its vectors are returned in
our vocabulary's order so that every evaluation reads both models the same way. With workers > 1 gensim is not
bit-for-bit repeatable (threads take sentences in whatever order they come), even with a seed.
"""

from __future__ import annotations

import logging
import time
from typing import Sequence

import numpy as np

from dlpractice.text.vocabulary import Vocabulary
from dlpractice.text.word2vec import Word2VecParams, Word2VecResult


def train_gensim(sentences: Sequence[Sequence[str]], vocab: Vocabulary, params: Word2VecParams, min_count: int,
                 seed: int, workers: int) -> Word2VecResult:
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.WARNING)
    model = Word2Vec(vector_size=params.dim, window=params.window, min_count=min_count,
                     sg=int(params.architecture == "skip_gram"), hs=0, negative=params.negatives, ns_exponent=0.75,
                     sample=params.sample, alpha=params.lr, min_alpha=params.min_lr, workers=workers, seed=seed,
                     cbow_mean=1)
    model.build_vocab(sentences)  # not timed, like our vocabulary
    start = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=params.epochs)
    seconds = time.perf_counter() - start
    if set(model.wv.index_to_key) != set(vocab.words):
        raise RuntimeError("gensim's vocabulary differs from ours: the two models would not be comparable")
    vectors = np.stack([model.wv[w] for w in vocab.words])
    # the tokens of the vocabulary, as ours counts them (corpus_total_words also counts words below min_count)
    return Word2VecResult(vectors, seconds, int(vocab.counts.sum() * params.epochs))
