"""Synthetic viral genomes whose truth is known: class lineages of one ancestor, each with planted signatures.

A random ancestral genome is split at a few 21-bp loci. Each class (a lineage) inherits the ancestor with
point mutations and small insertions and deletions, and carries its own random 21-mer at some of the loci:
its signatures, conserved inside the class (a genome's copy mutates now and then) and absent from every other
class, which keeps the ancestral bases there. Each genome then mutates a little more, indels included (so a
signature sits at a different position in each genome), and some bases become N. The planted signatures are
what a classifier of these genomes should find, and what a primer for each class should target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BASES = "ACGT"  # a genome's alphabet; base codes are indices into it
N_CODE = 4  # the code of anything that is not A, C, G or T (N, other IUPAC letters, padding)
DEFAULT_CLASS_SIZES = (66, 240, 162, 75, 10)  # the class sizes of the coronavirus study
_LETTERS = np.frombuffer((BASES + "N").encode(), dtype=np.uint8)


@dataclass(frozen=True)
class Signature:
    """A planted class-specific 21-mer and where it starts in each genome (-1 in genomes of other classes)."""

    class_index: int
    sequence: str
    starts: np.ndarray

    def overlap(self, genome: int, start: int, width: int) -> int:
        """How many bases a window of `width` at `start` in genome `genome` shares with this signature there."""
        if self.starts[genome] < 0:
            return 0
        return max(0, min(start + width, self.starts[genome] + len(self.sequence)) - max(start, self.starts[genome]))


@dataclass
class GenomeSet:
    """Genomes with their class labels; `signatures` is the planted truth (empty for real genomes)."""

    sequences: list[str]
    labels: np.ndarray
    class_names: list[str]
    ids: list[str]
    signatures: list[Signature] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sequences)

    def class_sizes(self) -> list[int]:
        return np.bincount(self.labels, minlength=len(self.class_names)).tolist()


def to_text(codes: np.ndarray) -> str:
    return _LETTERS[codes].tobytes().decode()


def mutate(codes: np.ndarray, rate: float, indel_share: float, rng: np.random.Generator) -> np.ndarray:
    """Substitutions at `rate` per base, plus insertions and deletions of 1-3 bases (`indel_share` of all events)."""
    codes = codes.copy()
    hit = rng.random(len(codes)) < rate * (1 - indel_share)
    codes[hit] = (codes[hit] + rng.integers(1, 4, size=int(hit.sum()))) % 4  # always a different base
    for _ in range(rng.poisson(len(codes) * rate * indel_share)):
        at, size = int(rng.integers(0, len(codes) + 1)), int(rng.integers(1, 4))
        if rng.random() < 0.5:
            codes = np.concatenate([codes[:at], rng.integers(0, 4, size=size).astype(np.uint8), codes[at:]])
        else:
            codes = np.concatenate([codes[:at], codes[at + size:]])
    return codes


def place_loci(length: int, n_loci: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted starts of `n_loci` loci, one at a random place in each of `n_loci` equal stretches of the genome."""
    bin_size = length // n_loci
    if bin_size < 3 * width:
        raise ValueError(f"a genome of {length} bases is too short for {n_loci} signatures of {width} bases")
    return np.arange(n_loci) * bin_size + rng.integers(width, bin_size - 2 * width + 1, size=n_loci)


def synthetic_genomes(
    class_sizes: tuple[int, ...] = DEFAULT_CLASS_SIZES,
    length: int = 3000,
    signatures_per_class: int = 3,
    signature_length: int = 21,
    lineage_divergence: float = 0.003,
    genome_divergence: float = 0.002,
    indel_share: float = 0.1,
    signature_mutation_rate: float = 0.05,
    ambiguous_rate: float = 0.001,
    seed: int = 0,
) -> GenomeSet:
    """Genomes of `len(class_sizes)` classes, about `length` bases each; the same seed gives the same genomes.

    Divergences are mutation events per base (ancestor -> lineage, lineage -> genome); `signature_mutation_rate`
    is the chance that a genome's copy of a signature carries one substitution; `ambiguous_rate` is the share
    of bases turned into N (in runs of 1-10).
    """
    if len(class_sizes) < 2 or min(class_sizes) < 1:
        raise ValueError(f"class_sizes needs two or more classes of at least one genome, got {class_sizes}")
    rng = np.random.default_rng(seed)
    n_classes = len(class_sizes)
    ancestor = rng.integers(0, 4, size=length).astype(np.uint8)
    loci = place_loci(length, n_classes * signatures_per_class, signature_length, rng)
    owner = rng.permutation(np.repeat(np.arange(n_classes), signatures_per_class))  # which class owns each locus
    # The ancestor in pieces: stretch, locus, stretch, locus, ..., stretch.
    cuts = np.sort(np.concatenate([loci, loci + signature_length]))
    pieces = np.split(ancestor, cuts)
    planted = {i: rng.integers(0, 4, size=signature_length).astype(np.uint8) for i in range(len(loci))}

    sequences, labels, starts = [], [], {i: [] for i in range(len(loci))}
    for c, size in enumerate(class_sizes):
        lineage = []
        for j, piece in enumerate(pieces):  # odd pieces are loci: this class's signature, or ancestral bases that mutate
            is_locus = j % 2 == 1
            own = is_locus and owner[j // 2] == c
            lineage.append(planted[j // 2] if own else mutate(piece, lineage_divergence, 0 if is_locus else indel_share, rng))
        for _ in range(size):
            genome, position = [], 0
            for j, piece in enumerate(lineage):
                if j % 2 and owner[j // 2] == c:  # this class's signature: conserved, a substitution now and then
                    starts[j // 2].append(position)
                    if rng.random() < signature_mutation_rate:
                        piece = piece.copy()
                        at = int(rng.integers(0, signature_length))
                        piece[at] = (piece[at] + rng.integers(1, 4)) % 4
                else:
                    piece = mutate(piece, genome_divergence, indel_share, rng)
                genome.append(piece)
                position += len(piece)
            codes = np.concatenate(genome)
            for _ in range(rng.poisson(len(codes) * ambiguous_rate / 5.5)):  # runs of 5.5 N on average
                at = int(rng.integers(0, len(codes)))
                codes[at:at + int(rng.integers(1, 11))] = N_CODE
            sequences.append(to_text(codes))
            labels.append(c)
    labels = np.asarray(labels, dtype=np.int64)
    signatures = []
    for i in range(len(loci)):
        where = np.full(len(labels), -1, dtype=np.int64)
        where[labels == owner[i]] = starts[i]
        signatures.append(Signature(int(owner[i]), to_text(planted[i]), where))
    signatures.sort(key=lambda s: (s.class_index, int(s.starts.max())))
    names = [f"lineage_{chr(ord('A') + c)}" for c in range(n_classes)]
    ids = [f"{names[c]}_{i}" for i, c in enumerate(labels)]
    return GenomeSet(sequences, labels, names, ids, signatures)
