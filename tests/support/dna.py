"""DNA for the genomics tests: random sequences, and primer candidates with chosen scores."""

import numpy as np

from dlpractice.genomics import primers


def random_dna(n, seed, alphabet="ACGT"):
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list(alphabet), size=n))


def candidate(seq, **fields):
    c = primers.PrimerCandidate(seq, 0, fields.pop("evidence", 1.0))
    for name, value in fields.items():
        setattr(c, name, value)
    return c
