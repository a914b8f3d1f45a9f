"""text.word2vec: sgns_step's hand-written gradient is autograd's (repeated ids in a batch, work buffers or not);
inside train() itself every skip-gram and CBOW step moves both tables by -lr × autograd's gradient and each epoch
trains on every example once; bag_members lists each bag's positions; train_word2vec is repeatable per seed, learns
(the loss falls from (1 + K)·ln 2), counts its words, returns float32 (V, dim) vectors and gives torch's thread
count back."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlpractice.text import Word2VecParams, negative_sampling_loss, train_word2vec
from dlpractice.text import word2vec as w2v

V, D, K, LR = 7, 5, 3, 0.05


def tables(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Input and output tables (V, D) in float64, both random (the outputs start at zero only in training)."""
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn(V, D, generator=generator, dtype=torch.float64) * 0.5,
            torch.randn(V, D, generator=generator, dtype=torch.float64) * 0.5)


def autograd_of_summed_loss(inputs, outputs, hidden_of, targets):
    """Gradients of the batch's summed loss (B × negative_sampling_loss, which averages) w.r.t. the hidden vectors,
    the input table and the output table; `hidden_of(inputs)` builds the hidden vectors from the input table."""
    inputs, outputs = inputs.clone().requires_grad_(), outputs.clone().requires_grad_()
    hidden = hidden_of(inputs)
    hidden.retain_grad()
    loss = len(targets) * negative_sampling_loss(hidden, outputs[targets[:, 0]], outputs[targets[:, 1:]])
    loss.backward()
    return hidden.grad, inputs.grad, outputs.grad, loss.item() / len(targets)


@pytest.mark.parametrize("with_work", [False, True])
def test_sgns_step_equals_autograd_skip_gram(with_work: bool) -> None:
    """A batch of 8 centres with repeated centres and repeated target ids (24 targets over 7 words): the returned
    step is -lr × the hidden vectors' gradient, the output table moves by -lr × its gradient, adding the steps
    at the centres (as train() does) moves the input table by -lr × its gradient, and the loss is the batch mean.
    The same with reused work buffers larger than needed."""
    inputs, outputs = tables(0)
    generator = torch.Generator().manual_seed(1)
    centre = torch.tensor([0, 2, 2, 5, 0, 6, 2, 1])
    targets = torch.randint(0, V, (len(centre), 1 + K), generator=generator)
    targets[1, 0] = targets[1, 2] = targets[4, 1]  # the same word as target and noise, within and across rows
    grad_hidden, grad_inputs, grad_outputs, loss = autograd_of_summed_loss(inputs, outputs, lambda t: t[centre],
                                                                           targets)
    work = None
    if with_work:
        size = len(centre) * (1 + K) * D + 13
        work = (torch.full((size,), float("nan"), dtype=torch.float64),
                torch.full((size,), float("nan"), dtype=torch.float64))
    updated = outputs.clone()
    step, ours_loss = w2v.sgns_step(inputs, updated, inputs[centre], targets, LR, work)
    assert step.shape == (len(centre), D)
    assert torch.allclose(step, -LR * grad_hidden, rtol=0, atol=1e-12)
    assert torch.allclose(updated, outputs - LR * grad_outputs, rtol=0, atol=1e-12)
    assert torch.allclose(inputs.clone().index_add_(0, centre, step), inputs - LR * grad_inputs, rtol=0, atol=1e-12)
    assert ours_loss == pytest.approx(loss, abs=1e-12)
    assert grad_outputs.abs().sum() > 0 and grad_inputs.abs().sum() > 0
    _, no_loss = w2v.sgns_step(inputs, outputs.clone(), inputs[centre], targets, LR, with_loss=False)
    assert no_loss is None


