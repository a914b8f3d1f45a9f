"""Checks for lab 07 (embeddings): `from dlpractice.checks import lab07 as check`, then `check.NAME(answer)`.

Each check runs the answer on more cases than the notebook shows and compares it with the library's version in
`dlpractice.text` (one-hot lookup, word2vec's dynamic window, gensim's keep probability, the negative-sampling
loss, cosine neighbours, 3CosAdd analogies, mean pooling):
- shapes at their edges: ids of shape () and (B, T), a batch of one, K = 1 noise word, k = 1 and k = V - 1
  neighbours, a one-word sentence, a vocabulary of one word, T = 1 and D = 1;
- float64 in, float64 out, and gradients that reach every input the text says they reach;
- data chosen so that the classic shortcut gives another answer: repeated words and spans longer than the
  sentence; one huge word, words below the threshold and one on the p = 1 boundary; scores of ±200 (where
  log(sigmoid(x)) underflows) and zero vectors; rows of very different lengths (dot product ≠ cosine), a row
  parallel to the query, a vocabulary where every candidate scores below 0; padding with large values under it,
  left padding and an all-ones mask.
When a wrong answer is a classic mistake (dot product for cosine, the word among its own neighbours, padding
averaged in, the paper's discard formula, no cap at 1, j wrapping around to the end of the list...) the hint says
which. Checks fork the random state, so calling one never changes the numbers a notebook draws afterwards.
"""

from __future__ import annotations

import math
import numbers
import random
from collections import Counter
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from dlpractice.checks.core import CheckFailed, exercise, expect, expect_close, expect_dtype
from dlpractice.checks.tensors import answer, close, expect_tensor, isolated
from dlpractice.text import context_windows
from dlpractice.text.analogies import solve_analogy
from dlpractice.text.embedding_lookup import one_hot_lookup
from dlpractice.text.negative_sampling import negative_sampling_loss as reference_loss
from dlpractice.text.neighbours import nearest_neighbours as reference_neighbours
from dlpractice.text.neighbours import unit_rows
from dlpractice.text.sentence_embeddings import mean_pooling as reference_pooling
from dlpractice.text.subsampling import keep_probability as reference_keep

__all__ = ["embedding_lookup", "skip_gram_pairs", "keep_probability", "negative_sampling_loss",
           "nearest_neighbours", "analogy", "mean_pooling"]


def graph_nodes(t: Tensor) -> set[str]:
    """The names of the autograd nodes `t` was computed through (IndexBackward0, MmBackward0, ...)."""
    seen, names, todo = set(), set(), [t.grad_fn]
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        todo.extend(next_node for next_node, _ in node.next_functions)
    return names


def gradients(out: Tensor, inputs: list[Tensor], weights: Tensor | None = None) -> list[Tensor | None]:
    """d(sum(out · weights))/d(input) for each input (None where no gradient reaches it)."""
    return list(torch.autograd.grad(out, inputs, grad_outputs=weights, allow_unused=True))


def leaf(t: Tensor) -> Tensor:
    """A copy of `t` that requires grad, as a parameter does."""
    return t.detach().clone().requires_grad_(True)


# --------------------------------------------------------------------------- 1. embedding lookup

# Nodes that mean the rows were looked up by indexing weight with the ids, not by a one-hot product.
INDEXING = {"IndexBackward0": "weight[ids]", "EmbeddingBackward0": "F.embedding", "IndexSelectBackward0":
            "index_select", "GatherBackward0": "gather", "TakeBackward0": "take"}

LOOKUP_ERRORS = {
    "shapes cannot be multiplied": "F.one_hot(ids) guesses the number of classes from the largest id in `ids`; "
                                   "pass num_classes=weight.shape[0] (V) so that every one-hot row has V entries.",
    "long int !=": "F.one_hot returns int64: convert it with .to(weight.dtype) before the product.",
    "float != double": "convert the one-hot rows to weight's own dtype (.to(weight.dtype)), not to float32 "
                       "(.float()): weight may be float64.",
    "does not require grad": "keep the result on the autograd graph (no .detach(), torch.no_grad() or NumPy).",
    "requires grad": "stay in torch: .numpy() is not allowed on a tensor that requires grad, and the gradient "
                     "must reach `weight`.",
}


def _lookup_cases() -> list[tuple[str, Tensor, Tensor]]:
    gen = torch.Generator().manual_seed(70)
    w = torch.randn(10, 4, generator=gen)
    return [
        ("V=10, D=4, ids [3, 0, 9, 3] (a repeated id, the first and the last row)", w, torch.tensor([3, 0, 9, 3])),
        # the largest id is not V - 1: F.one_hot without num_classes makes rows that are too short
        ("ids (B, T) = (2, 5), none of them V - 1", w, torch.randint(0, 7, (2, 5), generator=gen)),
        ("ids a scalar (shape ())", w, torch.tensor(6)),
        ("a batch of one: ids [2]", w, torch.tensor([2])),
        ("ids (1, 1)", w, torch.tensor([[9]])),
        ("D = 1", torch.randn(7, 1, generator=gen), torch.tensor([1, 6, 0])),
        ("a vocabulary of one word", torch.randn(1, 3, generator=gen), torch.tensor([0, 0])),
        ("float64 weight, ids (3, 2)", torch.randn(8, 5, generator=gen, dtype=torch.float64),
         torch.tensor([[7, 1], [1, 4], [0, 7]])),
    ]


