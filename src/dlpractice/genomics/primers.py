"""A primer table: each candidate's GC content, melting temperature and in-silico validation on every genome (lab 05).

Validation asks what a PCR test would: how many genomes of the target class contain the primer (sensitivity),
how many genomes of the other classes do (1 - specificity), exactly and with one mismatch — a primer can still
bind across one — and how close the nearest off-target site comes (the margin, in mismatches).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlpractice.genomics.matching import min_mismatches, presence


def gc_content(seq: str) -> float:
    """The share of G and C among the A, C, G, T of `seq` (other letters are left out); 0 for none."""
    counts = {b: seq.upper().count(b) for b in "ACGT"}
    total = sum(counts.values())
    return (counts["G"] + counts["C"]) / total if total else 0.0


def melting_temperature(seq: str) -> float:
    """The Wallace rule for short primers: 2 °C per A or T, 4 °C per G or C."""
    s = seq.upper()
    return 2.0 * (s.count("A") + s.count("T")) + 4.0 * (s.count("G") + s.count("C"))


@dataclass
class PrimerCandidate:
    """A candidate primer for class `target`: where the network found it, its evidence, and its validation."""

    sequence: str
    target: int
    evidence: float  # summed over genomes: how strongly the network pointed at this locus (1 = a genome's best)
    genome: int = -1  # a genome it was read from, and where it starts there
    start: int = -1
    sensitivity: float = float("nan")  # share of target genomes containing it exactly
    sensitivity_1mm: float = float("nan")  # ... with at most one mismatch
    off_target: float = float("nan")  # share of genomes of other classes containing it exactly
    off_target_1mm: float = float("nan")  # ... with at most one mismatch
    margin: int = -1  # the fewest mismatches in any genome of another class

    @property
    def specificity(self) -> float:
        return 1.0 - self.off_target

    @property
    def gc(self) -> float:
        return gc_content(self.sequence)

    @property
    def tm(self) -> float:
        return melting_temperature(self.sequence)


def validate(candidates: list[PrimerCandidate], onehot: np.ndarray, labels: np.ndarray) -> None:
    """Fill in each candidate's sensitivity, off-target shares and margin against every genome (a one-hot batch)."""
    mismatches = min_mismatches([c.sequence for c in candidates], onehot)
    others = [labels != c.target for c in candidates]
    for c, row, other in zip(candidates, mismatches, others):
        (c.sensitivity,), (c.off_target,) = presence(row[None], labels, c.target, 0)
        (c.sensitivity_1mm,), (c.off_target_1mm,) = presence(row[None], labels, c.target, 1)
        c.margin = int(row[other].min()) if other.any() else len(c.sequence)


def rank_candidates(candidates: list[PrimerCandidate], top: int, min_sensitivity: float = 0.9) -> list[PrimerCandidate]:
    """The best `top` primers: found (with <= 1 mismatch) in at least `min_sensitivity` of the target genomes and in
    no other genome; the farthest from any off-target site first, then the most sensitive, then by evidence."""
    usable = [c for c in candidates if c.sensitivity_1mm >= min_sensitivity and c.off_target_1mm == 0]
    return sorted(usable, key=lambda c: (-c.margin, -c.sensitivity_1mm, -c.evidence, c.sequence))[:top]
