"""Lab 07 checks: the reference and answers written differently pass; classic wrong answers fail with the right hint;
a stub is 'not attempted'."""

import math

import numpy as np
import torch
import torch.nn.functional as F

from dlpractice.checks import lab07 as check
from dlpractice.text import negative_sampling, sentence_embeddings, subsampling
from dlpractice.text.embedding_lookup import one_hot_lookup
from support.exercise_checks import fails


def test_checks_leave_the_notebooks_random_numbers_alone():
    torch.manual_seed(7)
    expected = torch.randn(3)
    torch.manual_seed(7)
    check.embedding_lookup(one_hot_lookup)
    check.negative_sampling_loss(negative_sampling.negative_sampling_loss)
    assert torch.equal(torch.randn(3), expected)


# ---------------------------------------------------------------- 1. embedding lookup

def lookup_reference(weight, ids):  # the notebook's answer
    return F.one_hot(ids, num_classes=weight.shape[0]).to(weight.dtype) @ weight


def lookup_einsum(weight, ids):  # another correct answer: the one-hot rows by hand, an einsum for the product
    one_hot = (ids.unsqueeze(-1) == torch.arange(weight.shape[0])).to(weight.dtype)
    return torch.einsum("...v,vd->...d", one_hot, weight)


def lookup_flat(weight, ids):  # another correct answer: flatten, multiply, reshape
    one_hot = torch.eye(weight.shape[0], dtype=weight.dtype)[ids.reshape(-1)]
    return (one_hot @ weight).reshape(*ids.shape, weight.shape[1])


def test_embedding_lookup():
    assert check.embedding_lookup(lookup_reference) is True
    assert check.embedding_lookup(one_hot_lookup) is True
    assert check.embedding_lookup(lookup_einsum) is True
    assert check.embedding_lookup(lookup_flat) is True
    fails(check.embedding_lookup, lambda w, ids: F.one_hot(ids).to(w.dtype) @ w, match="pass num_classes")
    fails(check.embedding_lookup, lambda w, ids: F.one_hot(ids, w.shape[0]) @ w, match="F.one_hot returns int64")
    fails(check.embedding_lookup, lambda w, ids: F.one_hot(ids, w.shape[0]).float() @ w,
          match="float64 expected|not to float32")
    fails(check.embedding_lookup, lambda w, ids: w[ids], match="by indexing \\(weight\\[ids\\]\\)")
    fails(check.embedding_lookup, lambda w, ids: F.embedding(ids, w), match="by indexing \\(F.embedding\\)")
    fails(check.embedding_lookup, lambda w, ids: lookup_reference(w.detach(), ids), match="cut off from the autograd")
    fails(check.embedding_lookup, lambda w, ids: lookup_reference(w, ids).squeeze(), match="no .squeeze\\(\\)")
    fails(check.embedding_lookup, lambda w, ids: F.one_hot(ids, w.shape[0]).to(w.dtype),
          match="the one-hot matrix's")
    fails(check.embedding_lookup, lambda w, ids: torch.from_numpy(lookup_reference(w, ids).numpy()),
          match="stay in torch")

    def in_no_grad(weight, ids):
        with torch.no_grad():
            return lookup_reference(weight, ids)

    fails(check.embedding_lookup, in_no_grad, match="cut off from the autograd graph")


# ---------------------------------------------------------------- 2. skip-gram pairs

def pairs_reference(ids, spans):  # the notebook's answer
    pairs = []
    for i, centre in enumerate(ids):
        for j in range(max(0, i - spans[i]), min(len(ids), i + spans[i] + 1)):
            if j != i:
                pairs.append((centre, ids[j]))
    return pairs


def pairs_by_distance(ids, spans):  # another correct answer: NumPy, one distance at a time, NumPy ints inside
    ids, spans = np.asarray(ids), np.asarray(spans)
    pairs = []
    for d in range(1, int(spans.max()) + 1):
        for sign in (-1, 1):
            i = np.arange(len(ids))
            j = i + sign * d
            ok = (j >= 0) & (j < len(ids)) & (spans >= d)
            pairs += list(zip(ids[i[ok]], ids[j[ok]]))
    return pairs


