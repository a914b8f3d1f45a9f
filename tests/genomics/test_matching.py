"""In-silico PCR: a primer's fewest mismatches in every genome, by convolution, against brute force."""

import numpy as np

from dlpractice.genomics.matching import best_matches, min_mismatches, presence
from support.dna import random_dna


def test_convolution_matching_equals_brute_force_hamming():
    rng = np.random.default_rng(2)
    genomes = [random_dna(60, 0)] + [random_dna(int(rng.integers(30, 80)), s, "ACGTN" * 5 + "N") for s in range(1, 6)]
    primers_ = [random_dna(7, 100 + s) for s in range(5)] + [genomes[0][10:17]]
    got = min_mismatches(primers_, genomes)
    for p, row in zip(primers_, got):
        for g, value in zip(genomes, row):
            brute = min(sum(a != b or b == "N" for a, b in zip(p, g[s:s + 7])) for s in range(len(g) - 6))
            assert value == brute
    assert got[-1, 0] == 0
    _, starts = best_matches([genomes[0][10:17]], genomes[:1])
    assert starts[0, 0] == genomes[0].find(genomes[0][10:17])
    inside, outside = presence(np.array([[0, 1, 3, 0]]), np.array([0, 0, 1, 1]), target=0, max_mismatches=1)
    assert inside.tolist() == [1.0] and outside.tolist() == [0.5]
