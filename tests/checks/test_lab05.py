"""Lab 05 checks: the reference and a differently written correct answer pass, classic mistakes fail with their hint,
and a stub is 'not attempted'."""

import re
from collections import Counter

import numpy as np

from dlpractice.checks import lab05 as check
from dlpractice.genomics import encoding, kmers, primers
from dlpractice.genomics.matching import min_mismatches
from support.exercise_checks import fails

# --------------------------------------------------------------------------- one_hot_encode

def one_hot_loop(seq):
    out = np.zeros((4, len(seq)), dtype=np.float32)
    for i, base in enumerate(seq):
        if base in "ACGT":
            out["ACGT".index(base), i] = 1.0
    return out


def test_one_hot_encode():
    assert check.one_hot_encode(encoding.one_hot_encode) is True
    assert check.one_hot_encode(one_hot_loop) is True
    fails(check.one_hot_encode, lambda s: one_hot_loop(s).T, match=re.escape("channels first"))
    fails(check.one_hot_encode, lambda s: np.where(np.array([[b == "N"] for b in s]).T, 0.25, one_hot_loop(s)).astype(np.float32),
          match=re.escape("N is encoded as 0.25"))
    fails(check.one_hot_encode, lambda s: one_hot_loop(s)[[0, 3, 2, 1]], match=re.escape("the rows are A, C, G, T in that order"))
    fails(check.one_hot_encode, lambda s: one_hot_loop(s).astype(np.int64), match=re.escape("expected dtype float32"))
    fails(check.one_hot_encode, lambda s: np.eye(4, dtype=np.float32)[["ACGT".index(b) for b in s]].T.copy(), match=re.escape("give it a column of zeros"))
    # str.find gives -1 for N, and row -1 is T's
    fails(check.one_hot_encode, lambda s: np.eye(4, dtype=np.float32)[["ACGT".find(b) for b in s]].T.copy(),
          match=re.escape("N got a 1 in the T row"))
    # vectorised: compare the letters with each base at once (N matches none)
    assert check.one_hot_encode(lambda s: (np.array(list(s), dtype="U1")[None, :] == np.array(list("ACGT"))[:, None])
                                .astype(np.float32)) is True


# --------------------------------------------------------------------------- kmer_counts

def test_kmer_counts():
    assert check.kmer_counts(lambda s, k: dict(zip(kmers.kmer_names(k), kmers.kmer_counts(s, k)))) is True
    assert check.kmer_counts(lambda s, k: Counter(w for w in kmers.windows(s, k) if "N" not in w)) is True
    fails(check.kmer_counts, lambda s, k: Counter(s[i:i + k] for i in range(len(s) - k) if "N" not in s[i:i + k]),
          match=re.escape("missed the last window"))
    fails(check.kmer_counts, lambda s, k: Counter(s[i:i + k] for i in range(0, len(s) - k + 1, k) if "N" not in s[i:i + k]),
          match=re.escape("step by 1 base, not by k"))
    fails(check.kmer_counts, lambda s, k: Counter(kmers.windows(s, k)), match=re.escape("skip every window that contains an N"))
    fails(check.kmer_counts, lambda s, k: list(kmers.windows(s, k)), match=re.escape("expected a dict of k-mer -> count"))
    # the N's removed first: the bases on either side of an N become neighbours
    fails(check.kmer_counts, lambda s, k: Counter(s.replace("N", "")[i:i + k] for i in range(len(s.replace("N", "")) - k + 1)),
          match=re.escape("removing the N's joins the bases"))

    def float_counts(seq, k):  # counts that start from 0.0
        counts = {}
        for i in range(len(seq) - k + 1):
            if "N" not in seq[i:i + k]:
                counts[seq[i:i + k]] = counts.get(seq[i:i + k], 0.0) + 1
        return counts

    fails(check.kmer_counts, float_counts, match=re.escape("a count is an int"))

    def by_pieces(seq, k):  # another correct answer: split at the N's, count the windows of each piece
        counts = Counter()
        for piece in seq.split("N"):
            counts.update(piece[i:i + k] for i in range(len(piece) - k + 1))
        return dict(counts)

    assert check.kmer_counts(by_pieces) is True


