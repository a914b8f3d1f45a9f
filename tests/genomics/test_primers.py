"""Primer properties against Biopython (GC content, melting temperature) and the ranking of candidates."""

import pytest
from Bio.SeqUtils import MeltingTemp, gc_fraction

from dlpractice.genomics import primers
from support.dna import candidate, random_dna


def test_gc_content_and_melting_temperature_match_biopython():
    for seed in range(20):
        seq = random_dna(21, seed)
        assert primers.gc_content(seq) == pytest.approx(gc_fraction(seq))
        assert primers.melting_temperature(seq) == MeltingTemp.Tm_Wallace(seq)
    assert primers.gc_content("GCNNAT") == pytest.approx(gc_fraction("GCNNAT", "remove")) == 0.5
    assert primers.gc_content("NNN") == 0


def test_rank_candidates_filters_then_sorts_by_margin_sensitivity_evidence():
    found_elsewhere = candidate("A" * 21, sensitivity_1mm=1.0, off_target_1mm=0.1, margin=9)
    insensitive = candidate("C" * 21, sensitivity_1mm=0.5, off_target_1mm=0.0, margin=9)
    good = [candidate("G" * 21, sensitivity_1mm=0.95, off_target_1mm=0.0, margin=7),
            candidate("T" * 21, sensitivity_1mm=1.0, off_target_1mm=0.0, margin=7, evidence=0.5),
            candidate("GT" * 10 + "G", sensitivity_1mm=1.0, off_target_1mm=0.0, margin=7, evidence=2.0),
            candidate("TG" * 10 + "T", sensitivity_1mm=1.0, off_target_1mm=0.0, margin=3)]
    ranked = primers.rank_candidates([found_elsewhere, insensitive, *good], top=3)
    assert [c.sequence for c in ranked] == ["GT" * 10 + "G", "T" * 21, "G" * 21]
