"""Checks for lab 05 (cnn-rna): `from dlpractice.checks import lab05 as check`, then `check.NAME(answer)`.

Each check runs the answer on several cases, including some the notebook did not show (N bases, a
sequence shorter than k or than the primer, the best match at the very end of a genome, lower case, a
sequence without a single base), compares it with the library's version or with Biopython (`gc_fraction`,
`Tm_Wallace`), and when the wrong value is a classic mistake says which.
"""

from __future__ import annotations

import numbers
import random
from collections import Counter
from typing import Any, Callable

import numpy as np
from Bio.SeqUtils import MeltingTemp, gc_fraction

from dlpractice.checks.core import CheckFailed, attempt, exercise, expect
from dlpractice.genomics.encoding import one_hot_encode as reference_one_hot
from dlpractice.genomics.kmers import kmer_counts as reference_counts
from dlpractice.genomics.kmers import kmer_names
from dlpractice.genomics.matching import min_mismatches
from dlpractice.genomics.primers import PrimerCandidate
from dlpractice.genomics.primers import rank_candidates as reference_rank

__all__ = ["one_hot_encode", "kmer_counts", "fewest_mismatches", "gc_content", "melting_temperature", "rank_candidates"]


def answer(fn: Callable, *args: Any, case: str, hint: str = "") -> Any:
    """`attempt`, with `hint` added when the student's code raises."""
    try:
        return attempt(fn, *args, case=case)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure} Hint: {hint}" if hint else str(failure)) from None


def random_dna(n: int, seed: int, alphabet: str = "ACGT") -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


def as_number(got: Any, case: str, what: str = "a number") -> float:
    if got is None:
        raise CheckFailed(f"case '{case}': got None — did you forget to return the result?")
    try:
        return float(got)
    except (TypeError, ValueError):
        raise CheckFailed(f"case '{case}': expected {what}, got {type(got).__name__} {got!r}.") from None


@exercise("one_hot_encode")
def one_hot_encode(fn: Callable[[str], np.ndarray]) -> None:
    """`fn(seq)` -> float32 array (4, len(seq)): rows A, C, G, T; N (any other letter) a column of zeros."""
    cases = {"ACGT": "ACGT", "GATTACA": "GATTACA", "with N": "ACNNGT", "a single base": "T",
             "40 random bases and an N": random_dna(40, 1) + "N", "empty": "",
             # only N: every column zeros (an answer that looks N up as index -1 puts it in the T row)
             "a single N": "N", "only N": "NNNN", "N at both ends": "NACGTN"}
    for case, seq in cases.items():
        got = answer(fn, seq, case=case, hint="N is not a base: give it a column of zeros." if "N" in seq else "")
        expected = reference_one_hot(seq)
        expect(got is not None, case, "got None — did you forget to return the array?")
        got = np.asarray(got)
        if got.shape == expected.T.shape and got.shape != expected.shape:
            raise CheckFailed(f"case '{case}': shape {got.shape}, expected {expected.shape}. Hint: channels first, "
                              "as Conv1d wants them: 4 rows (A, C, G, T), one column per base — transpose.")
        expect(got.shape == expected.shape, case, f"expected shape {expected.shape}, got {got.shape}.")
        expect(got.dtype == np.float32, case, f"expected dtype float32 (what Conv1d computes with), got {got.dtype}.")
        if np.array_equal(got, expected):
            continue
        if "N" in seq and np.allclose(got[:, [i for i, b in enumerate(seq) if b == "N"]], 0.25):
            raise CheckFailed(f"case '{case}': N is encoded as 0.25 in each row. Hint: here N is unknown, "
                              "so it gets a column of zeros: no channel says anything about it.")
        n_columns = [i for i, b in enumerate(seq) if b == "N"]
        if n_columns and np.array_equal(got[:, n_columns], np.eye(4, dtype=np.float32)[[-1] * len(n_columns)].T):
            raise CheckFailed(f"case '{case}': N got a 1 in the T row. Hint: \"ACGT\".find(\"N\") is -1, and index -1 "
                              "is the last row: give N no 1 at all (test `base in \"ACGT\"` first).")
        if np.allclose(got.sum(axis=0), expected.sum(axis=0)):
            raise CheckFailed(f"case '{case}': one 1 per base, but in the wrong rows. Hint: the rows are A, C, G, T "
                              "in that order: row 0 is A, row 1 is C, row 2 is G, row 3 is T.")
        raise CheckFailed(f"case '{case}': expected {expected.astype(int).tolist()}, got {got.tolist()}.")


