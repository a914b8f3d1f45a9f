"""Lab 05's synthetic genomes: the classes and the planted signatures (the truth a primer search should recover)."""

import numpy as np
import pytest

from dlpractice.data.genomes import synthetic_genomes
from dlpractice.genomics.matching import min_mismatches


def test_synthetic_genomes_have_the_classes_and_the_planted_truth(genomes):
    assert genomes.class_sizes() == [12, 20, 8]
    assert len(genomes.sequences) == len(genomes.ids) == 40
    assert len(genomes.signatures) == 3 * 2
    lengths = {len(s) for s in genomes.sequences}
    assert len(lengths) > 3 and min(lengths) > 1400  # indels: lengths differ a little
    assert any("N" in s for s in genomes.sequences)
    for sig in genomes.signatures:
        members = np.flatnonzero(genomes.labels == sig.class_index)
        assert (sig.starts[members] >= 0).all() and (sig.starts[genomes.labels != sig.class_index] == -1).all()
        copies = [genomes.sequences[i][sig.starts[i]:sig.starts[i] + 21] for i in members]
        assert np.mean([c == sig.sequence for c in copies]) >= 0.75  # conserved, with occasional mutations
        assert all(sum(a != b for a, b in zip(c, sig.sequence)) <= 1 or "N" in c for c in copies)
        mismatches = min_mismatches([sig.sequence], genomes.sequences)[0]
        assert mismatches[genomes.labels != sig.class_index].min() >= 3  # absent elsewhere, even with mismatches
    shifted = [len(set(sig.starts[sig.starts >= 0])) > 1 for sig in genomes.signatures]
    assert any(shifted)  # indels move a signature from one genome to the next


def test_synthetic_genomes_repeat_with_their_seed(genomes):
    again = synthetic_genomes(class_sizes=(12, 20, 8), length=1500, signatures_per_class=2, seed=3)
    other = synthetic_genomes(class_sizes=(12, 20, 8), length=1500, signatures_per_class=2, seed=4)
    assert again.sequences == genomes.sequences and [s.sequence for s in again.signatures] == [s.sequence for s in genomes.signatures]
    assert other.sequences != genomes.sequences


@pytest.mark.parametrize("kwargs, message", [({"class_sizes": (5,)}, "two or more classes"),
                                             ({"length": 200}, "too short")])
def test_synthetic_genomes_reject_impossible_requests(kwargs, message):
    with pytest.raises(ValueError, match=message):
        synthetic_genomes(**kwargs)


def test_signature_overlap_counts_shared_bases(genomes):
    sig = genomes.signatures[0]
    g = int(np.flatnonzero(sig.starts >= 0)[0])
    assert sig.overlap(g, sig.starts[g], 21) == 21
    assert sig.overlap(g, sig.starts[g] + 6, 21) == 15
    assert sig.overlap(g, sig.starts[g] - 30, 21) == 0
    assert sig.overlap(int(np.flatnonzero(sig.starts < 0)[0]), sig.starts[g], 21) == 0