@exercise("embedding_lookup")
@isolated
def embedding_lookup(fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """fn(weight (V, D), ids (...) int64) -> (..., D) in weight's dtype: one_hot(ids) @ weight, on the graph."""
    for case, w, ids in _lookup_cases():
        weight = leaf(w)  # as nn.Embedding's weight: a parameter the gradient must reach
        got = answer(fn, weight, ids.clone(), case=case, hints=LOOKUP_ERRORS)
        expect_tensor(got, case)
        expected = one_hot_lookup(w, ids)
        v, d = w.shape
        shape = tuple(ids.shape) + (d,)
        if tuple(got.shape) != shape:
            if tuple(got.shape) == tuple(ids.shape) + (v,):
                raise CheckFailed(f"case '{case}': shape {tuple(got.shape)} is the one-hot matrix's. Hint: multiply "
                                  "the one-hot rows by weight (V, D) to get one D-vector per id.")
            if got.numel() == expected.numel():
                raise CheckFailed(f"case '{case}': expected shape {shape} (ids.shape + (D,)), got "
                                  f"{tuple(got.shape)}. Hint: keep every dimension of ids, also those of size 1 "
                                  "(no .squeeze(), no .view(-1)).")
            raise CheckFailed(f"case '{case}': expected shape {shape} (ids.shape + (D,)), got {tuple(got.shape)}.")
        expect_dtype(got, w.dtype, case)
        expect_close(got, expected, case, atol=1e-6, hint="row i of one_hot(ids) @ weight is row ids[i] of weight.")
        expect(got.requires_grad, case, "the result is cut off from the autograd graph, so no gradient reaches "
               "`weight`. Hint: no .detach(), .data, torch.no_grad() or NumPy on the way.")
        used = sorted(name for node, name in INDEXING.items() if node in graph_nodes(got))
        expect(not used, case, f"the rows were looked up by indexing ({', '.join(used)}). Hint: the exercise asks "
               "for the one-hot product, F.one_hot(ids, num_classes=V).to(weight.dtype) @ weight (the same numbers, "
               "which is the point: an embedding is a linear layer applied to one-hot rows).")
        # the gradient of sum(out · g) with respect to weight is one_hot(ids)ᵀ @ g: a repeated id adds up
        g = torch.randn(shape, dtype=w.dtype)
        (grad,) = gradients(got, [weight], g)
        expect(grad is not None, case, "no gradient reaches `weight`. Hint: compute the result from weight itself.")
        one_hot = F.one_hot(ids.reshape(-1), v).to(w.dtype)
        expect_close(grad, one_hot.T @ g.reshape(-1, d), case + ", gradient with respect to weight", atol=1e-5,
                     hint="each row of weight gets the sum of the output gradients of the positions that use it.")


# --------------------------------------------------------------------------- 2. skip-gram pairs

def reference_pairs(ids: list[int], spans: list[int]) -> list[tuple[int, int]]:
    """The library's (vectorised) pairs, for one sentence."""
    centres, contexts = context_windows.skip_gram_pairs(np.array(ids, dtype=np.int64), np.zeros(len(ids), np.int64),
                                                        np.array(spans, dtype=np.int64))
    return list(zip(centres.tolist(), contexts.tolist()))


def pairs_variant(ids: list[int], spans: list[int], mistake: str) -> list[tuple[int, int]]:
    """The pairs with one classic mistake."""
    n, pairs = len(ids), []
    for i, centre in enumerate(ids):
        s = spans[i]
        if mistake == "one short":
            js = range(max(0, i - s + 1), min(n, i + s))
        elif mistake == "right end one short":  # range(i - s, i + s): the end is exclusive
            js = range(max(0, i - s), min(n, i + s))
        elif mistake == "wraps":  # a negative j indexes from the end of the list
            js = range(i - s, min(n, i + s + 1))
        elif mistake == "right only":
            js = range(i + 1, min(n, i + s + 1))
        elif mistake == "left only":
            js = range(max(0, i - s), i)
        elif mistake == "widest span":
            js = range(max(0, i - max(spans)), min(n, i + max(spans) + 1))
        elif mistake == "last dropped":  # min(len(ids) - 1, ...) as the end of the range
            js = range(max(0, i - s), min(n - 1, i + s + 1))
        else:
            js = range(max(0, i - s), min(n, i + s + 1))
        for j in js:
            if j != i or mistake == "with itself":
                pairs.append((i, j) if mistake == "positions" else (ids[j], centre) if mistake == "swapped"
                             else (centre, ids[j]))
    return pairs


PAIR_MISTAKES = {
    "wraps": "j went negative and wrapped around to the end of the list (ids[-1] is the last word): start the "
             "range at max(0, i - spans[i]).",
    "one short": "the span includes only up to spans[i] - 1: the window reaches spans[i] words on each side, "
                 "|i - j| <= spans[i] (range(max(0, i - spans[i]), min(len(ids), i + spans[i] + 1))).",
    "right end one short": "the span includes only up to spans[i] - 1 on the right: range's end is exclusive, so "
                           "it must be i + spans[i] + 1.",
    "right only": "only the words after the centre: the window reaches spans[i] words on both sides.",
    "left only": "only the words before the centre: the window reaches spans[i] words on both sides.",
    "with itself": "the centre is paired with itself: skip j == i.",
    "positions": "those are positions (i, j): the pairs are word ids, (ids[i], ids[j]).",
    # (context, centre) pairs and pairs taken with spans[j] are the same multiset: one hint names both
    "swapped": "the pairs come out as if each used the context word's span: either they are (context, centre) "
               "(put the centre first, (ids[i], ids[j])), or you used spans[j] where the span belongs to the "
               "centre, spans[i].",
    "widest span": "every centre used the widest span: each centre i has its own span, spans[i].",
    "last dropped": "the last word is never a context: the range ends at min(len(ids), i + spans[i] + 1) "
                    "(exclusive).",
}


def _pair_cases() -> list[tuple[str, list[int], list[int]]]:
    rng = random.Random(71)
    ids = [rng.randrange(6) for _ in range(14)]  # 14 words out of 6: many repeats
    return [
        ("5 different words, spans 1 to 2", [4, 0, 3, 1, 2], [2, 1, 2, 2, 1]),
        ("repeated words (the same pair twice, a word next to itself)", [5, 1, 5, 5, 2, 1], [1, 2, 3, 1, 2, 1]),
        ("spans larger than the sentence", [3, 1, 4, 1], [5, 9, 4, 6]),
        ("every span 1", [7, 8, 9, 7], [1, 1, 1, 1]),
        ("a sentence of one word", [7], [3]),
        ("a sentence of two words", [2, 2], [1, 4]),
        ("14 words out of 6, spans 1 to 5", ids, [rng.randint(1, 5) for _ in ids]),
    ]


def as_pairs(got: Any, case: str) -> list[tuple[int, int]]:
    """The answer as a list of (int, int), or a CheckFailed that says what the form is."""
    expect(got is not None, case, "got None — did you forget to return the list of pairs?")
    expect(isinstance(got, (list, tuple)), case, f"expected a list of (centre_id, context_id) tuples, got "
           f"{type(got).__name__}.")
    pairs = []
    for pair in got:
        ok = (isinstance(pair, (tuple, list)) and len(pair) == 2
              and all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in pair))
        expect(ok, case, f"expected (centre_id, context_id) tuples of two ints, found {pair!r}.")
        pairs.append((int(pair[0]), int(pair[1])))
    return pairs


