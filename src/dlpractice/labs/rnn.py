"""Lab 08 rnn: recurrent cells by hand, gradients through time, forecasting against ARIMA, names by language.

The run checks the hand-written RNN, LSTM and GRU cells against PyTorch's modules (`sequences.recurrent_cells`),
measures how far back gradients reach in each and how clipping tames an exploding RNN, trains the three on the
adding problem (T = 50), forecasts a synthetic multi-periodic series and the yearly sunspots with LSTM/GRU against
naive, seasonal-naive and ARIMA forecasts, classifies surnames by language with the tutorial's one-name-at-a-time
RNN and a batched GRU, and samples new names per language with a temperature.
Targets (2-core CPU, default config): hand cells within 1e-5 of PyTorch; adding problem: a gated cell ≤ 0.01 MSE
while the plain RNN stays ≥ 0.1; forecasting ratios to ARIMA and naive; names: batched GRU ≥ 0.80 test accuracy and
above the classic recipe, faster; all in ≤ 120 s.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from dlpractice.course.config import LabConfig, check_positive
from dlpractice.course.lab import Lab, LabResult, Target
from dlpractice.course.report import table
from dlpractice.course.runner import torch_threads
from dlpractice.data.adding_problem import MEAN_BASELINE_MSE
from dlpractice.data.names import names_by_language
from dlpractice.data.time_series import multi_periodic_series, sunspots
from dlpractice.sequences import forecasting, name_classification, name_generation, plots, recurrent_cells
from dlpractice.sequences.adding_problem import train_adding
from dlpractice.sequences.gradients_through_time import clip_by_global_norm, exploding_example, gradient_norms

KINDS = ("rnn", "lstm", "gru")


@dataclass
class RnnConfig(LabConfig):
    gradient_steps: int = 50  # sequence length of the gradient-norm measurement
    adding_steps: int = 50  # T of the adding problem
    adding_updates: int = 1000  # Adam updates of 64 sequences, for each of RNN, LSTM, GRU
    adding_hidden: int = 32
    forecast_epochs: int = 60  # the synthetic series; sunspots get forecast_epochs * 5 / 3 (smaller series)
    series_length: int = 1000  # of the synthetic series
    arima_max_p: int = 3  # the ARIMA grid searched by AIC: p <= arima_max_p, d <= 1, q <= arima_max_q
    arima_max_q: int = 2
    max_names: int | None = None  # use a stratified sample of at most this many names; None: all 17,993
    names_epochs: int = 6  # the batched GRU
    classic_steps: int = 25_000  # the tutorial's recipe: SGD steps of one name each
    generator_epochs: int = 8
    generated_per_language: int = 3
    temperature: float = 0.7  # sampling temperature of the generated names

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.arima_max_p < 0 or self.arima_max_q < 0 or self.arima_max_p > 5 or self.arima_max_q > 5:
            raise ValueError(f"arima_max_p and arima_max_q must be between 0 and 5, got {self.arima_max_p}, "
                             f"{self.arima_max_q}")
        if self.series_length < 200 or self.series_length > 100_000:
            raise ValueError(f"series_length must be between 200 and 100000, got {self.series_length}")
        if self.max_names is not None and self.max_names < 500:
            raise ValueError(f"max_names must be >= 500 or None, got {self.max_names}")
        check_positive(self, "gradient_steps", "adding_steps", "adding_updates", "adding_hidden", "forecast_epochs",
                       "names_epochs", "classic_steps", "generator_epochs", "generated_per_language", "temperature")
        # Bounds that keep one run on a laptop (the adding problem's cost grows with T × updates).
        for name, most in (("gradient_steps", 1000), ("adding_steps", 500), ("adding_updates", 100_000),
                           ("adding_hidden", 1024), ("forecast_epochs", 10_000), ("names_epochs", 1000),
                           ("classic_steps", 10_000_000), ("generator_epochs", 1000), ("generated_per_language", 100)):
            if getattr(self, name) > most:
                raise ValueError(f"{name} must be <= {most}, got {getattr(self, name)}")
        if self.adding_steps < 4:
            raise ValueError(f"adding_steps must be >= 4 (a marker in each half), got {self.adding_steps}")

    @classmethod
    def quick(cls) -> RnnConfig:
        return cls(gradient_steps=20, adding_steps=10, adding_updates=150, forecast_epochs=3, series_length=300,
                   arima_max_p=1, arima_max_q=1, max_names=2000, names_epochs=2, classic_steps=1000,
                   generator_epochs=1, generated_per_language=1)


# --------------------------------------------------------------------------- 1. cells by hand

def cell_differences(seed: int) -> dict[str, float]:
    """The largest difference between `recurrent_cells.unroll` and each PyTorch module, over a few set-ups
    (2 layers, both directions, an initial state, batch first or not)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        worst = {}
        for kind, module_class in (("rnn", nn.RNN), ("lstm", nn.LSTM), ("gru", nn.GRU)):
            diffs = []
            for layers, bidirectional, batch_first in ((1, False, True), (2, True, False), (2, False, True)):
                module = module_class(5, 8, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
                x = torch.randn(3, 11, 5) if batch_first else torch.randn(11, 3, 5)
                h = torch.randn(layers * (2 if bidirectional else 1), 3, 8)
                state = (h, torch.randn_like(h)) if kind == "lstm" else h
                with torch.no_grad():
                    expected, expected_state = module(x, state)
                    ours, ours_state = recurrent_cells.unroll(module, x, state)
                diffs.append(float((ours - expected).abs().max()))
                for a, b in zip(ours_state if kind == "lstm" else (ours_state,),
                                expected_state if kind == "lstm" else (expected_state,)):
                    diffs.append(float((a - b).abs().max()))
            worst[kind] = max(diffs)
    return worst


# --------------------------------------------------------------------------- 2. gradients through time

def gradient_part(config: RnnConfig, ctx) -> tuple[dict, dict]:
    # PyTorch's initialisation leaves the gates half open, and then the LSTM and GRU lose their gradient almost as
    # fast as the RNN; opening the forget (LSTM) or update (GRU) gate with a bias of 2 is what lets it through.
    setups = {"RNN": ("rnn", 0.0), "LSTM": ("lstm", 0.0), "GRU": ("gru", 0.0), "LSTM, gate bias 2": ("lstm", 2.0),
              "GRU, gate bias 2": ("gru", 2.0)}
    norms = {name: gradient_norms(kind, steps=config.gradient_steps, seed=config.seed, gate_bias=bias)
             for name, (kind, bias) in setups.items()}
    ctx.save_figure(plots.gradient_norms(norms), "gradient_norms")
    back = [k for k in (0, 10, 25, config.gradient_steps - 1) if k < config.gradient_steps]
    rows = [(name, *(f"{values[-1 - k]:.2e}" for k in back)) for name, values in norms.items()]
    example = exploding_example(seed=config.seed, steps=config.gradient_steps)
    clipped, total = clip_by_global_norm(example.grads, 1.0)
    after = float(torch.sqrt(sum((g.double() ** 2).sum() for g in clipped)))
    metrics = {f"{name.lower().replace(', gate bias 2', '_gate_bias_2')}_gradient_far_to_near": float(v[0] / v[-1])
               for name, v in norms.items()}
    metrics |= {"exploding_gradient_norm": float(total), "clipped_gradient_norm": after}
    note = (f"\n\nAn RNN whose recurrent weights are multiplied by 5: the gradient grows "
            f"{example.norms[0] / example.norms[-1]:.1e}-fold over {config.gradient_steps} steps back; its norm over "
            f"all parameters is {float(total):.2e}, {after:.2f} after clipping by global norm to 1.")
    return metrics, {"Gradient norm ‖∂loss/∂h‖ k steps before the output": table(
        ("cell", *(f"k = {k}" for k in back)), rows) + note}


# --------------------------------------------------------------------------- 3. the adding problem

def adding_part(config: RnnConfig, ctx) -> tuple[dict, dict]:
    every = max(1, config.adding_updates // 20)
    results = {kind: train_adding(kind, steps=config.adding_steps, hidden=config.adding_hidden,
                                  updates=config.adding_updates, eval_every=every, seed=config.seed) for kind in KINDS}
    marks = range(every, config.adding_updates + 1, every)
    curves = {kind.upper(): list(zip(marks, r.curve)) for kind, r in results.items()}
    ctx.save_figure(plots.adding_curves(curves, config.adding_steps), "adding_problem")
    metrics = {f"adding_{kind}_test_mse": r.test_mse for kind, r in results.items()}
    metrics |= {"adding_best_gated_test_mse": min(results["lstm"].test_mse, results["gru"].test_mse),
                **{f"adding_{kind}_train_s": r.seconds for kind, r in results.items()}}
    rows = [(kind.upper(), f"{r.test_mse:.4f}", f"{r.seconds:.1f}") for kind, r in results.items()]
    return metrics, {f"The adding problem, T = {config.adding_steps} ({config.adding_updates} updates each; predicting "
                     f"the mean: {MEAN_BASELINE_MSE:.3f})": table(("cell", "test MSE", "training s"), rows)}


# --------------------------------------------------------------------------- 4. forecasting

def forecasting_part(config: RnnConfig, ctx) -> tuple[dict, dict]:
    grid = dict(max_p=config.arima_max_p, max_q=config.arima_max_q, seed=config.seed)
    synthetic_settings = dataclasses.replace(forecasting.SYNTHETIC, epochs=config.forecast_epochs, **grid)
    sunspot_settings = dataclasses.replace(forecasting.SUNSPOTS, epochs=max(1, config.forecast_epochs * 5 // 3), **grid)
    years, spots = sunspots()
    synthetic = multi_periodic_series(config.series_length, seed=config.seed)
    series = {"synthetic": (np.arange(config.series_length), synthetic, synthetic_settings),
              "sunspots": (years, spots, sunspot_settings)}
    metrics, tables = {}, {}
    for name, (x, values, settings) in series.items():
        rows = forecasting.compare(values, settings)
        by = {row.method.split("(")[0].strip(): row for row in rows}
        arima = next(row for row in rows if row.method.startswith("ARIMA"))
        # the synthetic series is judged on its roll-out, sunspots one step ahead (the targets)
        judged = "one_step_rmse" if name == "sunspots" else "roll_out_rmse"
        best = min((by["LSTM"], by["GRU"]), key=lambda row: getattr(row, judged))
        if name == "synthetic":
            metrics["synthetic_rollout_rmse_vs_arima"] = best.roll_out_rmse / arima.roll_out_rmse
        else:
            metrics["sunspots_one_step_rmse_vs_arima"] = best.one_step_rmse / arima.one_step_rmse
            metrics["sunspots_arima_vs_naive"] = arima.one_step_rmse / by["naive"].one_step_rmse
            metrics["sunspots_recurrent_vs_naive"] = best.one_step_rmse / by["naive"].one_step_rmse
        for method, row in by.items():
            metrics[f"{name}_{method.lower().replace(' ', '_')}_one_step_rmse"] = row.one_step_rmse
        tables[f"Forecasting the last 20% of the {name} series (RMSE)"] = table(
            ("method", "one step ahead", "roll-out", "fit s"),
            [(row.method, f"{row.one_step_rmse:.3f}", f"{row.roll_out_rmse:.3f}", f"{row.seconds:.1f}")
             for row in rows])
        shown = {row.method: row.forecast for row in rows if not row.method.startswith("seasonal")}
        split = len(values) - len(next(iter(shown.values())))
        ctx.save_figure(plots.forecasts(f"{name}: roll-outs over the held-out 20% (each forecast fed back)",
                                        np.asarray(x), np.asarray(values), split, shown), f"forecast_{name}")
    return metrics, tables


# --------------------------------------------------------------------------- 5. names

def names_part(config: RnnConfig, ctx) -> tuple[dict, dict]:
    data = names_by_language()
    names, labels = list(data.names), data.labels
    if config.max_names is not None and config.max_names < len(names):  # a stratified sample, for quick runs
        keep, _ = name_classification.stratified_split(labels, 1 - config.max_names / len(names), config.seed)
        names, labels = [names[i] for i in sorted(keep)], labels[np.sort(keep)]
        data = dataclasses.replace(data, names=names, labels=labels)
    train, test = name_classification.stratified_split(data.labels, 0.2, config.seed)
    pick = lambda rows: [names[i] for i in rows]  # noqa: E731
    n = len(data.languages)
    classic = name_classification.train_classic(pick(train), data.labels[train], n, steps=config.classic_steps,
                                                seed=config.seed)
    batched = name_classification.train_batched(pick(train), data.labels[train], n, "gru", epochs=config.names_epochs,
                                                seed=config.seed)
    scores = {"classic": name_classification.evaluate(classic.model, pick(test), data.labels[test], n),
              "batched": name_classification.evaluate(batched.model, pick(test), data.labels[test], n)}
    ctx.save_figure(plots.confusion(scores["batched"].confusion, data.languages,
                                    f"Batched GRU on {len(test):,} test names: accuracy "
                                    f"{scores['batched'].accuracy:.3f}"), "names_confusion")
    metrics = {"names_gru_test_accuracy": scores["batched"].accuracy, "names_gru_macro_f1": scores["batched"].macro_f1,
               "names_classic_test_accuracy": scores["classic"].accuracy,
               "names_classic_macro_f1": scores["classic"].macro_f1,
               "names_gru_minus_classic_accuracy": scores["batched"].accuracy - scores["classic"].accuracy,
               "names_gru_train_s": batched.seconds, "names_classic_train_s": classic.seconds,
               "names_gru_vs_classic_time": batched.seconds / classic.seconds}
    rows = [(recipe, f"{s.accuracy:.3f}", f"{s.macro_f1:.3f}", f"{t.seconds:.1f}", f"{t.names_seen:,}")
            for recipe, s, t in (("classic: plain RNN, one name per SGD step", scores["classic"], classic),
                                 ("batched GRU, packed, class-weighted, Adam", scores["batched"], batched))]
    tables = {f"Names → language: {len(train):,} training and {len(test):,} test names, {n} languages": table(
        ("recipe", "test accuracy", "macro-F1", "training s", "names read"), rows) + "\n\n" + DUPLICATES_NOTE}

    start = time.perf_counter()
    generator_model = name_generation.train_generator(names, data.labels, n, epochs=config.generator_epochs,
                                                      seed=config.seed).model
    sampler = torch.Generator().manual_seed(config.seed)
    samples = [(language, ", ".join(name_generation.generate(generator_model, c, config.temperature, generator=sampler)
                                    for _ in range(config.generated_per_language)))
               for c, language in enumerate(data.languages)]
    metrics["names_generator_train_s"] = time.perf_counter() - start
    title = f"New names sampled per language (temperature {config.temperature:g})"
    tables[title] = table(("language", "names"), samples)
    return metrics, tables


DUPLICATES_NOTE = ("Duplicates: a name repeated within one language is kept once (Arabic's 2,000 lines hold 108 "
                   "distinct names); a name listed under several languages is kept under each (480 names, e.g. "
                   "\"Michel\" under six), so no classifier can be right on every copy: at most 96.8% of the pairs.")


def run(config: RnnConfig, ctx) -> LabResult:
    # Small recurrent models step by step: one torch thread is faster than two (their operations are too small to
    # share), unless `--set threads=N` asks otherwise.
    with torch_threads(config.threads or 1):
        return run_parts(config, ctx)


def run_parts(config: RnnConfig, ctx) -> LabResult:
    differences = cell_differences(config.seed)
    metrics: dict[str, float] = {f"{kind}_cell_max_difference": d for kind, d in differences.items()}
    metrics["cells_max_difference"] = max(differences.values())
    tables = {"Hand-written cells vs PyTorch (largest difference over outputs and final states)": table(
        ("cell", "largest difference"), [(k.upper(), f"{d:.1e}") for k, d in differences.items()])}
    for part in (gradient_part, adding_part, forecasting_part, names_part):
        part_metrics, part_tables = part(config, ctx)
        metrics |= part_metrics
        tables |= part_tables
    return LabResult(metrics=metrics, tables=tables)


LAB = Lab(
    name="rnn",
    title="Recurrent networks: cells by hand, gradients through time, forecasting against ARIMA, names",
    dataset="the adding problem, a synthetic series and sunspots (statsmodels), surnames in 18 languages (packaged)",
    config=RnnConfig,
    run=run,
    targets=(
        Target("cells_max_difference", 1e-5, "min"),
        Target("adding_best_gated_test_mse", 0.01, "min"),
        Target("adding_rnn_test_mse", 0.1),
        Target("synthetic_rollout_rmse_vs_arima", 0.5, "min"),
        Target("sunspots_one_step_rmse_vs_arima", 1.1, "min"),
        Target("sunspots_arima_vs_naive", 0.8, "min"),
        Target("sunspots_recurrent_vs_naive", 0.8, "min"),
        Target("names_gru_test_accuracy", 0.80),
        Target("names_gru_minus_classic_accuracy", 0.0),
        Target("names_gru_vs_classic_time", 1.0, "min"),
    ),
    cpu_budget_s=120,
)
