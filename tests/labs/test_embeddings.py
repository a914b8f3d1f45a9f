"""Lab 07 embeddings: the quick run trains both word2vecs, evaluates them the same way, embeds sentences and probes
them, and writes every figure and table; our model repeats with its seed; the MR preset reads its files from a data
folder; bad input is a one-line error before any run folder exists."""

import json
import math
import os
import subprocess
import sys

import pytest

import dlpractice
from dlpractice.course import registry
from dlpractice.course.errors import UserError
from dlpractice.labs.embeddings import EmbeddingsConfig
from support.paths import SHARED_DATA

FIGURES = ["probe_comparison.png", "similarity_scatter.png", "training_loss.png", "word_map.png"]
# Ours is repeatable with its seed; gensim with several worker threads is not (they take sentences in whatever
# order they come), and timings never are.
OURS = ["skip_gram_ws353_spearman", "skip_gram_simlex_spearman", "skip_gram_analogy_accuracy", "corpus_words",
        "vocabulary_size", "minilm_probe_accuracy", "tfidf_probe_accuracy", "word2vec_probe_accuracy"]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLPRACTICE_OFFLINE", "1")
        out = tmp_path_factory.mktemp("runs")
        return [dlpractice.run("07", quick=True, seed=seed, out=out) for seed in (0, 0, 1)]


def test_quick_run_writes_metrics_figures_tables_and_the_projector(quick_runs):
    outcome = quick_runs[0]
    saved = json.loads((outcome.run_dir / "metrics.json").read_text())
    assert set(outcome.metrics) <= set(saved) and all(math.isfinite(v) for v in saved.values())
    assert sorted(p.name for p in (outcome.run_dir / "figures").glob("*.png")) == FIGURES
    report = (outcome.run_dir / "report.md").read_text()
    for title in ("## Our word2vec vs gensim: lee corpus", "## Nearest neighbours", "## Vector arithmetic",
                  "## Sentence similarity", "## Sentiment probe"):
        assert title in report
    assert "| WS-353 Spearman (60 pairs, 293 OOV) |" in report  # the same pairs for both models, OOV reported
    assert (outcome.run_dir / "tensorboard" / "projector_config.pbtxt").is_file()


def test_quick_run_trains_both_models_and_the_probe_reads_sentiment(quick_runs):
    m = quick_runs[0].metrics
    assert m["vocabulary_size"] == 1815 and 60_000 < m["corpus_words"] < 62_000
    assert m["skip_gram_train_s"] > 0 and m["gensim_skip_gram_train_s"] > 0
    assert m["train_time_ratio"] == pytest.approx(m["skip_gram_train_s"] / m["gensim_skip_gram_train_s"])
    gap = abs(m["skip_gram_ws353_spearman"] - m["gensim_skip_gram_ws353_spearman"])
    assert m["ws353_spearman_gap"] == pytest.approx(gap)
    assert m["minilm_probe_accuracy"] >= 0.7  # MiniLM reads the snippets' sentiment; TF-IDF cannot (see the report)
    assert m["minilm_minus_tfidf_accuracy"] > 0.2


def test_our_model_repeats_with_its_seed(quick_runs):
    first, again, other = (outcome.metrics for outcome in quick_runs)
    assert {k: first[k] for k in OURS} == {k: again[k] for k in OURS}
    assert first["skip_gram_ws353_spearman"] != other["skip_gram_ws353_spearman"]


def test_registered_as_lab_07_with_a_preset_per_corpus():
    lab = registry.find("7")
    assert (lab.id, lab.name) == ("07", "embeddings")
    assert {str(t) for t in lab.targets} == {"ws353_spearman_gap <= 0.03", "simlex_spearman_gap <= 0.03",
                                             "train_time_ratio <= 3"}
    assert lab.cpu_budget_s == 90
    assert [p.name for p in lab.all_presets()] == ["lee", "mr", "sst2", "text8"]
    mr = lab.preset_for(EmbeddingsConfig(corpus="mr"))
    assert "minilm_probe_accuracy >= 0.78" in {str(t) for t in mr.targets}


def test_quick_config_is_small_and_presets_fill_what_is_left_open():
    quick, full = EmbeddingsConfig.quick(), EmbeddingsConfig()
    assert quick.epochs < full.settled().epochs == 20 and quick.seeds == 1 < full.seeds == 3
    assert EmbeddingsConfig(corpus="text8").settled().epochs == 5
    assert EmbeddingsConfig(corpus="text8", epochs=2).settled().epochs == 2


@pytest.mark.skipif(not (SHARED_DATA / "sentiment" / "mr").is_dir(), reason="../shared/data/sentiment is absent")
def test_the_mr_corpus_is_read_from_the_data_folder_and_judged_by_its_preset(tmp_path):
    overrides = {"corpus": "mr", "max_words": 30_000, "probe": "snippets"}
    outcome = dlpractice.run("embeddings", quick=True, overrides=overrides, out=tmp_path, data_dir=SHARED_DATA)
    assert outcome.metrics["corpus_words"] == 30_000
    report = (outcome.run_dir / "report.md").read_text()
    assert "preset mr" in report and "## Our word2vec vs gensim: mr corpus" in report


@pytest.mark.parametrize("overrides, message", [
    ({"corpus": "wikipedia"}, "corpus"),
    ({"dim": 0}, "dim must be > 0"),
    ({"dim": 100_000}, "dim must be <= 1000"),
    ({"seeds": 1000}, "seeds must be <= 10"),
    ({"min_lr": 1.0}, "min_lr must be between 0 and lr"),
    ({"sample": 1.5}, "sample must be in"),
    ({"max_words": 10}, "max_words must be >= 1000"),
    ({"probe_folds": 1}, "probe_folds must be between 2 and 20"),
    ({"min_count": 10_000}, "lower min_count"),
])
def test_bad_config_values_are_user_errors_before_any_run_folder(overrides, message, tmp_path):
    with pytest.raises(UserError, match=message):
        dlpractice.run("embeddings", quick=True, overrides=overrides, out=tmp_path)
    assert not (tmp_path / "embeddings").exists()


def test_an_absent_corpus_offline_is_one_line_and_exit_status_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = subprocess.run([sys.executable, "-m", "dlpractice", "run", "07", "--quick", "--set", "corpus=mr",
                             "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "runs")],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "DLPRACTICE_OFFLINE": "1"})
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "Traceback" not in result.stderr and "\n" not in message
    assert "MR movie reviews not found" in message and "--data-dir" in message
    assert not (tmp_path / "runs").exists()
