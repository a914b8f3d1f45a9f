"""word2vec from scratch in PyTorch: skip-gram and CBOW with negative sampling, trained the way gensim trains them.

Each epoch: subsample frequent words, draw a dynamic window per token, build every training example of the epoch
at once (NumPy), shuffle them, and take SGD steps on batches of `batch_size` examples, the learning rate falling
linearly from `lr` to `min_lr` over the whole run. Per example this is gensim's update; batching only changes
how many examples share one step. The loss is summed over the batch, so one batch step equals the per-example
steps gensim takes one after the other, up to the order (measured on the Lee corpus: the same WordSim-353 and
SimLex-999 scores as gensim within noise; 16,384 examples per step diverge to NaN at lr 0.025, 4,096 do not;
1,024 is the fastest of 1,024, 2,048 and 4,096).

The gradient of the negative-sampling loss is written out by hand (`sgns_step`) instead of calling
`loss.backward()`: the two embedding tables are plain tensors updated with `index_add_`, which is 3-5x faster
on a CPU than autograd through `nn.Embedding(sparse=True)` and an optimizer (sparse gradients are coalesced,
that is sorted, at every step). tests/text/test_word2vec.py checks the hand gradient against autograd.
Vectors are initialised as gensim does: input vectors uniform in ±0.5/dim, output vectors zero.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlpractice.course.runner import torch_threads
from dlpractice.text.context_windows import cbow_windows, reduced_windows, skip_gram_pairs
from dlpractice.text.negative_sampling import NoiseSampler
from dlpractice.text.subsampling import keep_probability, subsample

LOSS_EVERY = 10  # steps between two recorded losses


@dataclass(frozen=True)
class Word2VecParams:
    """The hyperparameters both our word2vec and gensim's get (gensim's names in comments)."""

    architecture: Literal["skip_gram", "cbow"] = "skip_gram"  # sg=1 / sg=0
    dim: int = 100  # vector_size
    window: int = 5  # the largest span of the dynamic window
    negatives: int = 5  # negative
    sample: float = 1e-3  # subsampling threshold
    epochs: int = 5
    lr: float = 0.025  # alpha
    min_lr: float = 1e-4  # min_alpha
    batch_size: int = 1024  # examples per SGD step (ours only: gensim takes one example at a time)


@dataclass
class Word2VecResult:
    vectors: np.ndarray  # (V, dim) float32: the input vectors, the word vectors everyone uses
    seconds: float  # training wall time (building the examples included)
    words: int  # tokens read over all epochs, before subsampling: the "words" of words/s
    losses: list[float] = field(default_factory=list)  # mean loss per example, every LOSS_EVERY steps (ours only)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else float("nan")


def sgns_step(inputs: Tensor, outputs: Tensor, hidden: Tensor, targets: Tensor, lr: float,
              work: tuple[Tensor, Tensor] | None = None, with_loss: bool = True) -> tuple[Tensor, float | None]:
    """One SGD step of negative sampling, gradient by hand. hidden (B, D): the centre's input vector (skip-gram) or
    the mean of the context's (CBOW); targets (B, 1 + K): the word to predict, then K noise words. Updates `outputs`
    in place; returns the gradient step for `hidden` (B, D), already multiplied by -lr, and the mean loss (None when
    not `with_loss`: computing it at every step would take a tenth of the training time).

    With s = u · h: d/ds of -log σ(s) is σ(s) - 1 (the true word), of -log σ(-s) is σ(s) (noise words).
    `work`: two buffers of at least B·(1+K)·D floats, reused from step to step. Allocating the two (B, 1+K, D)
    tensors afresh at every step made steps of 4,096 examples 2-10x slower on a virtual machine (each large
    allocation is fresh memory, and first touching it costs page faults).
    """
    shape = (*targets.shape, hidden.shape[1])  # (B, 1+K, D)
    numel = shape[0] * shape[1] * shape[2]
    gathered, product = work if work is not None else (outputs.new_empty(numel), outputs.new_empty(numel))
    u = torch.index_select(outputs, 0, targets.reshape(-1), out=gathered[:numel].view(-1, shape[2])).view(shape)
    scores = torch.mul(u, hidden.unsqueeze(1), out=product[:numel].view(shape)).sum(dim=2)  # (B, 1+K); bmm is 4x slower
    loss = None
    if with_loss:
        with torch.no_grad():
            loss = -(F.logsigmoid(scores[:, 0]) + F.logsigmoid(-scores[:, 1:]).sum(dim=1)).mean().item()
    grad = torch.sigmoid(scores)
    grad[:, 0] -= 1
    grad *= -lr
    step_hidden = torch.bmm(grad.unsqueeze(1), u).squeeze(1)  # (B, D)
    step_outputs = torch.mul(grad.unsqueeze(2), hidden.unsqueeze(1), out=product[:numel].view(shape))
    outputs.index_add_(0, targets.reshape(-1), step_outputs.view(-1, shape[2]))
    return step_hidden, loss


def train_word2vec(sentences: list[np.ndarray], vocab_counts: np.ndarray, params: Word2VecParams, seed: int,
                   threads: int = 1) -> Word2VecResult:
    """Train word vectors on `sentences` (arrays of word ids; `vocab_counts` (V,) the count of each id).

    `threads`: torch's threads while training. One by default: the steps are many small memory-bound operations,
    and on a 2-core machine a second thread made them slower, not faster (Lee corpus, 5 epochs, 1,024 examples
    per step: 1.3-1.4 s with one thread, 2.4-2.6 s with two).
    """
    with torch_threads(threads):
        return train(sentences, vocab_counts, params, seed)


def train(sentences: list[np.ndarray], vocab_counts: np.ndarray, params: Word2VecParams, seed: int) -> Word2VecResult:
    V, D = len(vocab_counts), params.dim
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    inputs = (torch.rand(V, D, generator=generator) - 0.5) / D
    outputs = torch.zeros(V, D)
    noise = NoiseSampler(vocab_counts, seed)
    keep = keep_probability(vocab_counts, params.sample)
    ids = np.concatenate(sentences) if sentences else np.zeros(0, dtype=np.int64)
    sentence_of = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    losses: list[float] = []
    size = params.batch_size * (1 + params.negatives) * D
    work = (torch.empty(size), torch.empty(size))
    start = time.perf_counter()
    for epoch in range(params.epochs):
        kept = subsample(ids, keep, rng)
        tokens, sentence = ids[kept], sentence_of[kept]
        spans = reduced_windows(len(tokens), params.window, rng)
        if params.architecture == "skip_gram":
            centres, contexts = skip_gram_pairs(tokens, sentence, spans)
            order = torch.from_numpy(rng.permutation(len(centres)))
            centres, contexts = torch.from_numpy(centres)[order], torch.from_numpy(contexts)[order]
        else:
            centres_np, bag_words, offsets = cbow_windows(tokens, sentence, spans)
            centres, bag_words = torch.from_numpy(centres_np), torch.from_numpy(bag_words)
            bag_sizes = torch.from_numpy(np.diff(np.r_[offsets, len(bag_words)]))
            offsets = torch.from_numpy(offsets)
            order = torch.from_numpy(rng.permutation(len(centres)))
        n = len(centres)
        negatives = noise.sample((n, params.negatives))  # the whole epoch's at once: one call, not one per step
        for step_index, first in enumerate(range(0, n, params.batch_size)):
            last = first + params.batch_size
            progress = (epoch + first / n) / params.epochs
            lr = params.lr - (params.lr - params.min_lr) * progress
            with_loss = step_index % LOSS_EVERY == 0
            if params.architecture == "skip_gram":
                centre = centres[first:last]
                targets = torch.cat([contexts[first:last].unsqueeze(1), negatives[first:last]], dim=1)  # (B, 1+K)
                step, loss = sgns_step(inputs, outputs, inputs.index_select(0, centre), targets, lr, work, with_loss)
                inputs.index_add_(0, centre, step)
            else:
                batch = order[first:last]
                sizes = bag_sizes[batch]
                words = bag_words[bag_members(offsets[batch], sizes)]  # (M,) the bags' words back to back
                hidden = F.embedding_bag(words, inputs, torch.cumsum(sizes, 0) - sizes, mode="mean")  # (B, D)
                targets = torch.cat([centres[batch].unsqueeze(1), negatives[first:last]], dim=1)
                step, loss = sgns_step(inputs, outputs, hidden, targets, lr, work, with_loss)
                # the mean spreads the hidden vector's step evenly over the bag's words (gensim's cbow_mean=1)
                inputs.index_add_(0, words, torch.repeat_interleave(step / sizes.unsqueeze(1), sizes, dim=0))
            if loss is not None:
                losses.append(loss)
    seconds = time.perf_counter() - start
    return Word2VecResult(inputs.numpy(), seconds, int(len(ids) * params.epochs), losses)


def bag_members(starts: Tensor, sizes: Tensor) -> Tensor:
    """The positions starts[b] .. starts[b] + sizes[b] - 1 of every bag b, concatenated."""
    first_of_bag = torch.cumsum(sizes, 0) - sizes
    within = torch.arange(int(sizes.sum())) - torch.repeat_interleave(first_of_bag, sizes)
    return torch.repeat_interleave(starts, sizes) + within
