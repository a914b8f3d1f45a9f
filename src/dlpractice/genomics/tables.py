"""The Markdown tables of lab 05's report: cross-validation per fold, the pooled confusion matrix, the primer table."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from dlpractice.data.genomes import GenomeSet
from dlpractice.genomics.cross_validation import CrossValidation
from dlpractice.genomics.primers import PrimerCandidate


def planted_overlap(genomes: GenomeSet, c: PrimerCandidate) -> int:
    """The most bases the candidate shares with a planted signature, in the genome it was read from."""
    return max((s.overlap(c.genome, c.start, len(c.sequence)) for s in genomes.signatures), default=0)


def primer_table(genomes: GenomeSet, top: list[list[PrimerCandidate]]) -> str:
    """One row per reported primer: validation, GC, Tm, evidence, and (synthetic genomes) the planted bases it covers."""
    planted = bool(genomes.signatures)
    header = ("| class | rank | primer (5'→3') | sensitivity (exact / ≤1 mm) | specificity (exact / ≤1 mm) | "
              "nearest off-target (mismatches) | GC % | Tm (°C, Wallace) | network evidence |" + (" planted signature |" if planted else ""))
    rows = [header, "|" + "---|" * (10 if planted else 9)]
    for name, per_class in zip(genomes.class_names, top):
        if not per_class:
            rows.append(f"| {name} | – | no candidate passed validation |" + " |" * (7 if planted else 6))
        for rank, c in enumerate(per_class, start=1):
            overlap = f" {planted_overlap(genomes, c)} bp |" if planted else ""
            rows.append(f"| {name} | {rank} | `{c.sequence}` | {c.sensitivity:.1%} / {c.sensitivity_1mm:.1%} | "
                        f"{c.specificity:.1%} / {1 - c.off_target_1mm:.1%} | {c.margin} | {100 * c.gc:.0f} | {c.tm:.0f} | "
                        f"{c.evidence:.1f} |{overlap}")
    return "\n".join(rows)


def cv_table(genomes: GenomeSet, cv: CrossValidation, baseline: np.ndarray, folds: int) -> str:
    """Accuracy and macro-F1 per fold (CNN and k-mer forest), then the CNN's pooled confusion matrix."""
    rows = ["| fold | genomes | CNN accuracy | CNN macro-F1 | k-mer forest accuracy |", "|---|---|---|---|---|"]
    y = genomes.labels
    for fold in range(folds):
        i = cv.fold_of == fold
        rows.append(f"| {fold + 1} | {i.sum()} | {accuracy_score(y[i], cv.predicted[i]):.3f} | "
                    f"{f1_score(y[i], cv.predicted[i], average='macro', zero_division=0):.3f} | {accuracy_score(y[i], baseline[i]):.3f} |")
    pooled = confusion_matrix(y, cv.predicted, labels=range(len(genomes.class_names)))
    matrix = ["| true \\ predicted | " + " | ".join(genomes.class_names) + " |", "|---" * (len(genomes.class_names) + 1) + "|"]
    matrix += [f"| {name} | " + " | ".join(str(v) for v in row) + " |" for name, row in zip(genomes.class_names, pooled)]
    sizes = ", ".join(f"{name} {n}" for name, n in zip(genomes.class_names, genomes.class_sizes()))
    return f"Genomes per class: {sizes}.\n\n" + "\n".join(rows) + "\n\nPooled confusion matrix of the CNN:\n\n" + "\n".join(matrix)
