"""Lab 05's library: the synthetic genomes, FASTA in and out, encodings, k-mers, in-silico matching, primer
properties (against Biopython), and reading candidates out of a network."""

import re
from collections import Counter

import numpy as np
import pytest
import torch
from Bio.SeqUtils import MeltingTemp, gc_fraction
from sklearn.feature_extraction.text import CountVectorizer

from dlpractice.data.fasta import load_fasta_dir, read_fasta, write_fasta, write_fasta_dir
from dlpractice.data.genomes import synthetic_genomes
from dlpractice.course.errors import UserError
from dlpractice.genomics import candidates, encoding, kmers, primers, saliency
from dlpractice.genomics.matching import best_matches, min_mismatches, presence
from dlpractice.models.genome_cnn import GenomeCNN


@pytest.fixture(scope="module")
def genomes():
    return synthetic_genomes(class_sizes=(12, 20, 8), length=1500, signatures_per_class=2, seed=3)


def random_dna(n, seed, alphabet="ACGT"):
    rng = np.random.default_rng(seed)
    return "".join(rng.choice(list(alphabet), size=n))


# --------------------------------------------------------------------------- synthetic genomes

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


# --------------------------------------------------------------------------- FASTA

def test_fasta_round_trip_through_biopython(tmp_path, genomes):
    write_fasta(tmp_path / "one.fasta", [("a", "ACGTN" * 30), ("b desc", "GGCC")])
    assert read_fasta(tmp_path / "one.fasta") == [("a", "ACGTN" * 30), ("b", "GGCC")]
    write_fasta_dir(tmp_path / "set", genomes)
    loaded = load_fasta_dir(tmp_path / "set")
    assert loaded.class_names == genomes.class_names
    assert loaded.sequences == genomes.sequences and loaded.ids == genomes.ids
    assert np.array_equal(loaded.labels, genomes.labels) and loaded.signatures == []


@pytest.mark.parametrize("content, message", [
    ("ACGT\n>r1\nACGT\n", "b.fasta: not a FASTA file"),
    (">r1\nACGT\n>r2\nAC12GT\n", "b.fasta: record 2 ('r2') holds '12'"),
    (">r1\nACGT\n>only_n\nNNNN--NN\n", "b.fasta: record 2 ('only_n') has no valid base"),
    (">r1\nACGT\n>empty\n", "b.fasta: record 2 ('empty') has no valid base"),
    ("", "b.fasta: no FASTA records, so class 'b' is empty"),
])
def test_bad_fasta_files_are_one_line_user_errors_naming_file_and_record(tmp_path, content, message):
    (tmp_path / "a.fasta").write_text(">x\nACGTACGT\n")
    (tmp_path / "b.fasta").write_text(content)
    with pytest.raises(UserError, match=re.escape(message)) as err:
        load_fasta_dir(tmp_path)
    assert "\n" not in str(err.value)


def test_a_fasta_folder_needs_two_class_files(tmp_path):
    with pytest.raises(UserError, match="is not a folder"):
        load_fasta_dir(tmp_path / "missing")
    (tmp_path / "only.fa").write_text(">x\nACGT\n")
    (tmp_path / "notes.txt").write_text("not a class")
    with pytest.raises(UserError, match="at least two classes; found 1"):
        load_fasta_dir(tmp_path)


# --------------------------------------------------------------------------- encodings

def test_one_hot_and_numeric_encodings():
    x = encoding.one_hot_encode("ACGTNu", length=8)
    assert x.shape == (4, 8) and x.dtype == np.float32
    assert x[:, :4].tolist() == np.eye(4).tolist()  # A, C, G, T: one row each, in that order
    assert x[:, 4].sum() == 0 and x[:, 6:].sum() == 0  # N and the padding are columns of zeros
    assert x[3, 5] == 1  # RNA's U reads as T
    assert encoding.numeric_encode("CTGAN", 6).tolist() == [[0.25, 0.5, 0.75, 1.0, 0.0, 0.0]]
    batch = encoding.encode_batch(["ACG", "ACGTA"])
    assert batch.shape == (2, 4, 5) and batch[0, :, 3:].sum() == 0
    with pytest.raises(ValueError, match="does not fit"):
        encoding.one_hot_encode("ACGT", length=3)


# --------------------------------------------------------------------------- k-mers