class Spy:
    """Wraps train()'s calls to sgns_step (and, for CBOW, to F.embedding_bag) and keeps, per step, copies of both
    tables before it, the hidden vectors, targets, learning rate and the bags the hidden vectors came from."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.steps: list[dict] = []
        self.bags: list[tuple[torch.Tensor, torch.Tensor]] = []
        real_step, real_bag = w2v.sgns_step, F.embedding_bag

        def step(inputs, outputs, hidden, targets, lr, *args, **kwargs):
            self.steps.append(dict(inputs=inputs.clone(), outputs=outputs.clone(), hidden=hidden.clone(),
                                   targets=targets.clone(), lr=lr, bag=self.bags[-1] if self.bags else None))
            return real_step(inputs, outputs, hidden, targets, lr, *args, **kwargs)

        def embedding_bag(words, table, offsets, mode):
            self.bags.append((words.clone(), offsets.clone()))
            return real_bag(words, table, offsets, mode=mode)

        class Functional:  # torch.nn.functional, with embedding_bag spied on
            def __getattr__(self, name):
                return embedding_bag if name == "embedding_bag" else getattr(F, name)

        monkeypatch.setattr(w2v, "sgns_step", step)
        monkeypatch.setattr(w2v, "F", Functional())


@pytest.mark.parametrize("architecture", ["skip_gram", "cbow"])
def test_train_steps_equal_autograd(monkeypatch: pytest.MonkeyPatch, architecture: str) -> None:
    """train() itself, on a toy corpus in batches of 5: each step moves the input table by -lr × the gradient of the
    batch's summed loss w.r.t. it (skip-gram: hidden = the centre's row; CBOW: hidden = the mean of the bag's rows,
    so each bag word gets its share of the step), and the output table by -lr × its gradient."""
    spy = Spy(monkeypatch)
    rng = np.random.default_rng(0)
    sentences = [rng.integers(0, V, n) for n in (9, 1, 12, 6)]
    counts = np.bincount(np.concatenate(sentences), minlength=V)
    params = Word2VecParams(architecture, dim=D, window=3, negatives=K, sample=0.0, epochs=2, lr=0.5, min_lr=0.1,
                            batch_size=5)
    train_word2vec(sentences, counts, params, seed=0)
    assert len(spy.steps) > 8
    moved = 0
    for before, after in zip(spy.steps, spy.steps[1:]):
        inputs, outputs = before["inputs"].double(), before["outputs"].double()
        if architecture == "skip_gram":
            matches = (before["hidden"][:, None, :] == before["inputs"][None]).all(dim=2)  # (B, V)
            assert (matches.sum(dim=1) == 1).all()  # every hidden vector is one word's row: its centre
            centre = matches.float().argmax(dim=1)

            def hidden_of(table, centre=centre):
                return table[centre]
        else:
            words, offsets = before["bag"]

            def hidden_of(table, words=words, offsets=offsets):
                return F.embedding_bag(words, table, offsets, mode="mean")
        assert torch.allclose(hidden_of(inputs).float(), before["hidden"], atol=1e-7)
        _, grad_inputs, grad_outputs, _ = autograd_of_summed_loss(inputs, outputs, hidden_of, before["targets"])
        lr = before["lr"]
        assert torch.allclose(after["inputs"].double(), inputs - lr * grad_inputs, atol=1e-6)
        assert torch.allclose(after["outputs"].double(), outputs - lr * grad_outputs, atol=1e-6)
        moved += bool(grad_inputs.abs().sum() > 0)
    assert moved > 4  # not only the first steps, where the output table is still zero and the inputs cannot move


@pytest.mark.parametrize("architecture", ["skip_gram", "cbow"])
def test_each_epoch_trains_on_every_example_once(monkeypatch: pytest.MonkeyPatch, architecture: str) -> None:
    """With window 1 (every span is 1) and no subsampling the examples are fixed: each epoch's steps, together, hold
    every (centre, context word) pair of skip_gram_pairs, or every (centre, bag) of cbow_windows, exactly once."""
    from collections import Counter

    from dlpractice.text import cbow_windows, skip_gram_pairs

    spy = Spy(monkeypatch)
    rng = np.random.default_rng(1)
    sentences = [rng.integers(0, V, n) for n in (9, 1, 12, 6)]
    ids = np.concatenate(sentences)
    sentence_of = np.repeat(np.arange(len(sentences)), [len(x) for x in sentences])
    spans = np.ones(len(ids), dtype=np.int64)
    params = Word2VecParams(architecture, dim=D, window=1, negatives=K, sample=0.0, epochs=2, batch_size=4)
    train_word2vec(sentences, np.bincount(ids, minlength=V), params, seed=0)
    seen = []
    for step in spy.steps:
        targets = step["targets"][:, 0].tolist()
        if architecture == "skip_gram":
            centres = (step["hidden"][:, None, :] == step["inputs"][None]).all(dim=2).float().argmax(dim=1)
            seen += zip(centres.tolist(), targets)
        else:
            words, offsets = step["bag"]
            ends = offsets[1:].tolist() + [len(words)]
            seen += [(t, tuple(sorted(words[a:b].tolist()))) for t, a, b in zip(targets, offsets.tolist(), ends)]
    if architecture == "skip_gram":
        expected = Counter(zip(*(x.tolist() for x in skip_gram_pairs(ids, sentence_of, spans))))
    else:
        centres, words, offsets = cbow_windows(ids, sentence_of, spans)
        ends = np.r_[offsets[1:], len(words)]
        expected = Counter((int(c), tuple(sorted(words[a:b].tolist()))) for c, a, b in zip(centres, offsets, ends))
    n = sum(expected.values())
    assert len(seen) == 2 * n
    assert Counter(seen[:n]) == expected and Counter(seen[n:]) == expected
    assert seen[:n] != seen[n:]  # shuffled afresh each epoch


def test_bag_members() -> None:
    """Positions start .. start + size - 1 of each bag, bag after bag (an empty bag contributes nothing)."""
    members = w2v.bag_members(torch.tensor([5, 0, 9, 3]), torch.tensor([2, 3, 0, 1]))
    assert members.tolist() == [5, 6, 0, 1, 2, 3]
    assert w2v.bag_members(torch.tensor([4]), torch.tensor([1])).tolist() == [4]


@pytest.mark.parametrize("architecture", ["skip_gram", "cbow"])
def test_same_seed_same_vectors(lee, architecture: str) -> None:
    """One epoch of 16 dimensions: the same seed gives identical vectors, another seed other vectors; the output is
    finite float32 (V, dim) and the loss falls within the epoch."""
    params = Word2VecParams(architecture, dim=16, epochs=1)
    first = train_word2vec(lee.ids, lee.vocab.counts, params, seed=0)
    assert first.vectors.dtype == np.float32 and first.vectors.shape == (len(lee.vocab), 16)
    assert np.isfinite(first.vectors).all()
    assert np.array_equal(first.vectors, train_word2vec(lee.ids, lee.vocab.counts, params, seed=0).vectors)
    assert not np.allclose(first.vectors, train_word2vec(lee.ids, lee.vocab.counts, params, seed=1).vectors)
    assert first.losses[-1] < first.losses[0]


def test_training_on_lee(lee, our_word2vec, small_params) -> None:
    """Two epochs of skip-gram (the session's run): the first recorded loss is (1 + K)·ln 2 (the output vectors start
    at zero, so every score is 0), the last is well below it; words = tokens × epochs; float32 (V, 32)."""
    result, params = our_word2vec, small_params
    assert (params.architecture, params.dim) == ("skip_gram", 32)
    assert result.vectors.dtype == np.float32 and result.vectors.shape == (len(lee.vocab), 32)
    assert np.isfinite(result.vectors).all()
    assert result.losses[0] == pytest.approx((1 + params.negatives) * math.log(2), rel=1e-5)
    assert result.losses[-1] < result.losses[0] - 0.5
    assert np.isfinite(result.losses).all()
    tokens = sum(len(s) for s in lee.ids)
    assert result.words == tokens * params.epochs
    assert result.seconds > 0 and result.words_per_second == result.words / result.seconds


def test_threads_while_training_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """train_word2vec runs on `threads` threads and puts torch's setting back afterwards."""
    seen = []
    real_train = w2v.train

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return real_train(*args, **kwargs)

    monkeypatch.setattr(w2v, "train", spy)
    sentences = [np.array([0, 1, 2, 1, 0]), np.array([2, 2, 1])]
    counts = np.array([2, 3, 3])
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        result = train_word2vec(sentences, counts, Word2VecParams(dim=4, epochs=1), seed=0, threads=1)
        assert seen == [1] and torch.get_num_threads() == 2
        assert result.vectors.shape == (3, 4) and result.words == 8
    finally:
        torch.set_num_threads(previous)