@exercise("kmer_counts")
def kmer_counts(fn: Callable[[str, int], dict]) -> None:
    """`fn(seq, k)` -> {k-mer: count} over every overlapping window of `seq` that has no N
    (absent k-mers may be left out)."""
    cases = [("ACGTACGT, k=3", "ACGTACGT", 3), ("AAAA, k=2", "AAAA", 2), ("the last window counts", "ACGTT", 2),
             ("windows with N are skipped", "ACNGTAC", 2), ("k = len(seq)", "GATTACA", 7), ("k > len(seq)", "ACG", 4),
             ("300 random bases, k=4", random_dna(300, 2, "ACGTN" * 20 + "N"), 4),
             ("k = 1: the bases themselves", "GATNACA", 1), ("only N", "NNNNN", 2),
             ("an N in the last base", "ACGTN", 2), ("empty sequence", "", 3)]
    for case, seq, k in cases:
        got = answer(fn, seq, k, case=case)
        expect(got is not None, case, "got None — did you forget to return the counts?")
        try:
            raw = dict(got)
            got = {word: int(n) for word, n in raw.items() if n}
        except (TypeError, ValueError):
            raise CheckFailed(f"case '{case}': expected a dict of k-mer -> count, got {type(got).__name__}.") from None
        # a count is a whole number: an int (NumPy's integers too), not 2.0
        floats = [n for n in raw.values() if isinstance(n, bool) or not isinstance(n, numbers.Integral)]
        if floats:
            raise CheckFailed(f"case '{case}': the counts are {type(floats[0]).__name__}s, e.g. {floats[0]!r}. Hint: a "
                              "count is an int: start from 0, not 0.0.")
        counts = reference_counts(seq, k)
        expected = {word: int(n) for word, n in zip(kmer_names(k), counts) if n}
        if got == expected:
            continue
        windows = [seq[i:i + k] for i in range(len(seq) - k + 1)]
        mistakes = [
            (Counter(windows[:-1]), "you missed the last window: there are len(seq) - k + 1 of them, "
             "range(len(seq) - k + 1)."),
            (Counter(seq[i:i + k] for i in range(0, len(seq) - k + 1, k)), "k-mers overlap: step by 1 base, not by k."),
            (Counter(windows), "skip every window that contains an N: it is not a word of A, C, G, T."),
            (Counter(w for w in windows[:-1] if "N" not in w), "you missed the last window: range(len(seq) - k + 1)."),
            (Counter(seq.replace("N", "")[i:i + k] for i in range(len(seq.replace("N", "")) - k + 1)),
             "removing the N's joins the bases on either side of them into words that are not in the sequence: "
             "skip the windows that contain an N instead."),
        ]
        for wrong, hint in mistakes:
            if got == {w: n for w, n in wrong.items() if n}:
                raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: {hint}")
        raise CheckFailed(f"case '{case}': expected {expected}, got {got}.")


@exercise("fewest_mismatches")
def fewest_mismatches(fn: Callable[[str, str], int]) -> None:
    """`fn(primer, genome)` -> the fewest mismatches of `primer` over every position of `genome` (N never matches,
    in the genome or the primer, not even N against N; len(primer) when the genome is shorter than the primer)."""
    genome = random_dna(200, 3)
    end_match = genome[-12:]
    cases = [("exact match in the middle", genome[50:62], genome),
             ("one mismatch", genome[80:90][:4] + "A" + genome[85:90], genome),
             ("best match at the very end", end_match[:5] + ("C" if end_match[5] != "C" else "G") + end_match[6:],
              genome),
             ("best match at the very start", genome[:8], genome), ("N in the genome", "ACGTACGT", "ACGTNCGTTTTT"),
             ("a random primer", random_dna(10, 4), genome), ("genome shorter than the primer", "ACGTACGT", "ACGT"),
             ("N in the primer", "ACGNACGT", "TTACGTACGTTT"), ("N against N", "ACNT", "GGACNTGG"),
             ("primer as long as the genome", "ACGTT", "ACGTA"), ("a primer of one base", "G", "AATTA")]
    for case, primer, seq in cases:
        short = "a genome shorter than the primer has no window: return len(primer)." if len(seq) < len(primer) else ""
        got = as_number(answer(fn, primer, seq, case=case, hint=short), case, "a whole number of mismatches")
        expected = int(min_mismatches([primer], [seq])[0, 0])
        if got == expected:
            continue
        width = len(primer)
        starts = range(len(seq) - width + 1)
        per_start = [sum(a != b for a, b in zip(primer, seq[s:s + width])) for s in starts]
        wildcard = [sum(a != b and b != "N" for a, b in zip(primer, seq[s:s + width])) for s in starts]
        mistakes = [(width - expected, "return mismatches, not matches: len(primer) minus the most matching bases."),
                    (min(per_start[:-1], default=width), "the last window starts at len(genome) - len(primer): "
                     "range(len(genome) - len(primer) + 1)."),
                    (per_start[0] if per_start else width,
                     "slide the primer along the whole genome and keep the best position."),
                    (max(per_start, default=width), "keep the *fewest* mismatches over the positions, not the most."),
                    (min(wildcard, default=width),
                     "N is an unknown base: count it as a mismatch (a primer cannot count on it)."),
                    (min((sum(a != b for a, b in zip(primer, seq[s:s + width])) for s in starts), default=width),
                     "N never matches, not even an N against an N: an unknown base is not a known match.")]
        for wrong, hint in mistakes:
            if got == wrong:
                raise CheckFailed(f"case '{case}': expected {expected}, got {got:g}. Hint: {hint}")
        raise CheckFailed(f"case '{case}': expected {expected}, got {got:g}. Hint: count positions where the primer "
                          "and the genome window differ; take the smallest count over all windows.")


