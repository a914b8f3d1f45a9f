"""FASTA in and out (against Biopython's reader), and a folder of FASTA files, one per class."""

import re

import numpy as np
import pytest

from dlpractice.course.errors import UserError
from dlpractice.data.fasta import load_fasta_dir, read_fasta, write_fasta, write_fasta_dir


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