@exercise("skip_gram_pairs")
@isolated
def skip_gram_pairs(fn: Callable[[list[int], list[int]], list[tuple[int, int]]]) -> None:
    """fn(ids, spans) -> [(ids[i], ids[j]) for every i and every j != i with |i - j| <= spans[i]], any order."""
    for case, ids, spans in _pair_cases():
        ids_arg, spans_arg = list(ids), list(spans)
        got = as_pairs(answer(fn, ids_arg, spans_arg, case=case), case)
        expect(ids_arg == ids and spans_arg == spans, case, "your answer changed `ids` or `spans`; leave its inputs "
               "as they are.")
        expected = Counter(reference_pairs(ids, spans))
        if Counter(got) == expected:
            continue
        if set(got) == set(expected) and len(got) < sum(expected.values()):
            raise CheckFailed(f"case '{case}': {len(got)} pairs, expected {sum(expected.values())}: each pair "
                              "appears once. Hint: a pair that occurs twice in the sentence counts twice (the "
                              "model sees it twice): keep duplicates (a list, not a set).")
        for mistake, hint in PAIR_MISTAKES.items():
            if Counter(got) == Counter(pairs_variant(ids, spans, mistake)):
                raise CheckFailed(f"case '{case}': wrong pairs. Hint: {hint}")
        missing, extra = expected - Counter(got), Counter(got) - expected
        raise CheckFailed(f"case '{case}': ids {ids}, spans {spans}: expected {sum(expected.values())} pairs, got "
                          f"{len(got)}; missing {sorted(missing.elements())[:6]}, not expected "
                          f"{sorted(extra.elements())[:6]}. Hint: for each i, every j != i with |i - j| <= spans[i] "
                          "inside the sentence.")


# --------------------------------------------------------------------------- 3. keep probability