@exercise("gc_content")
def gc_content(fn: Callable[[str], float]) -> None:
    """`fn(seq)` -> the share of G and C among the A, C, G, T of `seq`, as Biopython's gc_fraction(seq, "remove")."""
    cases = {"ACGT": "ACGT", "GGGCCC": "GGGCCC", "ATATAT": "ATATAT", "with N": "GCNNNNAT",
             "a 21-mer": random_dna(21, 5), "lower case": "gattaca", "only N": "NNNN",
             "lower case with n": "gcnnnat", "mixed case": "GgCcAaTt", "one base": "g"}
    for case, seq in cases.items():
        hint = ("with no A, C, G or T, return 0 (as gc_fraction does) instead of dividing by zero."
                if set(seq) <= {"N"} else "")
        got = as_number(answer(fn, seq, case=case, hint=hint), case)
        expected = gc_fraction(seq, "remove")
        if abs(got - expected) < 1e-9:
            continue
        s = seq.upper()
        mistakes = [(100 * expected, "return a fraction between 0 and 1, not a percentage."),
                    ((s.count("G") + s.count("C")) / len(s) if s else 0,
                     "leave N out of the length: divide by the number of A, C, G and T only."),
                    ((seq.count("G") + seq.count("C")) / max(len(seq), 1),
                     "sequences may be in lower case: use seq.upper()."),
                    (s.count("G") / max(sum(map(s.count, "ACGT")), 1), "count both G and C.")]
        for wrong, text in mistakes:
            if abs(got - wrong) < 1e-9:
                raise CheckFailed(f"case '{case}': expected {expected:.4f}, got {got:.4f}. Hint: {text}")
        raise CheckFailed(f"case '{case}': expected {expected:.4f}, got {got:.4f}. Hint: (G + C) / (A + C + G + T).")


@exercise("melting_temperature")
def melting_temperature(fn: Callable[[str], float]) -> None:
    """`fn(primer)` -> the Wallace rule, 2 °C per A or T and 4 °C per G or C, as Bio.SeqUtils.MeltingTemp.Tm_Wallace."""
    for case, seq in {"ACGT": "ACGT", "AAAA": "AAAA", "GGCC": "GGCC", "a 21-mer": random_dna(21, 6),
                      "another 21-mer": random_dna(21, 7), "lower case": "acgtgc"}.items():
        got = as_number(answer(fn, seq, case=case), case)
        expected = MeltingTemp.Tm_Wallace(seq.upper())
        if abs(got - expected) < 1e-9:
            continue
        s = seq.upper()
        at, gc = s.count("A") + s.count("T"), s.count("G") + s.count("C")
        mistakes = [(4 * at + 2 * gc, "the weights are swapped: G-C pairs have three hydrogen bonds and melt later, "
                     "4 °C each; A-T pairs 2 °C each."),
                    (4 * gc, "A and T count too: 2 °C each."), (2 * at, "G and C count too: 4 °C each."),
                    (2 * (seq.count("A") + seq.count("T")) + 4 * (seq.count("G") + seq.count("C")), "use seq.upper(): "
                     "primers may come in lower case.")]
        for wrong, text in mistakes:
            if abs(got - wrong) < 1e-9:
                raise CheckFailed(f"case '{case}': expected {expected:g}, got {got:g}. Hint: {text}")
        raise CheckFailed(f"case '{case}': expected {expected:g}, got {got:g}. Hint: Tm = 2·(A + T) + 4·(G + C).")


