"""From a trained network to candidate primers: salient windows, merged into loci, walked to the best window (lab 05).

Insertions and deletions move a locus from one genome to the next, so windows are read from the actual
sequence of each genome, at that genome's salient positions, and counted as strings. The same locus shows up
as slightly different strings (a base mutated, the window shifted), so overlapping near-identical windows are
merged. The network only points at a region; as primer-design tools do, the primer is then chosen inside it:
the region is lined up, by its flanks, against a few genomes of the other classes, and the primer is the
window within reach that differs from them at the most positions.
"""

from __future__ import annotations

import numpy as np

from dlpractice.genomics.encoding import N_CODE, base_codes
from dlpractice.genomics.matching import best_matches
from dlpractice.genomics.primers import PrimerCandidate
from dlpractice.genomics.saliency import top_windows, window_sums

ACGT = frozenset("ACGT")


def hotspots(saliency: np.ndarray, starts: np.ndarray, relevance: np.ndarray, width: int, count: int) -> list[tuple[int, float]]:
    """(start, weight) of one genome's most salient windows (the largest sums of |gradient x input|) and of the
    windows where its most relevant pooled units fired; weights relative to the best of each kind."""
    sums = window_sums(np.abs(saliency), width)
    best = top_windows(sums, count, width)
    found = [(s, float(sums[s] / sums[best[0]])) for s in best]
    relevance = np.abs(relevance)
    return found + [(int(s), float(r / relevance.max())) for s, r in zip(starts, relevance) if r > 0]


def collect(sequences: list[str], genomes: np.ndarray, spots: list[list[tuple[int, float]]], width: int) -> dict[str, list]:
    """window string -> [summed weight, genome, start of its first sighting], over the given genomes' hotspots."""
    found: dict[str, list] = {}
    for i, genome_spots in zip(genomes, spots):
        for start, weight in genome_spots:
            window = sequences[i][start:start + width]
            if len(window) == width and set(window) <= ACGT:  # a primer of known bases only
                found.setdefault(window, [0.0, int(i), start])[0] += weight
    return found


def same_locus(a: str, b: str, min_overlap: int = 11, max_mismatches: int = 1) -> bool:
    """True when a and b overlap by >= min_overlap bases, shifted or not, with <= max_mismatches differences."""
    for shift in range(-(len(b) - min_overlap), len(a) - min_overlap + 1):
        x, y = (a[shift:], b) if shift >= 0 else (a, b[-shift:])
        if sum(p != q for p, q in zip(x, y)) <= max_mismatches:
            return True
    return False


def merge_loci(candidates: list[PrimerCandidate], limit: int) -> list[PrimerCandidate]:
    """Strongest first: a candidate at the same locus as one kept adds its evidence to it; at most `limit` kept."""
    kept: list[PrimerCandidate] = []
    for c in sorted(candidates, key=lambda c: (-c.evidence, c.sequence)):
        home = next((k for k in kept if same_locus(k.sequence, c.sequence)), None)
        if home is not None:
            home.evidence += c.evidence
        elif len(kept) < limit:
            kept.append(c)
    return kept


def walk(candidate: PrimerCandidate, sequences: list[str], others: np.ndarray, reach: int) -> None:
    """Move the candidate to the window within `reach` bases that differs at the most positions from the same
    region of the genomes `others` (codes, n x L, of other classes), lined up where the region matches them best."""
    seq, width = sequences[candidate.genome], len(candidate.sequence)
    lo, hi = max(0, candidate.start - reach), min(len(seq), candidate.start + width + reach)
    region = seq[lo:hi]
    _, at = best_matches([region], one_hot_codes(others))  # where the region (flanks included) lines up in each genome
    aligned = np.stack([np.pad(g, (0, len(region)), constant_values=N_CODE)[a:a + len(region)] for g, a in zip(others, at[0])])
    differs = (aligned != base_codes(region)).mean(axis=0)  # per position: the share of other genomes that differ
    sums = window_sums(differs, width)
    ok = [s for s in range(len(sums)) if set(region[s:s + width]) <= ACGT]
    best = max(ok, key=lambda s: (round(float(sums[s]), 6), -abs(lo + s - candidate.start)))
    candidate.sequence, candidate.start = region[best:best + width], lo + best


def one_hot_codes(codes: np.ndarray) -> np.ndarray:
    """Base codes (n, L) as a one-hot batch (n, 4, L), N as zeros."""
    return np.eye(N_CODE + 1, N_CODE, dtype=np.float32)[codes].transpose(0, 2, 1)