def _keep_cases() -> list[tuple[str, np.ndarray, float]]:
    phi2 = (3 + math.sqrt(5)) / 2  # f / sample = φ² gives p = 1 exactly: sqrt(φ²) + 1 = φ + 1 = φ²
    boundary = np.array([500, 300, 150, 50], dtype=np.int64)  # total 1000: f = 0.05 for the last word
    return [
        # total 1000, sample 0.01: f / sample = 60, 25, 10, 4 (kept with p < 1), 0.9 and 0.1 (below the threshold)
        ("6 words, total 1000, sample 0.01", np.array([600, 250, 100, 40, 9, 1], dtype=np.int64), 0.01),
        ("one huge word (10¹² occurrences) and five rare ones, sample 1e-3",
         np.array([10**12, 1, 1, 3, 7, 50], dtype=np.int64), 1e-3),
        ("every word below the threshold (sample 0.5)", np.array([3, 1, 2, 5], dtype=np.int64), 0.5),
        ("a word exactly at f = sample (p = 2 before the cap)", np.array([10, 80, 10], dtype=np.int64), 0.1),
        ("a word on the boundary p = 1 (f / sample = φ² ≈ 2.618)", boundary, 0.05 / phi2),
        ("a vocabulary of one word, sample 1e-4", np.array([42], dtype=np.int64), 1e-4),
        ("1000 words with Zipf counts, sample 1e-3", (10**6 // np.arange(1, 1001)).astype(np.int64), 1e-3),
    ]


def keep_mistakes(counts: np.ndarray, sample: float) -> list[tuple[np.ndarray, str]]:
    f = counts / counts.sum()
    p = (np.sqrt(f / sample) + 1) * sample / f
    c = counts.astype(np.float64)
    return [
        (np.minimum(1.0, np.sqrt(sample / f)), "that is the paper's formula (keep with probability sqrt(t / f)); "
         "use word2vec's C code and gensim's: p = (sqrt(f / sample) + 1) · sample / f, capped at 1."),
        (1 - np.sqrt(sample / f), "that is the paper's discard formula, 1 - sqrt(t / f) (the probability of "
         "*dropping* a word); return the probability of keeping it, (sqrt(f / sample) + 1) · sample / f, capped at 1."),
        (np.maximum(0.0, 1 - np.sqrt(sample / f)), "that is the paper's discard formula, 1 - sqrt(t / f) (the "
         "probability of *dropping* a word); return the probability of keeping it, "
         "(sqrt(f / sample) + 1) · sample / f, capped at 1."),
        (p, "no cap at 1: rare words get values above 1, which is not a probability; np.minimum(1.0, p)."),
        (1 - np.minimum(1.0, p), "that is the probability of discarding a word: return the probability of keeping "
         "it."),
        (np.minimum(1.0, (np.sqrt(c / sample) + 1) * sample / c), "f is the word's frequency, counts / counts.sum(), "
         "not its raw count."),
        (np.minimum(1.0, (f / sample + 1) * sample / f), "the square root is missing: (sqrt(f / sample) + 1)."),
    ]


@exercise("keep_probability")
@isolated
def keep_probability(fn: Callable[[np.ndarray, float], np.ndarray]) -> None:
    """fn(counts (V,) int64, sample) -> (V,) float64: min(1, (sqrt(f / sample) + 1) · sample / f),
    f = counts / counts.sum()."""
    for case, counts, sample in _keep_cases():
        got = answer(fn, counts.copy(), sample, case=case)
        expect(got is not None, case, "got None — did you forget to return the array?")
        expect(isinstance(got, np.ndarray), case, f"expected a NumPy array, got {type(got).__name__}.")
        expected = reference_keep(counts, sample)
        expect(got.shape == expected.shape, case, f"expected shape {expected.shape} (one probability per word), "
               f"got {got.shape}.")
        expect_dtype(got, np.float64, case)
        if close(got, expected, atol=1e-12, rtol=1e-9):
            continue
        with np.errstate(all="ignore"):
            for wrong, hint in keep_mistakes(counts, sample):
                if close(got, wrong, atol=1e-12, rtol=1e-9):
                    raise CheckFailed(f"case '{case}': wrong probabilities. Hint: {hint}")
        if np.any(got > 1 + 1e-12):
            raise CheckFailed(f"case '{case}': some values are above 1. Hint: no cap at 1: np.minimum(1.0, p).")
        expect_close(got, expected, case, atol=1e-12, rtol=1e-9,
                     hint="f = counts / counts.sum(); p = (sqrt(f / sample) + 1) * sample / f, capped at 1.")


# --------------------------------------------------------------------------- 4. negative sampling loss

def _loss_cases() -> list[tuple[str, Tensor, Tensor, Tensor]]:
    gen = torch.Generator().manual_seed(74)

    def batch(b: int, k: int, d: int, dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor, Tensor]:
        return (torch.randn(b, d, generator=gen, dtype=dtype), torch.randn(b, d, generator=gen, dtype=dtype),
                torch.randn(b, k, d, generator=gen, dtype=dtype))

    # scores of ±200: centre·context = -200 in the first row, +200 in the second; negatives·centre = ±200 too
    centre = torch.tensor([[10.0, 10.0, 0.0], [0.0, 10.0, 10.0]])
    context = torch.tensor([[-10.0, -10.0, 0.0], [0.0, 10.0, 10.0]])
    negatives = torch.stack([torch.stack([centre[0], -centre[0]]), torch.stack([centre[1], 0.5 * centre[1]])])
    zeros = batch(3, 4, 5)
    return [
        ("B=4, K=3, D=5", *batch(4, 3, 5)),
        ("B=5, K=1 (one noise word)", *batch(5, 1, 4)),
        ("a batch of one, K=6", *batch(1, 6, 3)),
        ("D = 1", *batch(3, 2, 1)),
        ("B=3, K=3, D=3 (equal sizes)", *batch(3, 3, 3)),
        ("a zero centre vector and a zero noise vector", torch.cat([zeros[0][:2], torch.zeros(1, 5)]), zeros[1],
         zeros[2].index_put((torch.tensor([0]), torch.tensor([1])), torch.zeros(5))),
        ("float64, B=4, K=2, D=6", *batch(4, 2, 6, torch.float64)),
        ("scores of ±200 (float32)", centre, context, negatives),
    ]


LOSS_ERRORS = {"Dimension out of range": "a dimension of size 1 was squeezed away (a batch of one, or K = 1): name "
                                          "the dimension, .squeeze(2) or .squeeze(-1), not .squeeze()."}


def loss_mistakes(centre: Tensor, context: Tensor, negatives: Tensor) -> list[tuple[Tensor, str]]:
    pos = (centre * context).sum(dim=1)
    neg = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
    return [
        (-(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(dim=1)).sum(), "you summed over the batch: take the mean "
         "over the batch (.mean()), the sum only over the K noise words."),
        (-(F.logsigmoid(pos) + F.logsigmoid(-neg).mean(dim=1)).mean(), "you averaged over the K noise words: "
         "sum over them (Σ_k), average only over the batch."),
        (-(F.logsigmoid(pos) + F.logsigmoid(neg).sum(dim=1)).mean(), "the noise words' scores go in with a minus "
         "sign: log σ(-negatives_k · centre) pushes them apart."),
        (-(F.logsigmoid(-pos) + F.logsigmoid(-neg).sum(dim=1)).mean(), "the true context's score goes in as it is: "
         "-log σ(context · centre), no minus sign inside."),
        ((F.logsigmoid(pos) + F.logsigmoid(-neg).sum(dim=1)).mean(), "the loss is *minus* the log-likelihood: "
         "-log σ(...) - Σ log σ(...), a positive number."),
        (-(F.logsigmoid(pos) + F.logsigmoid(-(negatives.sum(dim=1) * centre).sum(dim=1))).mean(), "one log σ per "
         "noise word, then the sum: Σ_k log σ(-negatives_k · centre), not log σ of the summed scores."),
        (-(F.logsigmoid(pos) + F.logsigmoid(-torch.bmm(negatives, context.unsqueeze(2)).squeeze(2)).sum(dim=1)).mean(),
         "the noise words are scored against the centre vector, negatives_k · centre (not against the context)."),
    ]


@exercise("negative_sampling_loss")
@isolated
def negative_sampling_loss(fn: Callable[[Tensor, Tensor, Tensor], Tensor]) -> None:
    """fn(centre (B, D), context (B, D), negatives (B, K, D)) -> scalar:
    mean over the batch of -log σ(context·centre) - Σ_k log σ(-negatives_k·centre)."""
    for case, centre, context, negatives in _loss_cases():
        inputs = [leaf(centre), leaf(context), leaf(negatives)]
        got = answer(fn, *inputs, case=case, hints=LOSS_ERRORS)
        expect_tensor(got, case)
        expected = reference_loss(centre.double(), context.double(), negatives.double())
        if got.shape != ():
            b = centre.shape[0]
            per_row = "one loss per sentence: average them with .mean()" if got.numel() == b else ""
            raise CheckFailed(f"case '{case}': expected a scalar (shape ()), got shape {tuple(got.shape)}. Hint: "
                              f"{per_row or 'the loss is one number: the mean over the batch'}.")
        expect_dtype(got, centre.dtype, case)
        big = "±200" in case
        if not torch.isfinite(got.detach()):
            hint = ("log(sigmoid(x)) underflows: σ(-200) is 0 in float32, and log 0 = -inf. Use F.logsigmoid, which "
                    "stays finite." if big else "look for a log of 0 or a division by 0.")
            raise CheckFailed(f"case '{case}': the loss is {got.item()}, expected {expected.item():.6g}. Hint: {hint}")
        if not close(got, expected, atol=1e-4, rtol=1e-5):
            for wrong, hint in loss_mistakes(centre.double(), context.double(), negatives.double()):
                if close(got, wrong, atol=1e-4, rtol=1e-5):
                    raise CheckFailed(f"case '{case}': the loss is {got.item():.6g}, expected {expected.item():.6g}. "
                                      f"Hint: {hint}")
            if big:  # the ordinary cases passed: the large scores are what breaks it
                raise CheckFailed(f"case '{case}': the loss is {got.item():.6g}, expected {expected.item():.6g}. "
                                  "Hint: log(sigmoid(x)) underflows (σ(-200) is 0 in float32), and clamping it or "
                                  "adding an epsilon changes the value: use F.logsigmoid.")
            expect_close(got, expected, case, atol=1e-4, rtol=1e-5, hint="pos = (centre * context).sum(1); "
                         "neg = bmm(negatives, centre.unsqueeze(2)).squeeze(2); "
                         "-(logsigmoid(pos) + logsigmoid(-neg).sum(1)).mean()")
        expect(got.requires_grad, case, "the loss is cut off from the autograd graph, so nothing would be trained. "
               "Hint: no .detach(), .item(), torch.no_grad() or NumPy on the way.")
        right = [leaf(t.double()) for t in (centre, context, negatives)]
        expected_grads = gradients(reference_loss(*right), right)
        for name, grad, want in zip(("centre", "context", "negatives"), gradients(got, inputs), expected_grads):
            expect(grad is not None, case, f"no gradient reaches `{name}`. Hint: compute the loss from all three "
                   "inputs, without .detach().")
            expect_close(grad, want, f"{case}, gradient with respect to {name}", atol=1e-4, rtol=1e-4,
                         hint="the values are right but the gradient is not: compute the loss with differentiable "
                              "tensor operations only.")


# --------------------------------------------------------------------------- 5. nearest neighbours

def scattered_rows(v: int, d: int, seed: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """Random directions with lengths from 0.03 to 30, so that the dot product ranks long rows first."""
    gen = torch.Generator().manual_seed(seed)
    directions = torch.randn(v, d, generator=gen, dtype=torch.float64)
    lengths = 10 ** (3 * torch.rand(v, 1, generator=gen, dtype=torch.float64) - 1.5)
    return (F.normalize(directions, dim=1) * lengths).to(dtype)


def _neighbour_cases() -> list[tuple[str, Tensor, int, int]]:
    rows = scattered_rows(12, 5, 75)
    parallel = scattered_rows(10, 4, 76)
    parallel[7] = 3 * parallel[2]  # the same direction as row 2, three times longer: cosine 1
    twins = scattered_rows(11, 4, 79)
    twins[9] = twins[3]  # the same vector twice: equal cosines, and a stable sort puts the lower id (3) first
    return [
        ("12 words of very different lengths, index 4, k = 3", rows, 4, 3),
        ("k = 1", rows, 9, 1),
        ("k = V - 1: every other word, in order", rows, 5, 11),
        ("index 0, k = 4", rows, 0, 4),
        ("index V - 1, k = 2", rows, 11, 2),
        ("a word (2) and a copy of it 3 times longer (7), index 2, k = 3", parallel, 2, 3),
        ("the copy (7) of word 2, index 7, k = 2", parallel, 7, 2),
        ("a word (9) whose vector is also word 3's, index 9, k = 3", twins, 9, 3),
        ("two words, k = 1", scattered_rows(2, 3, 77), 1, 1),
        ("float64, 15 words, k = 5", scattered_rows(15, 6, 78, torch.float64), 8, 5),
    ]


def neighbour_mistakes(vectors: np.ndarray, index: int, k: int) -> list[tuple[list[int], str]]:
    def ranked(scores: np.ndarray, exclude: bool = True, descending: bool = True) -> list[int]:
        scores = scores.copy()
        if exclude:
            scores[index] = np.inf if not descending else -np.inf
        order = np.argsort(-scores if descending else scores, kind="stable")
        return order[:k].tolist()

    unit = unit_rows(vectors)
    cosines = unit @ unit[index]
    columns = vectors / np.linalg.norm(vectors, axis=0, keepdims=True)
    return [
        (ranked(vectors @ vectors[index]), "you used the dot product, not the cosine: long rows (frequent words) "
         "would be near everything. Scale each row to length 1 first (F.normalize(vectors, dim=1))."),
        (ranked(cosines, descending=False), "those are the *least* similar words: sort from the highest cosine "
         "down (descending=True)."),
        (ranked(-np.linalg.norm(vectors - vectors[index], axis=1)), "you ranked by Euclidean distance: rank by "
         "cosine similarity (the angle, not the lengths)."),
        (ranked(columns @ columns[index]), "normalise each row (dim=1), not each column (dim=0)."),
    ]


def as_ids(got: Any, case: str, k: int) -> list[int]:
    expect(got is not None, case, "got None — did you forget to return the list?")
    if isinstance(got, (Tensor, np.ndarray)):
        raise CheckFailed(f"case '{case}': expected a list of ints, got a {type(got).__name__}. Hint: .tolist().")
    expect(isinstance(got, (list, tuple)), case, f"expected a list of {k} ints, got {type(got).__name__}.")
    bad = [x for x in got if not isinstance(x, numbers.Integral) or isinstance(x, bool)]
    if bad:
        raise CheckFailed(f"case '{case}': expected a list of ints, found {bad[0]!r} ({type(bad[0]).__name__}) in "
                          "it. Hint: tensor.tolist() gives Python ints.")
    return [int(x) for x in got]


@exercise("nearest_neighbours")
@isolated
def nearest_neighbours(fn: Callable[[Tensor, int, int], list[int]]) -> None:
    """fn(vectors (V, D), index, k) -> the k ids of highest cosine with row `index`, most similar first, itself out."""
    for case, vectors, index, k in _neighbour_cases():
        got = as_ids(answer(fn, vectors.clone(), index, k, case=case), case, k)
        expected = reference_neighbours(vectors.double().numpy(), index, k)[0].tolist()
        if got == expected:
            continue
        if index in got:
            raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: the word itself is among its "
                              f"neighbours (its cosine with itself is 1, and a copy of it may have cosine 1 too, so "
                              "dropping the first result is not enough): set its similarity to -inf before sorting.")
        expect(len(got) == k, case, f"expected {k} ids, got {len(got)}: {got}. Hint: return exactly k neighbours.")
        for wrong, hint in neighbour_mistakes(vectors.double().numpy(), index, k):
            if got == wrong:
                raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: {hint}")
        if sorted(got) == sorted(expected):
            raise CheckFailed(f"case '{case}': the right words in the wrong order: expected {expected}, got {got}. "
                              "Hint: most similar first (sort the cosines in descending order).")
        raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: cosine similarity of every row "
                          "with row `index` (rows scaled to length 1), highest first, `index` itself excluded.")


# --------------------------------------------------------------------------- 6. analogies

def analogy_mistakes(vectors: np.ndarray, a: int, b: int, c: int) -> list[tuple[int, str]]:
    def best(scores: np.ndarray) -> int:
        scores = scores.copy()
        scores[[a, b, c]] = -np.inf
        return int(np.argmax(scores))

    unit = unit_rows(vectors)
    return [
        (best(vectors @ (vectors[b] - vectors[a] + vectors[c])), "you used the raw vectors: scale each row to "
         "length 1 first, so that long vectors (frequent words) do not dominate."),
        (best(vectors @ (unit[b] - unit[a] + unit[c])), "you used the dot product with the raw rows: score with the "
         "unit rows (the cosine), unit @ target."),
        (best(unit @ (vectors[b] - vectors[a] + vectors[c])), "scale a, b and c to length 1 *before* adding them "
         "(unit[b] - unit[a] + unit[c]), not only the rows you compare with."),
        (best(unit @ (unit[a] - unit[b] + unit[c])), "the signs are swapped: a is to b as c is to ?, so the target "
         "is b - a + c."),
        (best(unit @ (unit[a] - unit[c] + unit[b])), "the target is b - a + c (the offset from a to b, added to c)."),
    ]


def _analogy_cases() -> list[tuple[str, Tensor, int, int, int]]:
    """Triples on rows of very different lengths, chosen by a seeded search so that, over the cases, 3CosAdd and
    every classic mistake give different answers (each pair of them differs on some case); and a vocabulary of four
    words where the only candidate scores below 0."""
    vectors = scattered_rows(30, 6, 79)
    data = vectors.double().numpy()
    unit = unit_rows(data)
    cases: list[tuple[str, Tensor, int, int, int]] = []
    n = 1 + len(analogy_mistakes(data, 0, 1, 2))  # the right answer and the mistakes
    apart: set[tuple[int, int]] = set()  # pairs of them told apart so far
    rng = random.Random(79)
    for _ in range(5000):  # a bounded search: the tests check that every pair is told apart
        if len(apart) == n * (n - 1) // 2 and len(cases) >= 4:
            break
        a, b, c = rng.sample(range(30), 3)
        scores = unit @ (unit[b] - unit[a] + unit[c])
        top2 = np.sort(np.delete(scores, [a, b, c]))[-2:]
        if top2[1] - top2[0] < 1e-3 or int(np.argmax(scores)) not in (a, b, c):
            continue  # clear winners only, and ones where the raw best is a question word
        ids = [solve_analogy(unit, a, b, c)] + [wrong for wrong, _ in analogy_mistakes(data, a, b, c)]
        new = {(i, j) for i in range(n) for j in range(i + 1, n) if ids[i] != ids[j]} - apart
        if new or len(apart) == n * (n - 1) // 2:  # then a few more, for answers no one thought of
            apart |= new
            cases.append((f"30 words of very different lengths, a={a}, b={b}, c={c}", vectors, a, b, c))
    # four words: a, b, c and one candidate (1) pointing away from b - a + c, so every candidate score is negative
    small = torch.tensor([[0.0, 0.5, 0.0], [5.0, -5.0, -5.0], [2.0, 0.0, 0.0], [0.0, 0.0, 3.0]], dtype=torch.float64)
    cases.append(("four words, float64: the only candidate has a negative score", small, 2, 0, 3))
    return cases


@exercise("analogy")
@isolated
def analogy(fn: Callable[[Tensor, int, int, int], int]) -> None:
    """fn(vectors (V, D), a, b, c) -> the id d ∉ {a, b, c} of highest cosine with unit[b] - unit[a] + unit[c]."""
    # Every case first, then the verdict: two mistakes may give the same wrong id on one case, so a mistake is named
    # only if the answer agrees with it on every case.
    results = []
    for case, vectors, a, b, c in _analogy_cases():
        got = answer(fn, vectors.clone(), a, b, c, case=case)
        expect(got is not None, case, "got None — did you forget to return the id?")
        if isinstance(got, (Tensor, np.ndarray)):
            raise CheckFailed(f"case '{case}': expected an int, got a {type(got).__name__}. "
                              "Hint: int(scores.argmax()).")
        expect(isinstance(got, numbers.Integral) and not isinstance(got, bool), case,
               f"expected an int (a word id), got {type(got).__name__} {got!r}.")
        data = vectors.double().numpy()
        results.append((case, (a, b, c), int(got), solve_analogy(unit_rows(data), a, b, c),
                        [wrong for wrong, _ in analogy_mistakes(data, a, b, c)]))
    wrong_cases = [(case, abc, got, expected) for case, abc, got, expected, _ in results if got != expected]
    if not wrong_cases:
        return
    case, abc, got, expected = wrong_cases[0]
    if got in abc:
        raise CheckFailed(f"case '{case}': expected {expected}, got {got}, one of the question words. Hint: a, b "
                          "and c are excluded: set their scores to -inf before argmax (0 is not low enough when "
                          "every other score is negative).")
    hints = [hint for _, hint in analogy_mistakes(np.eye(4), 0, 1, 2)]
    for i, hint in enumerate(hints):
        if all(got == mistakes[i] for _, _, got, _, mistakes in results):
            raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: {hint}")
    raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: unit = rows scaled to length 1; "
                      "scores = unit @ (unit[b] - unit[a] + unit[c]); the best id other than a, b and c.")