def test_kmer_counts_match_a_counter_and_scikit_learns_char_ngrams():
    seq = random_dna(500, 1)
    for k in (1, 3, 5):
        counts = dict(zip(kmers.kmer_names(k), kmers.kmer_counts(seq, k).tolist()))
        assert {w: n for w, n in counts.items() if n} == Counter(kmers.windows(seq, k))
        vectorizer = CountVectorizer(analyzer="char", ngram_range=(k, k), lowercase=False)
        found = vectorizer.fit_transform([seq]).toarray()[0]
        assert dict(zip(vectorizer.get_feature_names_out(), found.tolist())) == {w: n for w, n in counts.items() if n}
    assert kmers.kmer_counts("ACNGT", 2).sum() == 2  # AC and GT; the windows with N are skipped
    assert kmers.kmer_counts("AC", 3).sum() == 0 and kmers.windows("AC", 3) == []
    table = kmers.kmer_table(["ACGT" * 10, "AAAA"], 2)
    assert table.shape == (2, 16) and np.allclose(table.sum(axis=1), 1)


# --------------------------------------------------------------------------- matching, GC, Tm

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


def test_gc_content_and_melting_temperature_match_biopython():
    for seed in range(20):
        seq = random_dna(21, seed)
        assert primers.gc_content(seq) == pytest.approx(gc_fraction(seq))
        assert primers.melting_temperature(seq) == MeltingTemp.Tm_Wallace(seq)
    assert primers.gc_content("GCNNAT") == pytest.approx(gc_fraction("GCNNAT", "remove")) == 0.5
    assert primers.gc_content("NNN") == 0


# --------------------------------------------------------------------------- candidates

def candidate(seq, **fields):
    c = primers.PrimerCandidate(seq, 0, fields.pop("evidence", 1.0))
    for name, value in fields.items():
        setattr(c, name, value)
    return c


def test_rank_candidates_filters_then_sorts_by_margin_sensitivity_evidence():
    found_elsewhere = candidate("A" * 21, sensitivity_1mm=1.0, off_target_1mm=0.1, margin=9)
    insensitive = candidate("C" * 21, sensitivity_1mm=0.5, off_target_1mm=0.0, margin=9)
    good = [candidate("G" * 21, sensitivity_1mm=0.95, off_target_1mm=0.0, margin=7),
            candidate("T" * 21, sensitivity_1mm=1.0, off_target_1mm=0.0, margin=7, evidence=0.5),
            candidate("GT" * 10 + "G", sensitivity_1mm=1.0, off_target_1mm=0.0, margin=7, evidence=2.0),
            candidate("TG" * 10 + "T", sensitivity_1mm=1.0, off_target_1mm=0.0, margin=3)]
    ranked = primers.rank_candidates([found_elsewhere, insensitive, *good], top=3)
    assert [c.sequence for c in ranked] == ["GT" * 10 + "G", "T" * 21, "G" * 21]


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


# --------------------------------------------------------------------------- the network and reading it

def test_genome_cnn_shapes_pooled_starts_and_exact_relevance():
    torch.manual_seed(0)
    model = GenomeCNN(length=300, n_classes=3, filters=4, pool=10).eval()
    x = torch.from_numpy(encoding.encode_batch([random_dna(300, s) for s in range(5)]))
    assert model(x).shape == (5, 3)
    values, starts = model.pooled(x)
    assert values.shape == starts.shape == (5, 4, 28)
    full = model.conv(x).relu()
    assert torch.equal(full.gather(2, starts), values)  # each start is where the filter scored the pooled value
    target = torch.tensor([0, 1, 2, 0, 1])
    relevance, _ = saliency.top_activations(model, x, target, count=4 * 28)
    logits = model(x).gather(1, target[:, None])[:, 0]
    bias = model.dense[-1].bias[target]
    assert torch.allclose(torch.from_numpy(relevance.sum(axis=1)), (logits - bias).detach(), atol=1e-4)  # a linear head


def test_gradient_x_input_is_zero_where_there_is_no_base():
    torch.manual_seed(0)
    model = GenomeCNN(length=120, n_classes=2, filters=3, pool=5)
    x = torch.from_numpy(encoding.encode_batch(["ACGT" * 20 + "N" * 10 + "GATC" * 7 + "GG"]))
    sal = saliency.gradient_x_input(model, x, torch.tensor([1]))
    assert sal.shape == (1, 120) and np.all(sal[0, 80:90] == 0) and np.abs(sal[0, :80]).sum() > 0
