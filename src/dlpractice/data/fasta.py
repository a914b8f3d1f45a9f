"""FASTA in and out with Biopython, and a folder of FASTA files (one per class) as a labelled genome set.

A folder such as `coronaviruses/` holding `SARS-CoV-2.fasta`, `MERS.fasta`, ... gives one class per file,
named after the file. Anything wrong with a file (not FASTA, a letter that is no nucleotide code, a record
without a single A, C, G or T, a file without records) is a UserError that names the file and the record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
from Bio import SeqIO
from Bio.Seq import Seq
from Bio.SeqRecord import SeqRecord

from dlpractice.course.errors import UserError
from dlpractice.data.genomes import GenomeSet

FASTA_SUFFIXES = (".fasta", ".fa", ".fna", ".fas", ".ffn")
IUPAC = frozenset("ACGTURYKMSWBDHVN-")  # nucleotide codes, ambiguity codes and the gap


def read_fasta(path: Path) -> list[tuple[str, str]]:
    """(id, sequence) of every record, sequences upper-case; a UserError names the file and record at fault."""
    try:
        with open(path) as handle:
            records = [(r.id, str(r.seq).upper()) for r in SeqIO.parse(handle, "fasta")]
    except (ValueError, UnicodeDecodeError) as err:
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise UserError(f"{path}: not a FASTA file ({first_line})") from None
    for number, (name, seq) in enumerate(records, start=1):
        bad = set(seq) - IUPAC
        if bad:
            raise UserError(f"{path}: record {number} ({name!r}) holds {''.join(sorted(bad))!r}, which is not a nucleotide code")
        if not set(seq) & set("ACGTU"):
            raise UserError(f"{path}: record {number} ({name!r}) has no valid base (no A, C, G, T or U)")
    return records


def write_fasta(path: Path, records: Iterable[tuple[str, str]]) -> None:
    """Write (id, sequence) pairs as FASTA (60 bases a line)."""
    SeqIO.write((SeqRecord(Seq(seq), id=name, description="") for name, seq in records), path, "fasta")


def load_fasta_dir(folder: Path) -> GenomeSet:
    """One class per FASTA file in `folder` (class name = file name without its suffix), classes sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"fasta_dir {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FASTA_SUFFIXES)
    if len(files) < 2:
        raise UserError(f"fasta_dir {folder}: needs one FASTA file ({', '.join(FASTA_SUFFIXES)}) per class, "
                        f"and at least two classes; found {len(files)}")
    sequences, labels, ids = [], [], []
    for label, path in enumerate(files):
        records = read_fasta(path)
        if not records:
            raise UserError(f"{path}: no FASTA records, so class '{path.stem}' is empty")
        for name, seq in records:
            sequences.append(seq.replace("-", ""))  # gaps of an alignment are not bases
            labels.append(label)
            ids.append(name)
    return GenomeSet(sequences, np.asarray(labels, dtype=np.int64), [p.stem for p in files], ids)


def write_fasta_dir(folder: Path, genomes: GenomeSet) -> list[Path]:
    """The inverse of `load_fasta_dir`: one FASTA file per class of `genomes`; returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, name in enumerate(genomes.class_names):
        path = folder / f"{name}.fasta"
        write_fasta(path, ((genomes.ids[i], genomes.sequences[i]) for i in np.flatnonzero(genomes.labels == label)))
        paths.append(path)
    return paths
