"""Words and sentences as vectors: embedding lookups, word2vec from scratch, how word vectors are judged, and
sentence embeddings from a pretrained transformer.

Lab 07. One concept per file: vocabulary.py (tokens and counts), embedding_lookup.py (what nn.Embedding and
nn.EmbeddingBag compute), subsampling.py, context_windows.py and negative_sampling.py (the pieces of word2vec),
word2vec.py (training them, in plain PyTorch), gensim_word2vec.py (the reference run), word_similarity.py,
analogies.py and neighbours.py (evaluation), sentence_embeddings.py (MiniLM with mean pooling), linear_probe.py
(frozen features + logistic regression), plots.py (the figures; not imported here, matplotlib is slow to load).
Corpora are in data/. Like every topic package it may import engine, training, models, data and course, never
labs/, checks/ or another topic package.
"""

from dlpractice.text.analogies import evaluate_analogies, solve_analogy
from dlpractice.text.context_windows import cbow_windows, reduced_windows, skip_gram_pairs
from dlpractice.text.embedding_lookup import bag_of_embeddings, one_hot_lookup
from dlpractice.text.negative_sampling import NoiseSampler, negative_sampling_loss, noise_distribution
from dlpractice.text.neighbours import cosine_similarities, nearest_neighbours
from dlpractice.text.subsampling import keep_probability, subsample
from dlpractice.text.vocabulary import Vocabulary, build_vocabulary, tokenize
from dlpractice.text.word2vec import Word2VecParams, Word2VecResult, train_word2vec
from dlpractice.text.word_similarity import evaluate_word_pairs, read_word_pairs

__all__ = ["NoiseSampler", "Vocabulary", "Word2VecParams", "Word2VecResult", "bag_of_embeddings", "build_vocabulary",
           "cbow_windows", "cosine_similarities", "evaluate_analogies", "evaluate_word_pairs", "keep_probability",
           "nearest_neighbours", "negative_sampling_loss", "noise_distribution", "one_hot_lookup", "read_word_pairs",
           "reduced_windows", "skip_gram_pairs", "solve_analogy", "subsample", "tokenize", "train_word2vec"]
