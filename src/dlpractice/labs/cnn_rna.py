"""Lab 05 cnn-rna: classify viral genomes with a 1-D CNN, then read 21-bp primers out of it and check them in silico.

The case study: a CNN trained on whole coronavirus genomes (553 sequences, 5 imbalanced classes) reached
98.7 % accuracy in 10-fold cross-validation, and the sequences it relied on became PCR primers. Here the
genomes are synthetic, with class signatures planted where we know them (or real ones from `--set
fasta_dir=DIR`, one FASTA file per class). Stratified k-fold cross-validation of the CNN (class-weighted
cross-entropy) and of a k-mer random forest on the same folds; each genome is then explained by the model
of the fold that tested it, its salient windows become candidate primers per class, and every candidate
is validated against all genomes: sensitivity, specificity, margin, GC content and melting temperature.

Training uses lab 01's short hand-written loop (`dlpractice.training.loop.train_tensors`) rather than the
Lightning engine (lab 02's DataLoader loop draws other batches and lowered the quick run's macro-F1 below its test). Measured on one fold (6 epochs, 498 genomes, one thread, a shared 2-core CPU) both take
2.5-4.7 s, with no clear winner; the engine's checkpoints and `--resume` serve one long fit, while a
cross-validation is k short fits that are never resumed, and its per-epoch progress lines would repeat k times.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.class_weight import compute_class_weight
from torch import nn

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.errors import UserError
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.data.fasta import load_fasta_dir
from dlpractice.data.genomes import DEFAULT_CLASS_SIZES, GenomeSet, synthetic_genomes
from dlpractice.genomics import candidates as find
from dlpractice.genomics import plots
from dlpractice.genomics.cross_validation import CrossValidation
from dlpractice.genomics.encoding import encode_batch, padded_codes
from dlpractice.genomics.kmers import kmer_table
from dlpractice.genomics.primers import PrimerCandidate, rank_candidates, validate
from dlpractice.genomics.saliency import gradient_x_input, top_activations
from dlpractice.genomics.tables import cv_table, primer_table
from dlpractice.models import predict
from dlpractice.models.genome_cnn import GenomeCNN
from dlpractice.training.loop import train_tensors

MIN_OVERLAP = 15  # a candidate recovers a planted signature when they share at least this many bases


@dataclass
class CnnRnaConfig(LabConfig):
    fasta_dir: str | None = None  # one FASTA file per class (file name = class); None: synthetic genomes
    class_sizes: tuple[int, ...] = DEFAULT_CLASS_SIZES  # synthetic genomes per class (those of the study)
    genome_length: int = 3000  # bases of the synthetic ancestor (real coronaviruses: about 30000)
    signatures_per_class: int = 3
    lineage_divergence: float = 0.003  # mutations per base, ancestor -> each class's lineage
    genome_divergence: float = 0.002  # mutations per base, lineage -> each genome
    encoding: Literal["one_hot", "numeric"] = "one_hot"  # numeric: the study's C=0.25, T=0.5, G=0.75, A=1
    folds: int = 10  # stratified k-fold cross-validation, as in the study
    primer_length: int = 21  # the filter width, and the length of every candidate primer
    filters: int = 16
    pool: int = 10
    dropout: float = 0.5
    epochs: int = 6
    lr: float = 0.003  # Adam; for ~30-kb genomes about 0.001 and more epochs (10x more inputs to the dense layer)
    batch_size: int = 16
    kmer_k: int = 4  # baseline: k-mer frequencies + random forest
    trees: int = 200
    hotspots_per_genome: int = 5  # salient windows, and as many most relevant pooled units, per genome
    loci_per_class: int = 20  # candidate loci per class that are walked and validated
    walk_reach: int = 20  # a candidate may move this many bases to its best window
    top_primers: int = 5  # per class, in the report
    min_sensitivity: float = 0.9  # a reported primer is found (<= 1 mismatch) in at least this share of its class

    def __post_init__(self) -> None:
        super().__post_init__()
        check_positive(self, "genome_length", "signatures_per_class", "primer_length", "filters", "pool", "epochs", "lr",
                       "batch_size", "kmer_k", "trees", "hotspots_per_genome", "loci_per_class", "top_primers")
        if self.fasta_dir is None and (len(self.class_sizes) < 2 or min(self.class_sizes) < self.folds):
            raise ValueError(f"class_sizes needs >= 2 classes of >= folds ({self.folds}) genomes each, got {self.class_sizes}")
        if self.folds < 2:
            raise ValueError(f"folds must be >= 2, got {self.folds}")
        for name in ("lineage_divergence", "genome_divergence", "dropout"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if not 0 <= self.min_sensitivity <= 1:
            raise ValueError(f"min_sensitivity must be in [0, 1], got {self.min_sensitivity}")
        if self.kmer_k > 8:
            raise ValueError(f"kmer_k must be <= 8 (4**k features), got {self.kmer_k}")
        if self.walk_reach < 0:
            raise ValueError(f"walk_reach must be >= 0, got {self.walk_reach}")

    @classmethod
    def quick(cls) -> CnnRnaConfig:
        return cls(class_sizes=(33, 120, 81, 38, 5), genome_length=2000, folds=3, epochs=5, trees=50, loci_per_class=12)


def load_genomes(config: CnnRnaConfig) -> GenomeSet:
    if config.fasta_dir is not None:
        genomes = load_fasta_dir(Path(config.fasta_dir))
        small = [f"{name} ({n})" for name, n in zip(genomes.class_names, genomes.class_sizes()) if n < config.folds]
        if small:
            raise UserError(f"fasta_dir {config.fasta_dir}: classes {', '.join(small)} have fewer genomes than folds={config.folds}")
        return genomes
    return synthetic_genomes(config.class_sizes, config.genome_length, config.signatures_per_class, config.primer_length,
                             config.lineage_divergence, config.genome_divergence, seed=config.seed)


def cross_validate(genomes: GenomeSet, x: torch.Tensor, splits: list, config: CnnRnaConfig, writer) -> CrossValidation:
    """Train a fresh CNN per fold; predict, and explain, the genomes of that fold with it."""
    y = torch.from_numpy(genomes.labels)
    n_classes = len(genomes.class_names)
    cv = CrossValidation(np.zeros(len(y), dtype=np.int64), np.zeros(len(y), dtype=np.int64),
                         np.zeros((len(y), x.shape[2]), dtype=np.float32), [[] for _ in range(len(y))])
    for fold, (train_i, test_i) in enumerate(splits):
        torch.manual_seed(config.seed * 1000 + fold)  # the initial weights (and dropout) come from the seed
        model = GenomeCNN(x.shape[2], x.shape[1], n_classes, config.filters, config.primer_length, config.pool, config.dropout)
        # Class weights: an error on one of the 10 genomes of the rarest class costs as much as 24 on the largest.
        weights = compute_class_weight("balanced", classes=np.arange(n_classes), y=genomes.labels[train_i])
        loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
        # The held-out fold is the "validation" part only to draw its loss curve: nothing is chosen on it.
        train_tensors(model, loss_fn, x[train_i], y[train_i], x[test_i], y[test_i], epochs=config.epochs, lr=config.lr,
                      batch_size=config.batch_size, seed=config.seed + fold, writer=writer, tag=f"fold_{fold + 1:02d}",
                      keep_best=False)
        cv.predicted[test_i] = predict(model, x[test_i]).argmax(dim=1).numpy()
        cv.fold_of[test_i] = fold
        cv.saliency[test_i] = gradient_x_input(model, x[test_i], y[test_i])
        relevance, starts = top_activations(model, x[test_i], y[test_i], config.hotspots_per_genome)
        for j, i in enumerate(test_i):
            cv.hotspots[i] = find.hotspots(cv.saliency[i], starts[j], relevance[j], config.primer_length, config.hotspots_per_genome)
    return cv


def kmer_baseline(genomes: GenomeSet, splits: list, config: CnnRnaConfig) -> np.ndarray:
    """Out-of-fold predictions of a random forest on k-mer frequencies, on the CNN's folds."""
    table = kmer_table(genomes.sequences, config.kmer_k)
    predicted = np.zeros(len(genomes), dtype=np.int64)
    for train_i, test_i in splits:
        forest = RandomForestClassifier(config.trees, class_weight="balanced", random_state=config.seed, n_jobs=1)
        predicted[test_i] = forest.fit(table[train_i], genomes.labels[train_i]).predict(table[test_i])
    return predicted