# --------------------------------------------------------------------------- 7. mean pooling

def _pooling_cases() -> list[tuple[str, Tensor, Tensor]]:
    gen = torch.Generator().manual_seed(77)

    def tokens(b: int, t: int, d: int, dtype: torch.dtype = torch.float32) -> Tensor:
        return torch.randn(b, t, d, generator=gen, dtype=dtype)

    def padded(x: Tensor, mask: Tensor) -> Tensor:  # large values under the padding, as a transformer leaves there
        return torch.where(mask.unsqueeze(-1).bool(), x, 50 + 10 * torch.rand(x.shape, generator=gen, dtype=x.dtype))

    right = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
    left = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1]])
    scattered = torch.tensor([[1, 0, 1, 0, 1, 1]])
    ones = torch.ones(3, 4, dtype=torch.int64)
    float64 = torch.tensor([[1, 1, 0], [1, 1, 1]])
    return [
        ("3 sentences of 5, 3 and 1 tokens, padding on the right", padded(tokens(3, 5, 4), right), right),
        ("padding on the left", padded(tokens(2, 4, 3), left), left),
        ("a batch of one, padding in between", padded(tokens(1, 6, 2), scattered), scattered),
        ("an all-ones mask (no padding)", tokens(3, 4, 5), ones),
        ("T = 1", tokens(2, 1, 3), torch.ones(2, 1, dtype=torch.int64)),
        ("D = 1", padded(tokens(3, 5, 1), right), right),
        ("float64", padded(tokens(2, 3, 4, torch.float64), float64), float64),
    ]


