"""From salient windows to primer candidates: best windows, loci merged, windows walked onto a signature."""

import numpy as np

from dlpractice.genomics import candidates, encoding, primers, saliency
from support.dna import candidate, random_dna


def test_window_helpers_and_loci():
    values = np.array([0.0, 1, 2, 3, 4, 5])
    assert saliency.window_sums(values, 3).tolist() == [3, 6, 9, 12]
    assert saliency.top_windows(np.array([1.0, 5, 4, 0, 3, 0, 2]), 3, 2) == [1, 4, 6]
    s = random_dna(40, 7)
    assert candidates.same_locus(s[0:21], s[8:29])  # shifted by 8: 13 shared bases
    assert not candidates.same_locus(s[0:21], s[15:36])  # 6 shared bases
    merged = candidates.merge_loci([candidate(s[0:21], evidence=3), candidate(s[2:23], evidence=2),
                                    candidate(random_dna(21, 8), evidence=1)], limit=5)
    assert [c.sequence for c in merged] == [s[0:21], random_dna(21, 8)] and merged[0].evidence == 5


def test_walking_moves_a_shifted_window_onto_the_signature(genomes):
    sig = genomes.signatures[0]
    g = int(np.flatnonzero(sig.starts >= 0)[0])
    others = np.stack([encoding.padded_codes(genomes.sequences[i], 1600) for i in np.flatnonzero(genomes.labels != sig.class_index)[:6]])
    for shift in (-9, -4, 0, 7):
        start = int(sig.starts[g]) + shift
        c = primers.PrimerCandidate(genomes.sequences[g][start:start + 21], sig.class_index, 1.0, g, start)
        candidates.walk(c, genomes.sequences, others, reach=20)
        assert sig.overlap(g, c.start, 21) >= 19, shift
        assert c.sequence == genomes.sequences[g][c.start:c.start + 21]