def test_skip_gram_pairs():
    assert check.skip_gram_pairs(pairs_reference) is True
    assert check.skip_gram_pairs(pairs_by_distance) is True
    assert check.skip_gram_pairs(lambda ids, spans: [list(p) for p in reversed(pairs_reference(ids, spans))]) is True

    def wraps(ids, spans):  # no max(0, ...): a negative j reads from the end of the list
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(i - spans[i], min(len(ids), i + spans[i] + 1))
                if j != i]

    fails(check.skip_gram_pairs, wraps, match="wrapped around to the end of the list")

    def one_short(ids, spans):
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(max(0, i - spans[i]), min(len(ids), i + spans[i]))
                if j != i]

    fails(check.skip_gram_pairs, one_short, match="the span includes only up to spans\\[i\\] - 1|only the words before")

    def symmetric_one_short(ids, spans):  # |i - j| < spans[i]
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(len(ids)) if 0 < abs(i - j) < spans[i]]

    fails(check.skip_gram_pairs, symmetric_one_short, match="the span includes only up to spans\\[i\\] - 1")
    fails(check.skip_gram_pairs, lambda ids, spans: list(set(pairs_reference(ids, spans))), match="keep duplicates")
    fails(check.skip_gram_pairs, lambda ids, spans: [(b, a) for a, b in pairs_reference(ids, spans)],
          match="\\(context, centre\\)")

    def span_of_context(ids, spans):
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(len(ids)) if 0 < abs(i - j) <= spans[j]]

    fails(check.skip_gram_pairs, span_of_context, match=r"you used spans\[j\]")

    def positions(ids, spans):
        return [(i, j) for i in range(len(ids)) for j in range(len(ids)) if i != j and abs(i - j) <= spans[i]]

    fails(check.skip_gram_pairs, positions, match="those are positions")

    def with_itself(ids, spans):
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(len(ids)) if abs(i - j) <= spans[i]]

    fails(check.skip_gram_pairs, with_itself, match="paired with itself")

    def right_only(ids, spans):
        return [(c, ids[j]) for i, c in enumerate(ids) for j in range(i + 1, min(len(ids), i + spans[i] + 1))]

    fails(check.skip_gram_pairs, right_only, match="both sides")

    def widest(ids, spans):
        return pairs_reference(ids, [max(spans)] * len(ids))

    fails(check.skip_gram_pairs, widest, match="its own span")

    def sorts(ids, spans):  # reorders the caller's list (same length: only the check's own comparison sees it)
        pairs = pairs_reference(ids, spans)
        ids.sort()
        return pairs

    fails(check.skip_gram_pairs, sorts, match="changed `ids` or `spans`")

    def pops(ids, spans):  # empties the caller's list
        pairs = pairs_reference(ids, spans)
        spans.clear()
        return pairs

    fails(check.skip_gram_pairs, pops, match="changed `spans` in place")
    fails(check.skip_gram_pairs, lambda ids, spans: np.array(pairs_reference(ids, spans)).reshape(-1, 2),
          match="expected a list")


# ---------------------------------------------------------------- 3. keep probability

def keep_reference(counts, sample):  # the notebook's answer
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1) * sample / f)


def keep_torch(counts, sample):  # another correct answer: torch in float64, a loop for the cap
    f = torch.from_numpy(counts).double() / int(counts.sum())
    p = ((f / sample).sqrt() + 1) * sample / f
    return np.array([min(1.0, float(x)) for x in p])