# --------------------------------------------------------------------------- fewest_mismatches

def fewest_loop(primer, genome):
    best = len(primer)
    for start in range(len(genome) - len(primer) + 1):
        best = min(best, sum(a != b or b == "N" for a, b in zip(primer, genome[start:])))
    return best


def test_fewest_mismatches():
    assert check.fewest_mismatches(lambda p, g: int(min_mismatches([p], [g])[0, 0])) is True
    assert check.fewest_mismatches(fewest_loop) is True

    def no_last_window(primer, genome):
        return min((sum(a != b for a, b in zip(primer, genome[s:])) for s in range(len(genome) - len(primer))), default=len(primer))

    fails(check.fewest_mismatches, no_last_window, match=re.escape("the last window starts at len(genome) - len(primer)"))
    fails(check.fewest_mismatches, lambda p, g: sum(a != b for a, b in zip(p, g)), match=re.escape("slide the primer along the whole genome"))
    fails(check.fewest_mismatches, lambda p, g: len(p) - fewest_loop(p, g), match=re.escape("return mismatches, not matches"))
    fails(check.fewest_mismatches, lambda p, g: min(sum(a != b and b != "N" for a, b in zip(p, g[s:]))
                                                    for s in range(len(g) - len(p) + 1)), match=re.escape("N is an unknown base"))
    fails(check.fewest_mismatches, lambda p, g: min(sum(a != b for a, b in zip(p, g[s:])) for s in range(len(g) - len(p) + 1)),
          match=re.escape("a genome shorter than the primer has no window"))

    def primer_n_matches_anything(primer, genome):  # N in the primer taken as a wildcard
        return min((sum(a != b and a != "N" or b == "N" for a, b in zip(primer, genome[s:]))
                    for s in range(len(genome) - len(primer) + 1)), default=len(primer))

    fails(check.fewest_mismatches, primer_n_matches_anything, match="N in the primer")

    def numpy_windows(primer, genome):  # another correct answer: every window at once with NumPy
        if len(genome) < len(primer):
            return len(primer)
        windows = np.lib.stride_tricks.sliding_window_view(np.array(list(genome)), len(primer))
        p = np.array(list(primer))
        return int(((windows != p) | (windows == "N") | (p == "N")).sum(axis=1).min())

    assert check.fewest_mismatches(numpy_windows) is True


# --------------------------------------------------------------------------- gc_content

def test_gc_content():
    assert check.gc_content(primers.gc_content) is True
    assert check.gc_content(lambda s: (lambda u: (u.count("G") + u.count("C")) / max(1, sum(map(u.count, "ACGT"))))(s.upper())) is True
    fails(check.gc_content, lambda s: 100 * primers.gc_content(s), match=re.escape("not a percentage"))
    fails(check.gc_content, lambda s: (s.upper().count("G") + s.upper().count("C")) / len(s) if s else 0.0, match=re.escape("leave N out of the length"))
    fails(check.gc_content, lambda s: (s.count("G") + s.count("C")) / sum(map(s.upper().count, "ACGT")), match=re.escape("use seq.upper()"))
    fails(check.gc_content, lambda s: s.upper().count("G") / max(1, sum(map(s.upper().count, "ACGT"))), match=re.escape("count both G and C"))
    fails(check.gc_content, lambda s: (s.upper().count("G") + s.upper().count("C")) / sum(map(s.upper().count, "ACGT")),
          match=re.escape("return 0 (as gc_fraction does)"))
    # lower-case n left in the length (only upper-case N removed)
    fails(check.gc_content, lambda s: sum(map(s.upper().count, "GC")) / max(1, len(s) - s.count("N")), match="lower case with n")
    assert check.gc_content(lambda s: np.isin(list(s.upper()), ["G", "C"]).sum() / max(1, np.isin(list(s.upper()), list("ACGT")).sum()))