def primer_candidates(genomes: GenomeSet, cv: CrossValidation, onehot: np.ndarray, config: CnnRnaConfig) -> list[list[PrimerCandidate]]:
    """Per class: salient windows -> loci -> walked to their best window -> validated on every genome -> ranked."""
    rng = np.random.default_rng(config.seed)
    length = max(len(s) for s in genomes.sequences)
    sample = {c: rng.choice(np.flatnonzero(genomes.labels == c), min(4, n), replace=False)
              for c, n in enumerate(genomes.class_sizes())}  # a few genomes per class to line regions up against
    found = []
    for c in range(len(genomes.class_names)):
        members = np.flatnonzero(genomes.labels == c)
        windows = find.collect(genomes.sequences, members, [cv.hotspots[i] for i in members], config.primer_length)
        loci = find.merge_loci([PrimerCandidate(w, c, e, g, s) for w, (e, g, s) in windows.items()], config.loci_per_class)
        others = np.stack([padded_codes(genomes.sequences[i], length) for k, idx in sample.items() if k != c for i in idx])
        for candidate in loci:
            find.walk(candidate, genomes.sequences, others, config.walk_reach)
        found.append(find.merge_loci(loci, config.loci_per_class))  # walking can bring two loci onto one window
    validate([c for per_class in found for c in per_class], onehot, genomes.labels)
    return [rank_candidates(per_class, config.top_primers, config.min_sensitivity) for per_class in found]