def test_keep_probability():
    assert check.keep_probability(keep_reference) is True
    assert check.keep_probability(subsampling.keep_probability) is True
    assert check.keep_probability(keep_torch) is True
    assert check.keep_probability(lambda counts, sample: np.clip(  # the fraction written t/f + sqrt(t/f)
        sample / (counts / counts.sum()) + np.sqrt(sample * counts.sum() / counts), 0, 1)) is True

    def paper_keep(counts, sample):
        return np.minimum(1.0, np.sqrt(sample / (counts / counts.sum())))

    def paper_discard(counts, sample):
        return 1 - np.sqrt(sample / (counts / counts.sum()))

    fails(check.keep_probability, paper_keep, match="the paper's formula")
    fails(check.keep_probability, paper_discard, match="the paper's discard formula")
    fails(check.keep_probability, lambda counts, sample: (lambda f: (np.sqrt(f / sample) + 1) * sample / f)(
        counts / counts.sum()), match="no cap at 1")
    fails(check.keep_probability, lambda counts, sample: 1 - keep_reference(counts, sample),
          match="probability of discarding")
    fails(check.keep_probability,
          lambda counts, sample: np.minimum(1.0, (np.sqrt(counts / sample) + 1) * sample / counts),
          match="not its raw count")
    fails(check.keep_probability, lambda counts, sample: keep_reference(counts, sample).astype(np.float32),
          match="float64 expected, float32 out")
    fails(check.keep_probability, lambda counts, sample: torch.from_numpy(keep_reference(counts, sample)),
          match="expected a NumPy array")
    fails(check.keep_probability, lambda counts, sample: (lambda f: np.minimum(1.0, (f / sample + 1) * sample / f))(
        counts / counts.sum()), match="square root is missing")

    def normalises_in_place(counts, sample):
        counts *= 2  # the same frequencies, but the caller's array changed
        return keep_reference(counts, sample)

    fails(check.keep_probability, normalises_in_place, match="changed `counts` in place")


def test_the_boundary_word_is_kept_with_probability_one():
    name, counts, sample = check._keep_cases()[4]
    assert "boundary" in name
    assert math.isclose(subsampling.keep_probability(counts, sample)[-1], 1.0, rel_tol=1e-12)


# ---------------------------------------------------------------- 4. negative sampling loss

def loss_reference(centre, context, negatives):  # the notebook's answer
    pos = (centre * context).sum(dim=1)
    neg = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(dim=1)).mean()


def loss_bce(centre, context, negatives):  # another correct answer: binary cross-entropy with logits, einsum
    pos = torch.einsum("bd,bd->b", centre, context)
    neg = torch.einsum("bkd,bd->bk", negatives, centre)
    b = len(centre)
    return (F.binary_cross_entropy_with_logits(pos, torch.ones_like(pos), reduction="sum")
            + F.binary_cross_entropy_with_logits(neg, torch.zeros_like(neg), reduction="sum")) / b


def loss_softplus_loop(centre, context, negatives):  # another correct answer: -log σ(x) = softplus(-x), a loop
    total = 0
    for v, u, noise in zip(centre, context, negatives):
        total = total + F.softplus(-(u @ v)) + F.softplus(noise @ v).sum()
    return total / len(centre)