def candidate_table(seed: int) -> list[PrimerCandidate]:
    """Twelve validated candidates with no ties, some found in other classes, some not sensitive enough."""
    rng = np.random.default_rng(seed)
    table = []
    for k in range(12):
        c = PrimerCandidate(random_dna(21, 100 * seed + k), 0, float(rng.uniform(1, 50)))
        c.sensitivity_1mm = float(rng.choice([0.8, 0.92, 0.95, 0.97, 1.0]))
        c.off_target_1mm = float(rng.choice([0.0, 0.0, 0.0, 0.02, 0.5]))
        c.margin = int(rng.integers(1, 9))
        c.sensitivity, c.off_target = c.sensitivity_1mm - 0.02, 0.0
        table.append(c)
    return table


@exercise("rank_candidates")
def rank_candidates(fn: Callable[[list, int], list]) -> None:
    """`fn(candidates, top)` -> the best `top` candidates: sensitivity_1mm >= 0.9 and off_target_1mm == 0, sorted by
    margin, then sensitivity_1mm, then evidence, each from high to low."""
    for seed, top in [(1, 5), (2, 3), (3, 12), (4, 1), (5, 12), (6, 4)]:
        table = candidate_table(seed)
        if seed >= 5:  # values exactly on the thresholds: sensitivity_1mm == 0.9 is kept (>=), off-target 0.0 kept
            for c in table[::2]:
                c.sensitivity_1mm, c.off_target_1mm = 0.9, 0.0
        if seed == 6:  # ties: margin and sensitivity equal, only the evidence decides
            for c in table:
                c.margin, c.sensitivity_1mm, c.off_target_1mm = 5, 0.95, 0.0
        case = f"{len(table)} candidates, top={top} (seed {seed})"
        given = list(table)
        got = answer(fn, given, top, case=case)
        expect(got is not None, case, "got None — did you forget to return the list?")
        # the caller's list is an input like any other: sorting it in place reorders it (and filtering it with
        # .remove() empties it)
        expect([c.sequence for c in given] == [c.sequence for c in table], case, "your function reordered or changed "
               "the list it was given. Hint: sorted(...) returns a new list; list.sort() sorts the caller's list.")
        got = [getattr(c, "sequence", c) for c in got]
        expected = [c.sequence for c in reference_rank(table, top, 0.9)]
        if got == expected:
            continue
        usable = [c for c in table if c.sensitivity_1mm >= 0.9 and c.off_target_1mm == 0]
        key = lambda c: (-c.margin, -c.sensitivity_1mm, -c.evidence)  # noqa: E731
        mistakes = [
            (sorted([c for c in table if c.sensitivity_1mm > 0.9 and c.off_target_1mm == 0], key=key)[:top],
             "a sensitivity_1mm of exactly 0.9 is enough: keep sensitivity_1mm >= 0.9 (not > 0.9)."),
            (sorted([c for c in table if c.sensitivity_1mm >= 0.9], key=key)[:top],
             "drop every candidate found (with <= 1 mismatch) in a genome of another class: off_target_1mm must be 0."),
            (sorted([c for c in table if c.off_target_1mm == 0], key=key)[:top],
             "drop candidates found in fewer than 90 % of the target genomes: sensitivity_1mm >= 0.9."),
            (sorted(usable, key=lambda c: (c.margin, c.sensitivity_1mm, c.evidence))[:top], "sort from high to low "
             "(reverse=True, or negate the keys)."),
            (sorted(usable, key=lambda c: -c.evidence)[:top], "the network only proposes: sort by the validation first "
             "(margin, then sensitivity_1mm) and use the evidence to break ties."),
            (sorted(usable, key=key), f"return only the best `top` ({top}) candidates."),
        ]
        for wrong, text in mistakes:
            if got == [c.sequence for c in wrong]:
                raise CheckFailed(f"case '{case}': expected {len(expected)} candidates {expected}, got {got}. "
                                  f"Hint: {text}")
        raise CheckFailed(f"case '{case}': expected {expected}, got {got}. Hint: filter, then sort by "
                          "(margin, sensitivity_1mm, evidence), high first, and keep `top`.")