def primer_metrics(genomes: GenomeSet, top: list[list[PrimerCandidate]]) -> dict[str, float]:
    """The reported primers' worst specificity and mean sensitivity, and the share of planted signatures they recover."""
    reported = [c for per_class in top for c in per_class]
    metrics = {"top_candidate_specificity": min((c.specificity for c in reported), default=0.0),
               "top_candidate_sensitivity": float(np.mean([c.sensitivity for c in reported])) if reported else 0.0,
               "classes_with_a_primer": float(sum(bool(t) for t in top))}
    # Only synthetic genomes have a planted truth; for real ones the recovery is unknown (NaN, never "met").
    recovered = [any(s.overlap(c.genome, c.start, len(c.sequence)) >= MIN_OVERLAP for c in top[s.class_index])
                 for s in genomes.signatures]
    metrics["primer_recovery"] = float(np.mean(recovered)) if recovered else float("nan")
    return metrics


def run(config: CnnRnaConfig, ctx) -> LabResult:
    genomes = load_genomes(config)
    x = torch.from_numpy(encode_batch(genomes.sequences, config.encoding))
    if x.shape[2] < config.primer_length + config.pool - 1:
        raise UserError(f"the genomes are too short ({x.shape[2]} bases) for primer_length and pool")
    onehot = x.numpy() if config.encoding == "one_hot" else encode_batch(genomes.sequences)
    splits = list(StratifiedKFold(config.folds, shuffle=True, random_state=config.seed).split(np.zeros(len(genomes)), genomes.labels))
    writer = ctx.tensorboard_writer()
    try:
        cv = cross_validate(genomes, x, splits, config, writer)
    finally:
        writer.close()
    baseline = kmer_baseline(genomes, splits, config)
    top = primer_candidates(genomes, cv, onehot, config)
    y, names = genomes.labels, genomes.class_names
    per_fold = [confusion_matrix(y[test], cv.predicted[test], labels=range(len(names))) for _, test in splits]
    ctx.save_figure(plots.confusion_matrices(per_fold, sum(per_fold), names, f"CNN, {config.folds}-fold cross-validation"),
                    "confusion_matrices")
    profiles = np.stack([np.abs(cv.saliency[y == c]).mean(axis=0) for c in range(len(names))])
    planted = [[int(np.median(s.starts[s.starts >= 0])) for s in genomes.signatures if s.class_index == c] for c in range(len(names))]
    ctx.save_figure(plots.saliency_along_genome(profiles, names, planted, [[c.start for c in t] for t in top], config.primer_length),
                    "saliency_along_genome")
    fold_accuracy = [accuracy_score(y[test], cv.predicted[test]) for _, test in splits]
    metrics = {
        "cv_accuracy": float(accuracy_score(y, cv.predicted)),
        "cv_macro_f1": float(f1_score(y, cv.predicted, average="macro")),
        "cv_fold_accuracy_std": float(np.std(fold_accuracy)),
        "kmer_forest_cv_accuracy": float(accuracy_score(y, baseline)),
        "kmer_forest_cv_macro_f1": float(f1_score(y, baseline, average="macro")),
        **primer_metrics(genomes, top),
    }
    return LabResult(metrics=metrics, tables={
        f"Cross-validation ({config.folds} folds): CNN vs k-mer random forest": cv_table(genomes, cv, baseline, config.folds),
        "Top primer candidates per class, validated in silico": primer_table(genomes, top),
    })


LAB = Lab(
    name="cnn-rna",
    title="Case study: a 1-D CNN classifies viral genomes, and its salient windows become PCR primers",
    dataset="synthetic viral genomes with planted class signatures (553 in 5 classes), or FASTA files",
    config=CnnRnaConfig,
    run=run,
    targets=(
        Target("cv_accuracy", 0.98),
        Target("cv_macro_f1", 0.95),
        Target("primer_recovery", 0.90),
        Target("top_candidate_specificity", 1.0),
    ),
    cpu_budget_s=120,
)