def test_negative_sampling_loss():
    assert check.negative_sampling_loss(loss_reference) is True
    assert check.negative_sampling_loss(negative_sampling.negative_sampling_loss) is True
    assert check.negative_sampling_loss(loss_bce) is True
    assert check.negative_sampling_loss(loss_softplus_loop) is True

    def log_of_sigmoid(centre, context, negatives):
        pos = (centre * context).sum(dim=1)
        neg = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
        return -(torch.log(torch.sigmoid(pos)) + torch.log(torch.sigmoid(-neg)).sum(dim=1)).mean()

    fails(check.negative_sampling_loss, log_of_sigmoid, match="log\\(sigmoid\\(x\\)\\) underflows.*F.logsigmoid")

    def log_with_epsilon(centre, context, negatives):
        pos = (centre * context).sum(dim=1)
        neg = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
        return -(torch.log(torch.sigmoid(pos) + 1e-10) + torch.log(torch.sigmoid(-neg) + 1e-10).sum(dim=1)).mean()

    fails(check.negative_sampling_loss, log_with_epsilon, match="epsilon changes the value: use F.logsigmoid")

    def variant(sign_neg=-1, sign_pos=1, reduce_k="sum", reduce_b="mean", outer=-1):
        def fn(centre, context, negatives):
            pos = (centre * context).sum(dim=1)
            neg = torch.bmm(negatives, centre.unsqueeze(2)).squeeze(2)
            per_row = F.logsigmoid(sign_pos * pos) + getattr(F.logsigmoid(sign_neg * neg), reduce_k)(dim=1)
            return outer * getattr(per_row, reduce_b)()
        return fn

    fails(check.negative_sampling_loss, variant(reduce_b="sum"), match="summed over the batch")
    fails(check.negative_sampling_loss, variant(reduce_k="mean"), match="averaged over the K noise words")
    fails(check.negative_sampling_loss, variant(sign_neg=1), match="noise words' scores go in with a minus sign")
    fails(check.negative_sampling_loss, variant(sign_pos=-1), match="no minus sign inside")
    fails(check.negative_sampling_loss, variant(outer=1), match="\\*minus\\* the log-likelihood")
    fails(check.negative_sampling_loss, lambda c, x, n: -(F.logsigmoid((c * x).sum(1))
                                                          + F.logsigmoid(-(n.sum(1) * c).sum(1))).mean(),
          match="one log σ per noise word")
    fails(check.negative_sampling_loss, lambda c, x, n: -(F.logsigmoid((c * x).sum(1))
                                                          + F.logsigmoid(-(n @ x.unsqueeze(2))[..., 0]).sum(1)).mean(),
          match="scored against the centre vector")
    fails(check.negative_sampling_loss, lambda c, x, n: -(F.logsigmoid((c * x).sum(1))
                                                          + F.logsigmoid(-torch.bmm(n, c.unsqueeze(2)).squeeze()).sum(1)
                                                          ).mean(),
          match=r"squeezed away.*not .squeeze\(\)")
    fails(check.negative_sampling_loss, lambda c, x, n: -(F.logsigmoid((c * x).sum(1))
                                                          + F.logsigmoid(-(n @ c.unsqueeze(2)).squeeze(2)).sum(1)),
          match="one loss per sentence")
    fails(check.negative_sampling_loss, lambda c, x, n: loss_reference(c.float(), x.float(), n.float()),
          match="float64 expected, float32 out")
    fails(check.negative_sampling_loss, lambda c, x, n: loss_reference(c, x, n.detach()),
          match="no gradient reaches `negatives`")
    fails(check.negative_sampling_loss, lambda c, x, n: loss_reference(c, x, n).detach(), match="cut off")


# ---------------------------------------------------------------- 5. nearest neighbours

def neighbours_reference(vectors, index, k):  # the notebook's answer
    unit = F.normalize(vectors, dim=1)
    sims = unit @ unit[index]
    sims[index] = -float("inf")
    return sims.argsort(descending=True)[:k].tolist()


def neighbours_by_hand(vectors, index, k):  # another correct answer: NumPy, cosines and a sort by hand
    v = vectors.numpy().astype(np.float64)
    query = v[index]
    scored = [(float(row @ query / (np.linalg.norm(row) * np.linalg.norm(query))), i) for i, row in enumerate(v)
              if i != index]
    scored.sort(reverse=True)
    return [i for _, i in scored[:k]]


