"""Lab 05 cnn-rna: quick runs classify, recover the planted signatures as specific primers, repeat with their seed,
and the same pipeline runs on a folder of FASTA files; bad input is a one-line error."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.data.fasta import write_fasta_dir
from dlpractice.data.genomes import synthetic_genomes
from dlpractice.labs.cnn_rna import CnnRnaConfig

TABLES = ("Cross-validation (3 folds): CNN vs k-mer random forest", "Top primer candidates per class, validated in silico")


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return [dlpractice.run("05", quick=True, seed=seed, out=out) for seed in (0, 0, 1)]


@pytest.fixture(scope="module")
def fasta_dir(tmp_path_factory):
    """Three small classes written as FASTA files, one per class, as downloaded genomes would be."""
    genomes = synthetic_genomes(class_sizes=(9, 12, 6), length=1500, signatures_per_class=2, seed=7)
    folder = tmp_path_factory.mktemp("fasta")
    write_fasta_dir(folder, genomes)
    return folder


def test_quick_run_writes_metrics_figures_and_report(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved) and all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == ["confusion_matrices.png", "saliency_along_genome.png"]
    report = (outcome.run_dir / "report.md").read_text()
    for title in TABLES:
        assert f"## {title}" in report
    assert report.count("| lineage_") >= 5 + 3  # the pooled confusion matrix, and primers for the classes
    assert list((outcome.run_dir / "tensorboard").glob("events.out.tfevents.*"))


def test_quick_run_classifies_and_recovers_specific_primers(quick_runs):
    m = quick_runs[0].metrics
    assert m["cv_accuracy"] > 0.95 and m["cv_macro_f1"] > 0.9
    assert m["kmer_forest_cv_accuracy"] > 0.9
    assert m["primer_recovery"] > 0.5  # most planted signatures are among the top candidates of their class
    assert m["top_candidate_specificity"] == 1.0  # no reported primer occurs in a genome of another class
    assert m["top_candidate_sensitivity"] > 0.85 and m["classes_with_a_primer"] == 5


def test_same_seed_same_metrics_other_seed_other_metrics(quick_runs):
    first, again, other = (outcome.metrics for outcome in quick_runs)
    assert first == again
    assert first != other


def test_registered_as_lab_05():
    lab = registry.find("5")
    assert (lab.id, lab.name) == ("05", "cnn-rna")
    assert {str(t) for t in lab.targets} == {"cv_accuracy >= 0.98", "cv_macro_f1 >= 0.95", "primer_recovery >= 0.9",
                                             "top_candidate_specificity >= 1"}
    assert lab.cpu_budget_s == 120


def test_real_fasta_files_go_through_the_same_pipeline(fasta_dir, tmp_path):
    outcome = dlpractice.run("cnn-rna", quick=True, overrides={"fasta_dir": fasta_dir, "epochs": 30}, out=tmp_path)
    m = outcome.metrics
    assert math.isnan(m["primer_recovery"]) and not outcome.met["primer_recovery"]  # no planted truth in real files
    assert m["cv_accuracy"] > 0.9 and m["top_candidate_specificity"] == 1.0
    report = (outcome.run_dir / "report.md").read_text()
    assert "| lineage_A |" in report and "planted signature" not in report
    config = json.loads((outcome.run_dir / "config.json").read_text())["config"]
    assert config["fasta_dir"] == str(fasta_dir)


def test_the_numeric_encoding_of_the_study_also_learns(tmp_path):
    outcome = dlpractice.run("cnn-rna", quick=True, overrides={"encoding": "numeric", "class_sizes": "(12, 12, 9)",
                                                               "epochs": 30}, out=tmp_path)
    assert outcome.metrics["cv_accuracy"] > 0.9


def test_a_bad_fasta_file_is_a_one_line_error_with_exit_status_2(fasta_dir, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in fasta_dir.iterdir():
        (bad / path.name).write_text(path.read_text())
    (bad / "lineage_B.fasta").write_text(">ok\nACGT\n>broken one\nACGTXQ\n")
    result = subprocess.run([sys.executable, "-m", "dlpractice", "run", "05", "--quick", "--set", f"fasta_dir={bad}", "--out",
                             str(tmp_path / "runs")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr and "\n" not in message
    assert "lineage_B.fasta" in message and "record 2 ('broken')" in message
    assert not list((tmp_path / "runs").rglob("metrics.json"))


@pytest.mark.parametrize("overrides, message", [
    ({"folds": 1}, "folds must be >= 2"),
    ({"class_sizes": "(20, 2)"}, "class_sizes needs"),
    ({"primer_length": 0}, "primer_length must be > 0"),
    ({"dropout": 1.0}, "dropout must be in"),
    ({"min_sensitivity": 1.5}, "min_sensitivity must be in"),
    ({"fasta_dir": "/no/such/folder"}, "is not a folder"),
])
def test_bad_config_values_are_user_errors(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("cnn-rna", quick=True, overrides=overrides, out=tmp_path)
    assert not list(tmp_path.rglob("metrics.json"))


def test_a_class_smaller_than_the_folds_is_refused(fasta_dir, tmp_path):
    with pytest.raises(UserError, match=r"lineage_C \(6\) have fewer genomes than folds=10"):
        dlpractice.run("cnn-rna", overrides={"fasta_dir": fasta_dir}, out=tmp_path)


def test_quick_config_is_small():
    quick, full = CnnRnaConfig.quick(), CnnRnaConfig()
    assert sum(quick.class_sizes) < sum(full.class_sizes) and quick.folds < full.folds == 10
    assert np.array_equal(full.class_sizes, (66, 240, 162, 75, 10))
