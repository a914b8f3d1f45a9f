"""The Markdown tables of lab 05's report: cross-validation per fold, the pooled confusion matrix, the primer table."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from dlpractice.course.report import table
from dlpractice.data.genomes import GenomeSet
from dlpractice.genomics.cross_validation import CrossValidation
from dlpractice.genomics.primers import PrimerCandidate


def planted_overlap(genomes: GenomeSet, c: PrimerCandidate) -> int:
    """The most bases the candidate shares with a planted signature, in the genome it was read from."""
    return max((s.overlap(c.genome, c.start, len(c.sequence)) for s in genomes.signatures), default=0)


def primer_table(genomes: GenomeSet, top: list[list[PrimerCandidate]]) -> str:
    """One row per reported primer: validation, GC, Tm, evidence, and (synthetic genomes) the planted bases it covers."""
    planted = bool(genomes.signatures)
    header = ["class", "rank", "primer (5'→3')", "sensitivity (exact / ≤1 mm)", "specificity (exact / ≤1 mm)",
              "nearest off-target (mismatches)", "GC %", "Tm (°C, Wallace)", "network evidence"]
    if planted:
        header.append("planted signature")
    rows = []
    for name, per_class in zip(genomes.class_names, top):
        if not per_class:  # the remaining cells stay empty
            rows.append([name, "–", "no candidate passed validation"] + [""] * (len(header) - 3))
        for rank, c in enumerate(per_class, start=1):
            row = [name, rank, f"`{c.sequence}`", f"{c.sensitivity:.1%} / {c.sensitivity_1mm:.1%}",
                   f"{c.specificity:.1%} / {1 - c.off_target_1mm:.1%}", c.margin, f"{100 * c.gc:.0f}", f"{c.tm:.0f}",
                   f"{c.evidence:.1f}"]
            if planted:
                row.append(f"{planted_overlap(genomes, c)} bp")
            rows.append(row)
    return table(header, rows)


def cv_table(genomes: GenomeSet, cv: CrossValidation, baseline: np.ndarray, folds: int) -> str:
    """Accuracy and macro-F1 per fold (CNN and k-mer forest), then the CNN's pooled confusion matrix."""
    rows = []
    y = genomes.labels
    for fold in range(folds):
        i = cv.fold_of == fold
        rows.append((fold + 1, str(i.sum()), f"{accuracy_score(y[i], cv.predicted[i]):.3f}",
                     f"{f1_score(y[i], cv.predicted[i], average='macro', zero_division=0):.3f}",
                     f"{accuracy_score(y[i], baseline[i]):.3f}"))
    folds_table = table(("fold", "genomes", "CNN accuracy", "CNN macro-F1", "k-mer forest accuracy"), rows)
    pooled = confusion_matrix(y, cv.predicted, labels=range(len(genomes.class_names)))
    matrix = []
    for name, counts in zip(genomes.class_names, pooled):
        matrix.append([name] + [str(v) for v in counts])
    matrix_table = table(["true \\ predicted"] + list(genomes.class_names), matrix)
    sizes = ", ".join(f"{name} {n}" for name, n in zip(genomes.class_names, genomes.class_sizes()))
    return (f"Genomes per class: {sizes}.\n\n" + folds_table
            + "\n\nPooled confusion matrix of the CNN:\n\n" + matrix_table)