def test_nearest_neighbours():
    assert check.nearest_neighbours(neighbours_reference) is True
    assert check.nearest_neighbours(neighbours_by_hand) is True
    assert check.nearest_neighbours(lambda v, i, k: [np.int64(x) for x in neighbours_reference(v, i, k)]) is True

    def dot(vectors, index, k):
        sims = vectors @ vectors[index]
        sims[index] = -float("inf")
        return sims.argsort(descending=True)[:k].tolist()

    fails(check.nearest_neighbours, dot, match="you used the dot product, not the cosine")

    def with_itself(vectors, index, k):
        unit = F.normalize(vectors, dim=1)
        return (unit @ unit[index]).argsort(descending=True)[:k].tolist()

    fails(check.nearest_neighbours, with_itself, match="the word itself is among its neighbours")

    def drop_first(vectors, index, k):  # assumes the word itself comes first: not so when a copy also has cosine 1
        unit = F.normalize(vectors.double(), dim=1)
        return (unit @ unit[index]).argsort(descending=True, stable=True)[1:k + 1].tolist()

    def drop_first_numpy(vectors, index, k):
        v = vectors.numpy()
        unit = v / np.linalg.norm(v, axis=1, keepdims=True)
        return np.argsort(-(unit @ unit[index]))[1:k + 1].tolist()

    fails(check.nearest_neighbours, drop_first, match="the word itself is among its neighbours.*a copy")
    fails(check.nearest_neighbours, drop_first_numpy, match="the word itself is among its neighbours.*a copy")

    def ascending(vectors, index, k):
        unit = F.normalize(vectors, dim=1)
        sims = unit @ unit[index]
        sims[index] = float("inf")
        return sims.argsort()[:k].tolist()

    fails(check.nearest_neighbours, ascending, match="\\*least\\* similar")

    def distance(vectors, index, k):
        d = (vectors - vectors[index]).norm(dim=1)
        d[index] = float("inf")
        return d.argsort()[:k].tolist()

    fails(check.nearest_neighbours, distance, match="Euclidean distance")
    fails(check.nearest_neighbours, lambda v, i, k: neighbours_reference(v, i, k + 1), match="exactly k")
    fails(check.nearest_neighbours, lambda v, i, k: torch.tensor(neighbours_reference(v, i, k)), match="tolist")

    def by_columns(vectors, index, k):
        unit = F.normalize(vectors, dim=0)
        sims = unit @ unit[index]
        sims[index] = -float("inf")
        return sims.argsort(descending=True)[:k].tolist()

    fails(check.nearest_neighbours, by_columns, match="each row \\(dim=1\\)")

    def normalises_in_place(vectors, index, k):
        vectors /= vectors.norm(dim=1, keepdim=True)
        return neighbours_reference(vectors, index, k)

    fails(check.nearest_neighbours, normalises_in_place, match="changed `vectors` in place")


def test_the_neighbour_cases_have_no_near_ties():
    # a float32 answer and the float64 reference must agree on the order
    for _, vectors, index, k in check._neighbour_cases():
        unit = F.normalize(vectors.double(), dim=1)
        sims = unit @ unit[index]
        sims[index] = -float("inf")
        top = sims.sort(descending=True).values[:k + 1]
        assert (top[:-1] - top[1:]).min() > 1e-5 or k + 1 > len(top) - 1


def test_dot_product_and_cosine_disagree_on_the_first_case():
    _, vectors, index, k = check._neighbour_cases()[0]
    sims = vectors @ vectors[index]
    sims[index] = -float("inf")
    assert sims.argsort(descending=True)[:k].tolist() != neighbours_reference(vectors, index, k)


# ---------------------------------------------------------------- 6. analogies

def analogy_reference(vectors, a, b, c):  # the notebook's answer
    unit = F.normalize(vectors, dim=1)
    scores = unit @ (unit[b] - unit[a] + unit[c])
    scores[[a, b, c]] = -float("inf")
    return int(scores.argmax())


def analogy_loop(vectors, a, b, c):  # another correct answer: NumPy, a loop over the candidates
    v = vectors.numpy().astype(np.float64)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    target = unit[b] - unit[a] + unit[c]
    best, best_score = None, -np.inf
    for d, row in enumerate(unit):
        score = row @ target / np.linalg.norm(target)  # the cosine itself: dividing by |target| changes no ranking
        if d not in (a, b, c) and score > best_score:
            best, best_score = d, score
    return best


def analogy_variant(*, unit_rows=True, unit_target=True, exclude=-float("inf"), target="b-a+c"):
    def fn(vectors, a, b, c):
        unit = F.normalize(vectors, dim=1)
        parts = unit if unit_target else vectors
        x, y, z = {"b-a+c": (b, a, c), "a-b+c": (a, b, c)}[target]
        scores = (unit if unit_rows else vectors) @ (parts[x] - parts[y] + parts[z])
        if exclude is not None:
            scores[[a, b, c]] = exclude
        return int(scores.argmax())
    return fn