# --------------------------------------------------------------------------- melting_temperature

def test_melting_temperature():
    assert check.melting_temperature(primers.melting_temperature) is True
    assert check.melting_temperature(lambda s: sum({"A": 2, "T": 2, "G": 4, "C": 4}[b] for b in s.upper())) is True
    fails(check.melting_temperature, lambda s: 4 * sum(map(s.upper().count, "AT")) + 2 * sum(map(s.upper().count, "GC")),
          match=re.escape("the weights are swapped"))
    fails(check.melting_temperature, lambda s: 4 * sum(map(s.upper().count, "GC")), match=re.escape("A and T count too"))
    fails(check.melting_temperature, lambda s: 2 * sum(map(s.count, "AT")) + 4 * sum(map(s.count, "GC")), match=re.escape("use seq.upper()"))
    fails(check.melting_temperature, lambda s: 64.9 + 41 * (sum(map(s.upper().count, "GC")) - 16.4) / len(s),
          match=re.escape("Tm = 2·(A + T) + 4·(G + C)"))


# --------------------------------------------------------------------------- rank_candidates

def rank_alternative(candidates, top):
    keep = [c for c in candidates if c.off_target_1mm == 0 and c.sensitivity_1mm >= 0.9]
    keep.sort(key=lambda c: c.evidence, reverse=True)  # stable sorts, least important key first
    keep.sort(key=lambda c: c.sensitivity_1mm, reverse=True)
    keep.sort(key=lambda c: c.margin, reverse=True)
    return [c.sequence for c in keep[:top]]


def test_rank_candidates():
    assert check.rank_candidates(primers.rank_candidates) is True
    assert check.rank_candidates(rank_alternative) is True
    key = lambda c: (-c.margin, -c.sensitivity_1mm, -c.evidence)  # noqa: E731
    fails(check.rank_candidates, lambda cs, top: sorted([c for c in cs if c.sensitivity_1mm >= 0.9], key=key)[:top],
          match=re.escape("off_target_1mm must be 0"))
    fails(check.rank_candidates, lambda cs, top: sorted([c for c in cs if c.off_target_1mm == 0], key=key)[:top],
          match=re.escape("sensitivity_1mm >= 0.9"))
    usable = lambda cs: [c for c in cs if c.off_target_1mm == 0 and c.sensitivity_1mm >= 0.9]  # noqa: E731
    fails(check.rank_candidates, lambda cs, top: sorted(usable(cs), key=lambda c: (c.margin, c.sensitivity_1mm, c.evidence))[:top],
          match=re.escape("sort from high to low"))
    fails(check.rank_candidates, lambda cs, top: sorted(usable(cs), key=lambda c: -c.evidence)[:top], match=re.escape("the network only proposes"))
    fails(check.rank_candidates, lambda cs, top: sorted(usable(cs), key=key), match=re.escape("return only the best `top`"))
    fails(check.rank_candidates, lambda cs, top: sorted([c for c in cs if c.off_target_1mm == 0 and c.sensitivity_1mm > 0.9],
                                                        key=key)[:top], match=re.escape("exactly 0.9 is enough"))

    def sorts_in_place(candidates, top):  # list.sort() reorders the caller's list
        candidates.sort(key=key)
        return [c for c in candidates if c.off_target_1mm == 0 and c.sensitivity_1mm >= 0.9][:top]

    fails(check.rank_candidates, sorts_in_place, match=re.escape("reordered or changed the list"))

    def stable_sorts(candidates, top):  # another correct answer: stable sorts from the last key to the first, reverse
        kept = [c for c in candidates if c.off_target_1mm == 0 and c.sensitivity_1mm >= 0.9]
        for attribute in ("evidence", "sensitivity_1mm", "margin"):
            kept = sorted(kept, key=lambda c: getattr(c, attribute), reverse=True)
        return kept[:top]

    assert check.rank_candidates(stable_sorts) is True