def pooling_mistakes(x: Tensor, mask: Tensor) -> list[tuple[Tensor, str]]:
    m = mask.unsqueeze(-1).to(x.dtype)
    lengths = mask.sum(1)
    first = torch.stack([x[i, :n].mean(0) for i, n in enumerate(lengths.tolist())])
    return [
        (x.mean(1), "padding was averaged in: multiply by the mask and divide by the number of real tokens."),
        ((x * m).sum(1) / x.shape[1], "you divided by T, all positions: divide by each sentence's number of real "
         "tokens, mask.sum(1)."),
        ((x * m).sum(1), "that is the sum of the tokens: divide by the number of real tokens for the mean."),
        (x.sum(1) / m.sum(1), "padding was added in: multiply the token vectors by the mask before summing (the "
         "padding positions hold values too, not zeros)."),
        (first, "padding is not always at the end: use the mask itself, not the first mask.sum() positions."),
    ]


@exercise("mean_pooling")
@isolated
def mean_pooling(fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """fn(token_embeddings (B, T, D), attention_mask (B, T) int64) -> (B, D): the mean over the real tokens."""
    for case, x, mask in _pooling_cases():
        got = answer(fn, x.clone(), mask.clone(), case=case)
        expect_tensor(got, case)
        expected = reference_pooling(x, mask)
        b, t, d = x.shape
        if tuple(got.shape) != (b, d):
            hint = ("average over the tokens (dim=1): one vector per sentence." if tuple(got.shape) in ((b, t), (t, d))
                    else "keep the dimensions of size 1 (no .squeeze())." if got.numel() == b * d
                    else "one D-vector per sentence.")
            raise CheckFailed(f"case '{case}': expected shape {(b, d)} (B, D), got {tuple(got.shape)}. Hint: {hint}")
        expect_dtype(got, x.dtype, case)
        tolerance = dict(atol=1e-9, rtol=1e-9) if x.dtype == torch.float64 else dict(atol=1e-5, rtol=1e-5)
        if close(got, expected, **tolerance):
            continue
        for wrong, hint in pooling_mistakes(x, mask):
            if close(got, wrong, **tolerance):
                raise CheckFailed(f"case '{case}': wrong sentence vectors. Hint: {hint}")
        expect_close(got, expected, case, **tolerance, hint="(token_embeddings * mask).sum(1) / mask.sum(1), the mask "
                     "as (B, T, 1) in the embeddings' dtype.")