def test_analogy():
    assert check.analogy(analogy_reference) is True
    assert check.analogy(analogy_loop) is True
    assert check.analogy(lambda v, a, b, c: np.int64(analogy_reference(v, a, b, c))) is True
    fails(check.analogy, analogy_variant(unit_rows=False, unit_target=False), match="you used the raw vectors")
    fails(check.analogy, analogy_variant(unit_rows=False), match="dot product with the raw rows")
    fails(check.analogy, analogy_variant(unit_target=False), match="\\*before\\* adding them")
    fails(check.analogy, analogy_variant(target="a-b+c"), match="the signs are swapped")
    fails(check.analogy, analogy_variant(exclude=None), match="one of the question words")
    fails(check.analogy, analogy_variant(exclude=0.0), match="0 is not low enough")
    fails(check.analogy, lambda v, a, b, c: torch.tensor(analogy_reference(v, a, b, c)), match="int\\(scores.argmax")


def test_the_analogy_cases_tell_every_mistake_apart_from_the_right_answer_and_the_others():
    answers = []
    for _, vectors, a, b, c in check._analogy_cases()[:-1]:
        answers.append([analogy_reference(vectors, a, b, c)]
                       + [wrong for wrong, _ in check.analogy_mistakes(vectors.double().numpy(), a, b, c)])
    columns = list(zip(*answers))  # one tuple per candidate answer: its id on every case
    assert len(set(columns)) == len(columns)


# ---------------------------------------------------------------- 7. mean pooling

def pooling_reference(token_embeddings, attention_mask):  # the notebook's answer
    mask = attention_mask.unsqueeze(-1).to(token_embeddings.dtype)
    return (token_embeddings * mask).sum(1) / mask.sum(1)


def pooling_loop(token_embeddings, attention_mask):  # another correct answer: one sentence at a time, boolean index
    return torch.stack([x[m.bool()].mean(dim=0) for x, m in zip(token_embeddings, attention_mask)])


def pooling_einsum(token_embeddings, attention_mask):  # another correct answer: einsum with a float64 mask
    m = attention_mask.double()
    return (torch.einsum("btd,bt->bd", token_embeddings.double(), m) / m.sum(1, keepdim=True)).to(
        token_embeddings.dtype)


def test_mean_pooling():
    assert check.mean_pooling(pooling_reference) is True
    assert check.mean_pooling(sentence_embeddings.mean_pooling) is True
    assert check.mean_pooling(pooling_loop) is True
    assert check.mean_pooling(pooling_einsum) is True
    fails(check.mean_pooling, lambda x, m: x.mean(1), match="padding was averaged in")
    fails(check.mean_pooling, lambda x, m: (x * m.unsqueeze(-1)).sum(1) / x.shape[1], match="you divided by T")
    fails(check.mean_pooling, lambda x, m: (x * m.unsqueeze(-1)).sum(1), match="the sum of the tokens")
    fails(check.mean_pooling, lambda x, m: x.sum(1) / m.sum(1, keepdim=True), match="padding was added in")
    fails(check.mean_pooling, lambda x, m: torch.stack([x[i, :n].mean(0) for i, n in enumerate(m.sum(1).tolist())]),
          match="padding is not always at the end")
    fails(check.mean_pooling, lambda x, m: (x * m.unsqueeze(-1)).sum(2) / m.sum(1, keepdim=True),
          match="average over the tokens \\(dim=1\\)")
    fails(check.mean_pooling, lambda x, m: pooling_reference(x, m).float(), match="float64 expected, float32 out")
    fails(check.mean_pooling, lambda x, m: pooling_reference(x, m).squeeze(), match="no .squeeze")

    def zeroes_padding(x, m):  # writes into the caller's tensor
        x[m == 0] = 0
        return x.sum(1) / m.sum(1, keepdim=True)

    fails(check.mean_pooling, zeroes_padding, match="changed `x` in place")
