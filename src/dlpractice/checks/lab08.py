"""Checks for lab 08 (recurrent networks): `from dlpractice.checks import lab08 as check`, then `check.NAME(answer)`.

Each check runs the answer on more cases than the notebook shows and compares it with the library's version in
`dlpractice.sequences` (the RNN, LSTM and GRU cells, which match nn.RNNCell, nn.LSTMCell and nn.GRUCell; each
sequence's last real output; clipping by global norm, as torch.nn.utils.clip_grad_norm_) or with a reference written
here (the autoregressive roll-out; draws from softmax(logits / T), judged by a chi-square test):
- shapes at their edges: a batch of one, H = 1, F ≠ H and F = H, T = 1, lengths all T or all 1, a scalar gradient
  and a zero one, horizon 1, width 1 and width = len(history), a vocabulary of one;
- float64 in, float64 out (the cells to float64 precision); nonzero initial states and two biases that differ; the
  gradient of a cell's result reaching x and the state;
- data chosen so that the classic shortcut gives another answer: padding that is not zero under the last column,
  lengths not sorted, gradients each within max_norm but not together, all of them zero, a model that reads its
  whole window and has dropout (in training mode, and in eval mode), logits of ±1000 (a naive exp overflows or
  underflows), temperatures of 0.25 and 4.
When a wrong answer is a classic mistake (the LSTM's gates in another order, the GRU's reset gate applied to h before
the product, z and 1 - z swapped, a bias used twice, outputs[:, -1], lengths instead of lengths - 1, clipping each
tensor on its own, the norm after clipping, always the first window, the model left in training mode, the logits
multiplied by T...) the hint says which. Checks fork the random state, so calling one never changes the numbers a
notebook draws afterwards.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import numpy as np
import torch
from scipy import stats
from torch import Tensor, nn

from dlpractice.checks.core import CheckFailed, exercise, expect, expect_close, expect_dtype
from dlpractice.checks.distributions import FALSE_ALARM
from dlpractice.checks.tensors import answer, close, expect_float, expect_tensor, isolated
from dlpractice.models.forecaster import Forecaster
from dlpractice.sequences import recurrent_cells
from dlpractice.sequences.packing import last_real_outputs as reference_last

__all__ = ["rnn_cell", "lstm_cell", "gru_cell", "last_real_outputs", "clip_by_global_norm", "roll_out",
           "sample_with_temperature"]


def leaf(t: Tensor) -> Tensor:
    """A copy of `t` that requires grad, as a parameter or a network's output does."""
    return t.detach().clone().requires_grad_(True)


# --------------------------------------------------------------------------- 1-3. the cells

CELL_ERRORS = {
    "shapes cannot be multiplied": "w_ih is (G·H, F) and w_hh (G·H, H), one row per output unit: multiply by the "
                                   "transpose, x @ w_ih.T and h @ w_hh.T (or F.linear(x, w_ih, b_ih)).",
    "same dtype": "keep the inputs' dtype: float64 in, float64 out (a module built inside your function is float32 "
                  "unless you pass dtype=x.dtype).",
    "expected 4, got": "split the (B, 4H) pre-activations along the features, .chunk(4, dim=1), into four (B, H) "
                       "gates (dim=0 would split the batch).",
    "expected 3, got": "split the (B, 3H) products along the features, .chunk(3, dim=1), into three (B, H) parts "
                       "(dim=0 would split the batch).",
    "does not require grad": "keep the result on the autograd graph (no .detach(), torch.no_grad() or NumPy).",
}

BIAS_HINT = ("add both biases once each, b_ih and b_hh (you used one of them twice, or left one out; PyTorch keeps "
             "two and adds both).")


def _cell_cases(gates: int) -> list[tuple[str, dict[str, Tensor]]]:
    """Inputs for a cell with `gates` stacked gates (1 RNN, 4 LSTM, 3 GRU): nonzero states, two biases that differ.
    The weights are scaled so that the pre-activations are of order 1 (no gate saturated, every mistake visible)."""
    gen = torch.Generator().manual_seed(80 + gates)

    def inputs(b: int, f: int, h: int, dtype: torch.dtype = torch.float32, zero_state: bool = False
               ) -> dict[str, Tensor]:
        def randn(*shape: int, scale: float = 1.0) -> Tensor:
            return (scale * torch.randn(*shape, generator=gen, dtype=torch.float64)).to(dtype)

        state = torch.zeros(b, h, dtype=dtype) if zero_state else randn(b, h, scale=0.8)
        cell = torch.zeros(b, h, dtype=dtype) if zero_state else randn(b, h, scale=1.5)
        return {"x": randn(b, f), "h": state, "c": cell, "w_ih": randn(gates * h, f, scale=0.7 / math.sqrt(f)),
                "w_hh": randn(gates * h, h, scale=0.7 / math.sqrt(h)), "b_ih": randn(gates * h, scale=0.6),
                "b_hh": randn(gates * h, scale=0.6)}

    return [
        ("B=3, F=5, H=4, a nonzero initial state", inputs(3, 5, 4)),
        ("a batch of one (B=1, F=3, H=4)", inputs(1, 3, 4)),
        ("H = 1 (B=4, F=2)", inputs(4, 2, 1)),
        ("F = H = 3 (square weights)", inputs(5, 3, 3)),
        ("F = 1, H = 6", inputs(2, 1, 6)),
        ("a zero initial state (B=2, F=4, H=3)", inputs(2, 4, 3, zero_state=True)),
        ("float64 (B=2, F=6, H=3)", inputs(2, 6, 3, torch.float64)),
    ]


def _bias_variants(b_ih: Tensor, b_hh: Tensor) -> list[tuple[Tensor, Tensor]]:
    zero = torch.zeros_like(b_ih)
    return [(b_ih, b_ih), (b_hh, b_hh), (b_ih, zero), (zero, b_hh), (zero, zero)]


def rnn_variant(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor,
                act: Callable[[Tensor], Tensor] = torch.tanh, transposed: bool = True, use_h: bool = True) -> Tensor:
    wi, wh = (w_ih.T, w_hh.T) if transposed else (w_ih, w_hh)
    return act(x @ wi + b_ih + (h @ wh if use_h else 0) + b_hh)


def rnn_mistakes(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
                 ) -> list[tuple[Callable[[], Tensor], str]]:
    args = (x, h, w_ih, w_hh)
    return [
        *[(lambda bi=bi, bh=bh: rnn_variant(*args, bi, bh), BIAS_HINT) for bi, bh in _bias_variants(b_ih, b_hh)],
        (lambda: rnn_variant(*args, b_ih, b_hh, act=lambda t: t), "the new state goes through tanh: "
         "tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."),
        (lambda: rnn_variant(*args, b_ih, b_hh, act=torch.sigmoid), "the Elman cell uses tanh, not the sigmoid."),
        (lambda: rnn_variant(*args, b_ih, b_hh, act=torch.relu), "the cell uses tanh (nn.RNN's default), not ReLU."),
        (lambda: rnn_variant(*args, b_ih, b_hh, use_h=False), "the previous state is missing: h enters through "
         "h @ w_hh.T."),
        (lambda: rnn_variant(*args, b_ih, b_hh, transposed=False), "multiply by the transposed weights, x @ w_ih.T "
         "and h @ w_hh.T: w_ih is (H, F), one row per output unit."),
        (lambda: rnn_variant(x, h, w_hh, w_ih, b_ih, b_hh), "w_ih multiplies the input x, w_hh the state h."),
    ]


LSTM_NAMES = "ifgo"


def lstm_variant(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor,
                 order: tuple[int, ...] = (0, 1, 2, 3), g_act: Callable[[Tensor], Tensor] = torch.tanh,
                 out_tanh: bool = True, h_from_new_cell: bool = True, keep_old: bool = True, use_h: bool = True
                 ) -> tuple[Tensor, Tensor]:
    """The LSTM cell, with the chunks read in `order` (i = chunk order[0], ...) and one classic change or another."""
    chunks = (x @ w_ih.T + b_ih + (h @ w_hh.T if use_h else 0) + b_hh).chunk(4, dim=1)
    i, f, g, o = (chunks[k] for k in order)
    c_new = (torch.sigmoid(f) * c if keep_old else 0) + torch.sigmoid(i) * g_act(g)
    shown = c_new if h_from_new_cell else c
    return torch.sigmoid(o) * (torch.tanh(shown) if out_tanh else shown), c_new


def lstm_mistakes(x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
                  ) -> list[tuple[Callable[[], tuple[Tensor, Tensor]], str]]:
    args = (x, h, c, w_ih, w_hh)
    orders = [p for p in itertools.permutations(range(4)) if p != (0, 1, 2, 3)]
    return [
        *[(lambda p=p: lstm_variant(*args, b_ih, b_hh, order=p),
           f"you read the gates in the order {''.join(LSTM_NAMES[p.index(k)] for k in range(4))}; PyTorch's order is "
           "i, f, g, o (input, forget, candidate, output): i, f, g, o = pre.chunk(4, dim=1).") for p in orders],
        *[(lambda bi=bi, bh=bh: lstm_variant(*args, bi, bh), BIAS_HINT) for bi, bh in _bias_variants(b_ih, b_hh)],
        (lambda: lstm_variant(*args, b_ih, b_hh, g_act=torch.sigmoid), "the candidate g goes through tanh; only the "
         "three gates i, f and o go through the sigmoid."),
        (lambda: lstm_variant(*args, b_ih, b_hh, out_tanh=False), "h_new = o * tanh(c_new): the cell goes through "
         "tanh before the output gate."),
        (lambda: lstm_variant(*args, b_ih, b_hh, h_from_new_cell=False), "h_new shows the *new* cell: "
         "o * tanh(c_new), not o * tanh(c)."),
        (lambda: lstm_variant(*args, b_ih, b_hh, keep_old=False), "c_new = f * c + i * g: the forget gate keeps part "
         "of the old cell."),
        (lambda: lstm_variant(*args, b_ih, b_hh, use_h=False), "the previous state is missing: h enters the "
         "pre-activations through h @ w_hh.T."),
        (lambda: lstm_variant(x, c, h, w_ih, w_hh, b_ih, b_hh), "`state` is the pair (h, c), h first: h, c = state."),
    ]


GRU_NAMES = "rzn"


def gru_variant(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor,
                order: tuple[int, ...] = (0, 1, 2), reset: str = "cudnn", swap_z: bool = False,
                n_act: Callable[[Tensor], Tensor] = torch.tanh) -> Tensor:
    """The GRU cell, chunks read in `order`, the reset gate applied as `reset` says, z and 1 - z swapped or not."""
    xs = (x @ w_ih.T + b_ih).chunk(3, dim=1)
    hs = (h @ w_hh.T + b_hh).chunk(3, dim=1)
    (x_r, x_z, x_n), (h_r, h_z, h_n) = ([t[k] for k in order] for t in (xs, hs))
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    w_hn, b_hn = w_hh.chunk(3, dim=0)[order[2]], b_hh.chunk(3)[order[2]]
    recurrent = {"cudnn": r * h_n, "before": (r * h) @ w_hn.T + b_hn, "bias outside": r * (h @ w_hn.T) + b_hn,
                 "none": h_n}[reset]
    n = n_act(x_n + recurrent)
    return z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h


def gru_mistakes(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor, b_hh: Tensor
                 ) -> list[tuple[Callable[[], Tensor], str]]:
    args = (x, h, w_ih, w_hh)
    orders = [p for p in itertools.permutations(range(3)) if p != (0, 1, 2)]
    return [
        (lambda: gru_variant(*args, b_ih, b_hh, reset="before"), "the reset gate was applied to h before the "
         "product: PyTorch's reset gate multiplies (W_hn h + b_hn), the recurrent term with its bias: "
         "n = tanh(x_n + r * h_n) with h_n = the n part of h @ w_hh.T + b_hh."),
        (lambda: gru_variant(*args, b_ih, b_hh, reset="bias outside"), "the reset gate multiplies the recurrent term "
         "*with its bias*, r * (W_hn h + b_hn), not r * (W_hn h) + b_hn."),
        (lambda: gru_variant(*args, b_ih, b_hh, reset="none"), "the reset gate is missing from the candidate: "
         "n = tanh(x_n + r * h_n), where x_n and h_n are the n parts of the two products, kept apart."),
        (lambda: gru_variant(*args, b_ih, b_hh, swap_z=True), "z and (1 - z) are swapped: h' = (1 - z) * n + z * h "
         "(z is the share of the old state that is kept)."),
        *[(lambda p=p: gru_variant(*args, b_ih, b_hh, order=p),
           f"you read the gates in the order {''.join(GRU_NAMES[p.index(k)] for k in range(3))}; PyTorch's order is "
           "r, z, n (reset, update, candidate): split both products with .chunk(3, dim=1).") for p in orders],
        *[(lambda bi=bi, bh=bh: gru_variant(*args, bi, bh), BIAS_HINT) for bi, bh in _bias_variants(b_ih, b_hh)],
        (lambda: gru_variant(*args, b_ih, b_hh, n_act=torch.sigmoid), "the candidate n goes through tanh; only r and "
         "z go through the sigmoid."),
    ]


def _recognise(got: list[Tensor], mistakes: list[tuple[Callable[[], Any], str]], tolerance: dict[str, float]
               ) -> str | None:
    """The hint of the first mistake whose result matches `got` (a list of tensors), or None."""
    for make, hint in mistakes:
        try:
            wrong = make()
        except RuntimeError:  # a mistake that only exists for square weights
            continue
        wrong = list(wrong) if isinstance(wrong, tuple) else [wrong]
        if all(close(a, b, **tolerance) for a, b in zip(got, wrong)):
            return hint
    return None


def _cell_shape_hint(got: Tensor, b: int, h: int) -> str:
    if got.numel() == b * h:
        return "keep every dimension, also those of size 1 (no .squeeze())."
    if tuple(got.shape) in ((b, 4 * h), (b, 3 * h)):
        return "those are the stacked pre-activations: split them into the gates and combine them into the new state."
    return "the new state has one row per sequence and H columns."


def _check_cell(fn: Callable, kind: str) -> None:
    """The shared check of the three cells: shape, dtype, values (naming a recognised mistake), the graph."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    for case, data in _cell_cases(gates):
        b, h_size = data["h"].shape
        names = ["x", "h", "c"] if kind == "lstm" else ["x", "h"]
        leaves = {k: leaf(v) for k, v in data.items()}
        weights = [leaves[k] for k in ("w_ih", "w_hh", "b_ih", "b_hh")]
        if kind == "lstm":
            got = answer(fn, leaves["x"], (leaves["h"], leaves["c"]), *weights, case=case, hints=CELL_ERRORS)
            expect(got is not None, case, "got None — did you forget to return (h_new, c_new)?")
            expect(isinstance(got, (tuple, list)) and len(got) == 2, case, "expected the pair (h_new, c_new), got "
                   f"{type(got).__name__}. Hint: return h_new, c_new.")
            outs = list(got)
        else:
            got = answer(fn, leaves["x"], leaves["h"], *weights, case=case, hints=CELL_ERRORS)
            outs = [got]
        what = ["h_new", "c_new"] if kind == "lstm" else ["the new state"]
        for out, name in zip(outs, what):
            expect_tensor(out, case, f"{name} as a torch.Tensor")
            expect(tuple(out.shape) == (b, h_size), case, f"expected {name} of shape {(b, h_size)} (B, H), got "
                   f"{tuple(out.shape)}. Hint: {_cell_shape_hint(out, b, h_size)}")
            expect_dtype(out, data["x"].dtype, case)
        d = {k: v.double() for k, v in data.items()}
        w = [d[k] for k in ("w_ih", "w_hh", "b_ih", "b_hh")]
        if kind == "lstm":
            expected = list(recurrent_cells.lstm_cell(d["x"], (d["h"], d["c"]), *w))
            mistakes = lstm_mistakes(d["x"], d["h"], d["c"], *w)
        elif kind == "gru":
            expected = [recurrent_cells.gru_cell(d["x"], d["h"], *w)]
            mistakes = gru_mistakes(d["x"], d["h"], *w)
        else:
            expected = [recurrent_cells.rnn_cell(d["x"], d["h"], *w)]
            mistakes = rnn_mistakes(d["x"], d["h"], *w)
        tolerance = (dict(atol=1e-12, rtol=1e-10) if data["x"].dtype == torch.float64 else dict(atol=1e-5, rtol=1e-4))
        if not all(close(a, e, **tolerance) for a, e in zip(outs, expected)):
            if kind == "lstm" and close(outs[0], expected[1], **tolerance) and close(outs[1], expected[0], **tolerance):
                raise CheckFailed(f"case '{case}': h_new and c_new are swapped. Hint: return the pair in the order "
                                  "(h_new, c_new), as the state came in as (h, c).")
            hint = _recognise(outs, mistakes, tolerance)
            if hint is None and data["x"].dtype == torch.float64 and all(
                    close(a, e, atol=1e-5, rtol=1e-4) for a, e in zip(outs, expected)):
                hint = ("right to float32 precision only: part of the computation ran in float32 (a module or a "
                        "tensor made without dtype=x.dtype?); keep float64 throughout.")
            for out, exp, name in zip(outs, expected, what):
                expect_close(out, exp, f"{case}, {name}", **tolerance, hint=hint or {
                    "rnn": "tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).",
                    "lstm": "pre = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh; i, f, g, o = pre.chunk(4, dim=1); "
                            "c_new = σ(f) c + σ(i) tanh(g); h_new = σ(o) tanh(c_new).",
                    "gru": "r, z from the sums of the two products' first two chunks; n = tanh(x_n + r * h_n); "
                           "h' = (1 - z) * n + z * h."}[kind])
        # the result stays on the graph: the gradient reaches x and the state, and where it reaches the weights it is
        # the right one (a module given copies of the weights computes the same numbers, and is accepted)
        cut = [name for out, name in zip(outs, what) if not out.requires_grad]
        expect(not cut, case, f"{cut[0] if cut else ''} is cut off from the autograd graph, so nothing before the cell "
               "would learn. Hint: no .detach(), .data, torch.no_grad() or NumPy on the way.")
        seeds = [torch.randn(b, h_size, dtype=torch.float64).to(data["x"].dtype) for _ in outs]
        inputs = [leaves[k] for k in names] + weights
        grads = torch.autograd.grad(outs, inputs, grad_outputs=seeds, allow_unused=True)
        right = {k: leaf(v) for k, v in d.items()}
        rw = [right[k] for k in ("w_ih", "w_hh", "b_ih", "b_hh")]
        if kind == "lstm":
            ref_out = list(recurrent_cells.lstm_cell(right["x"], (right["h"], right["c"]), *rw))
        elif kind == "gru":
            ref_out = [recurrent_cells.gru_cell(right["x"], right["h"], *rw)]
        else:
            ref_out = [recurrent_cells.rnn_cell(right["x"], right["h"], *rw)]
        ref_inputs = [right[k] for k in names] + rw
        ref_grads = torch.autograd.grad(ref_out, ref_inputs, grad_outputs=[s.double() for s in seeds])
        for name, grad, want in zip(names + ["w_ih", "w_hh", "b_ih", "b_hh"], grads, ref_grads):
            if grad is None:
                expect(name not in names, case, f"no gradient reaches `{name}`. Hint: compute the result from "
                       f"{name} itself, without .detach().")
                continue
            expect_close(grad, want, f"{case}, gradient with respect to {name}", atol=1e-4, rtol=1e-4,
                         hint="the values are right but the gradient is not: use differentiable tensor operations "
                              "only (no in-place edits of a tensor autograd still needs).")


@exercise("rnn_cell")
@isolated
def rnn_cell(fn: Callable[[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor], Tensor]) -> None:
    """fn(x (B, F), h (B, H), w_ih (H, F), w_hh (H, H), b_ih (H,), b_hh (H,)) -> tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)
    (B, H), in the inputs' dtype, on the autograd graph."""
    _check_cell(fn, "rnn")


@exercise("lstm_cell")
@isolated
def lstm_cell(fn: Callable[..., tuple[Tensor, Tensor]]) -> None:
    """fn(x (B, F), (h, c) each (B, H), w_ih (4H, F), w_hh (4H, H), b_ih (4H,), b_hh (4H,)) -> (h_new, c_new), gates
    in PyTorch's order i, f, g, o."""
    _check_cell(fn, "lstm")


@exercise("gru_cell")
@isolated
def gru_cell(fn: Callable[..., Tensor]) -> None:
    """fn(x (B, F), h (B, H), w_ih (3H, F), w_hh (3H, H), b_ih (3H,), b_hh (3H,)) -> h' (B, H): gates r, z, n, the
    reset gate on W_hn h + b_hn, h' = (1 - z) n + z h."""
    _check_cell(fn, "gru")


# --------------------------------------------------------------------------- 4. last real outputs

LAST_ERRORS = {
    "out of bounds for dimension 1": "lengths[b] counts steps, so sequence b's last real step is lengths[b] - 1 "
                                     "(steps count from 0): index with lengths - 1, not lengths.",
    "must be sorted in decreasing order": "the lengths are not sorted: row b takes its own length, in the batch's "
                                          "order (pack_padded_sequence needs enforce_sorted=False, or index instead).",
    "Can't call numpy() on Tensor that requires grad": "a network's outputs require grad: stay in torch (index "
                                                       "outputs with torch.arange(B) and lengths - 1).",
}


def _last_cases() -> list[tuple[str, Tensor, Tensor]]:
    """Outputs that are not zero after each sequence's end: a module runs over the padding too."""
    gen = torch.Generator().manual_seed(84)

    def outputs(b: int, t: int, h: int, dtype: torch.dtype = torch.float32) -> Tensor:
        return torch.randn(b, t, h, generator=gen, dtype=dtype)

    return [
        ("B=4, T=6, H=3, lengths [3, 6, 1, 4] (not sorted)", outputs(4, 6, 3), torch.tensor([3, 6, 1, 4])),
        ("every length T = 5", outputs(3, 5, 2), torch.tensor([5, 5, 5])),
        ("every length 1 (T = 5)", outputs(3, 5, 4), torch.tensor([1, 1, 1])),
        ("a batch of one, length 2 of T = 4", outputs(1, 4, 3), torch.tensor([2])),
        ("H = 1, lengths [2, 5, 3]", outputs(3, 5, 1), torch.tensor([2, 5, 3])),
        ("T = 1", outputs(2, 1, 3), torch.tensor([1, 1])),
        ("lengths in increasing order [1, 2, 4, 7]", outputs(4, 7, 2), torch.tensor([1, 2, 4, 7])),
        ("float64, lengths [4, 2]", outputs(2, 4, 3, torch.float64), torch.tensor([4, 2])),
        ("outputs that require grad (a network's), lengths [2, 3, 1]", leaf(outputs(3, 3, 2)),
         torch.tensor([2, 3, 1])),
    ]


def last_mistakes(outputs: Tensor, lengths: Tensor) -> list[tuple[Tensor, str]]:
    rows = torch.arange(len(lengths))
    mistakes = [(outputs[:, -1], "outputs[:, -1] is the output at step T - 1, in the padding for every sequence "
                 "shorter than T: take row b at its own last real step, lengths[b] - 1.")]
    if bool((lengths < outputs.shape[1]).all()):
        mistakes.append((outputs[rows, lengths], "lengths[b] counts steps, so the last real step is lengths[b] - 1 "
                         "(steps count from 0): outputs[torch.arange(B), lengths - 1]."))
    for descending in (True, False):
        ordered = lengths.sort(descending=descending).values
        mistakes.append((outputs[rows, ordered - 1], "the lengths are not sorted: row b takes its own length, "
                         "lengths[b], in the batch's order (sorting them pairs rows with other rows' lengths)."))
    return mistakes


@exercise("last_real_outputs")
@isolated
def last_real_outputs(fn: Callable[[Tensor, Tensor], Tensor]) -> None:
    """fn(outputs (B, T, H), lengths (B,) int64 in [1, T]) -> (B, H): row b is outputs[b, lengths[b] - 1]."""
    for case, outputs, lengths in _last_cases():
        got = answer(fn, outputs, lengths.clone(), case=case, hints=LAST_ERRORS)
        expect_tensor(got, case)
        b, t, h = outputs.shape
        if tuple(got.shape) != (b, h):
            hint = ("keep the dimensions of size 1 (no .squeeze())." if got.numel() == b * h
                    else "outputs[:, lengths - 1] takes every sequence at every length; pair each row with its own "
                         "length: outputs[torch.arange(B), lengths - 1]." if tuple(got.shape) == (b, b, h)
                    else "index the time dimension (dim 1) for each row b: outputs[torch.arange(B), lengths - 1]."
                    if tuple(got.shape) in ((b, t, h), (t, h)) else "one H-vector per sequence.")
            raise CheckFailed(f"case '{case}': expected shape {(b, h)} (B, H), got {tuple(got.shape)}. Hint: {hint}")
        expect_dtype(got, outputs.dtype, case)
        expected = reference_last(outputs.detach(), lengths)
        if close(got, expected, atol=1e-6, rtol=1e-6):
            continue
        for wrong, hint in last_mistakes(outputs.detach(), lengths):
            if close(got, wrong, atol=1e-6, rtol=1e-6):
                raise CheckFailed(f"case '{case}': lengths {lengths.tolist()}: wrong rows. Hint: {hint}")
        expect_close(got, expected, case, atol=1e-6, rtol=1e-6,
                     hint="row b is outputs[b, lengths[b] - 1] (a copy of it, unchanged).")


# --------------------------------------------------------------------------- 5. clip by global norm

CLIP_ERRORS = {
    "division by zero": "when every gradient is zero the global norm is 0 and there is nothing to clip: the factor "
                        "is 1 (min(1, max_norm / 0) = min(1, ∞)); test for a zero norm before dividing.",
}


def _clip_cases() -> list[tuple[str, list[Tensor], float]]:
    gen = torch.Generator().manual_seed(85)

    def randn(*shape: int, scale: float = 1.0, dtype: torch.dtype = torch.float32) -> Tensor:
        return (scale * torch.randn(*shape, generator=gen, dtype=torch.float64)).to(dtype)

    within = [randn(4), randn(2, 3), randn(5)]
    within = [0.8 * g / g.norm() for g in within]  # each of norm 0.8, together 0.8·√3 ≈ 1.39
    return [
        ("(3, 4), (5,), a scalar and a zero (2, 2), norm far above max_norm = 1",
         [randn(3, 4, scale=50), randn(5, scale=80), torch.tensor(-120.0), torch.zeros(2, 2)], 1.0),
        ("norm below max_norm = 100: unchanged", [randn(3, 2), randn(4), torch.tensor(0.5)], 100.0),
        ("norm exactly max_norm = 5", [torch.tensor([3.0, 0.0]), torch.tensor([[0.0], [-4.0]])], 5.0),
        ("each tensor within max_norm = 1, together above it", within, 1.0),
        ("a single tensor (4, 3), max_norm 0.5", [randn(4, 3, scale=2)], 0.5),
        ("float64, (2, 3) and (7,), max_norm 2", [randn(2, 3, scale=3, dtype=torch.float64),
                                                 randn(7, scale=2, dtype=torch.float64)], 2.0),
        ("every gradient zero", [torch.zeros(3), torch.zeros(2, 2)], 1.0),
    ]


def clip_mistakes(grads: list[Tensor], max_norm: float
                  ) -> tuple[list[tuple[list[Tensor], str]], list[tuple[float, str]]]:
    """Wrong clipped tensors and wrong norms, each with its hint (in float64)."""
    g = [t.double() for t in grads]
    norms = [float(t.norm()) for t in g]
    total = math.sqrt(sum(n * n for n in norms))

    def scaled(factor: float) -> list[Tensor]:
        return [t * factor for t in g]

    values = [
        ([t * min(1.0, max_norm / n) if n > 0 else t for t, n in zip(g, norms)], "you clipped each tensor by its own "
         "norm: one factor for all of them, min(1, max_norm / total_norm), with the global norm over every entry."),
        (scaled(max_norm / total) if total > 0 else g, "clip only when the norm is above max_norm: the factor is "
         "min(1, max_norm / total_norm), so gradients within the norm stay as they are."),
        (scaled(min(1.0, max_norm / sum(norms))) if total > 0 else g, "the global norm is sqrt(Σ_i ‖g_i‖²), every "
         "entry as one vector, not the sum of the tensors' norms."),
        (scaled(min(1.0, max_norm / total ** 2)) if total > 0 else g, "the square root is missing: the global norm "
         "is sqrt of the sum of the squared entries."),
        (scaled(min(1.0, total / max_norm)), "the factor is upside down: min(1, max_norm / total_norm)."),
    ]
    totals = [
        (min(total, max_norm), "that is the norm after clipping: return the norm before clipping (what was measured, "
         "as clip_grad_norm_ does)."),
        (sum(norms), "the global norm is sqrt(Σ_i ‖g_i‖²), not the sum of the tensors' norms."),
        (total ** 2, "the square root is missing: the global norm is sqrt of the sum of the squared entries."),
        (max(norms), "that is the largest tensor's norm: the global norm takes every entry of every tensor."),
    ]
    return values, totals


@exercise("clip_by_global_norm")
@isolated
def clip_by_global_norm(fn: Callable[[list[Tensor], float], tuple[list[Tensor], float]]) -> None:
    """fn(grads, max_norm) -> (new tensors g · min(1, max_norm / total), total = sqrt(Σ ‖g_i‖²) before clipping as a
    Python float); the inputs unchanged."""
    for case, grads, max_norm in _clip_cases():
        got = answer(fn, [g.clone() for g in grads], max_norm, case=case, hints=CLIP_ERRORS, fresh=True)
        expect(got is not None, case, "got None — did you forget to return (clipped, total_norm)?")
        expect(isinstance(got, (tuple, list)) and len(got) == 2, case, f"expected the pair (clipped, total_norm), got "
               f"{type(got).__name__}. Hint: return clipped, total_norm.")
        clipped, total_got = got
        if isinstance(clipped, Tensor):
            raise CheckFailed(f"case '{case}': expected a list of {len(grads)} tensors, one per gradient, got one "
                              "tensor. Hint: scale each gradient and keep its shape: [g * factor for g in grads].")
        expect(isinstance(clipped, (list, tuple)) and len(clipped) == len(grads), case,
               f"expected a list of {len(grads)} tensors, one per gradient, got {type(clipped).__name__}"
               f"{f' of {len(clipped)}' if isinstance(clipped, (list, tuple)) else ''}.")
        for k, (c, g) in enumerate(zip(clipped, grads)):
            expect_tensor(c, case, f"tensor {k} as a torch.Tensor")
            expect(c.shape == g.shape, case, f"tensor {k} has shape {tuple(c.shape)}, expected {tuple(g.shape)}. "
                   "Hint: each clipped tensor keeps its gradient's shape (no .flatten(), no .squeeze()).")
            expect_dtype(c, g.dtype, case)
        total_got = expect_float(total_got, case, "return the norm as a Python float: float(total).")
        total = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))
        factor = min(1.0, max_norm / total) if total > 0 else 1.0
        expected = [g.double() * factor for g in grads]
        wrong_values, wrong_totals = clip_mistakes(grads, max_norm)
        if not math.isclose(total_got, total, rel_tol=1e-5, abs_tol=1e-6):
            for wrong, hint in wrong_totals:
                if math.isclose(total_got, wrong, rel_tol=1e-5, abs_tol=1e-6):
                    raise CheckFailed(f"case '{case}': total_norm {total_got:.6g}, expected {total:.6g}. Hint: {hint}")
            raise CheckFailed(f"case '{case}': total_norm {total_got:.6g}, expected {total:.6g}. Hint: the square root "
                              "of the sum of every tensor's squared entries, before clipping.")
        if all(close(c, e, atol=1e-6, rtol=1e-5) for c, e in zip(clipped, expected)):
            continue
        if not all(bool(torch.isfinite(c).all()) for c in clipped):
            raise CheckFailed(f"case '{case}': the clipped tensors hold NaN or inf (global norm {total:g}). Hint: when "
                              "the norm is 0 there is nothing to clip: the factor min(1, max_norm / total_norm) is 1, "
                              "and max_norm / 0 must not reach the tensors.")
        for wrong, hint in wrong_values:
            if all(close(c, w, atol=1e-6, rtol=1e-5) for c, w in zip(clipped, wrong)):
                raise CheckFailed(f"case '{case}': global norm {total:.6g}, max_norm {max_norm:g}: wrong clipped "
                                  f"values. Hint: {hint}")
        for k, (c, e) in enumerate(zip(clipped, expected)):
            expect_close(c, e, f"{case}, tensor {k}", atol=1e-6, rtol=1e-5, hint="every tensor times the same factor "
                         "min(1, max_norm / total_norm) (1 when the norm is 0).")


# --------------------------------------------------------------------------- 6. roll-out

class WindowModel(nn.Module):
    """A fixed linear model over the whole window, with dropout in front (so that training mode shows): (1, width, 1)
    float32 -> (1,). It refuses any other input, and notes every call: the window, its mode and whether gradients
    were tracked (for the hints)."""

    def __init__(self, width: int, seed: int, dropout: float = 0.5):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        weights = torch.randn(width, generator=gen, dtype=torch.float64)
        weights = 0.9 * weights / weights.abs().sum()  # Σ|w| < 1: a stable roll-out that reads every position
        self.width = width
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(width, 1)
        with torch.no_grad():
            self.linear.weight.copy_(weights.view(1, width))
            self.linear.bias.fill_(0.3)
        self.calls: list[tuple[list[float], bool, bool]] = []

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor) or tuple(x.shape) != (1, self.width, 1):
            shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ValueError(f"the model takes one window of shape (1, width, 1) = (1, {self.width}, 1), got {shape}")
        if x.dtype != torch.float32:
            raise TypeError(f"the model takes float32 windows, got {x.dtype}")
        self.calls.append((x.detach().flatten().double().tolist(), self.training, torch.is_grad_enabled()))
        return self.linear(self.dropout(x.view(1, self.width))).view(1)

    def reference(self, history: Tensor, horizon: int) -> tuple[list[float], list[list[float]]]:
        """The roll-out in float64 without dropout: the predictions, and the window each one was read from."""
        weights = self.linear.weight.detach().double().view(-1)
        bias = float(self.linear.bias.detach().double())
        values, windows, predictions = history.double().tolist(), [], []
        for _ in range(horizon):
            window = values[-self.width:]
            windows.append(window)
            predictions.append(float(weights @ torch.tensor(window, dtype=torch.float64)) + bias)
            values.append(predictions[-1])
        return predictions, windows


def _roll_cases() -> list[tuple[str, nn.Module, Tensor, int, int]]:
    gen = torch.Generator().manual_seed(86)
    steps = torch.arange(40, dtype=torch.float64)
    series = torch.sin(steps / 3) + 0.3 * torch.randn(40, generator=gen, dtype=torch.float64) + 1.0

    def model(width: int, seed: int, training: bool) -> WindowModel:
        return WindowModel(width, seed).train(training)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(86)
        forecaster = Forecaster("gru", hidden=8).train()
    return [
        ("history of 30 values, width 5, horizon 8, the model in training mode (with dropout)", model(5, 1, True),
         series[:30].float(), 5, 8),
        ("history of 30 values, width 5, horizon 8, the model in evaluation mode", model(5, 1, False),
         series[:30].float(), 5, 8),
        ("horizon 1", model(4, 2, True), series[:20].float(), 4, 1),
        ("width = len(history) = 12, horizon 6", model(12, 3, True), series[5:17].float(), 12, 6),
        ("width 1, horizon 5", model(1, 4, True), series[:10].float(), 1, 5),
        ("horizon 20, width 3: the later windows hold predictions only", model(3, 5, False), series[:15].float(), 3,
         20),
        ("history in float64 (the model takes float32 windows)", model(6, 6, True), series[:25], 6, 7),
        ("the notebook's Forecaster (a GRU, hidden 8) in training mode, width 10, horizon 6", forecaster,
         series.float(), 10, 6),
    ]


def _forecaster_reference(model: nn.Module, history: Tensor, width: int, horizon: int) -> list[float]:
    import copy

    frozen = copy.deepcopy(model).eval()
    values, out = history.double().tolist(), []
    with torch.no_grad():
        for _ in range(horizon):
            window = torch.tensor(values[-width:], dtype=torch.float32).view(1, width, 1)
            out.append(float(frozen(window)[0]))
            values.append(out[-1])
    return out


def _window_hint(calls: list[tuple[list[float], bool, bool]], history: Tensor, windows: list[list[float]],
                 width: int) -> str:
    seen = [window for window, _, _ in calls]
    if not seen:
        return "the model was never called: predict each value with model(window)."
    first = windows[0]
    if len(seen) > 1 and all(close(s, first, atol=1e-4) for s in seen):
        return ("the model was given the same window every time: after each prediction, append it and take the last "
                "`width` values again (the window slides over the predictions).")
    if not close(seen[0], first, atol=1e-4):
        if close(seen[0], history.double()[:width].tolist(), atol=1e-4):
            return "the first window is the *last* `width` values of history, history[-width:], not the first ones."
        return f"the first window should be history[-width:] = {[round(v, 4) for v in first]}, got " \
               f"{[round(v, 4) for v in seen[0]]}."
    shifted = history.double().tolist()
    if len(seen) > 1 and len(shifted) > width and close(seen[1], shifted[-width - 1:-1], atol=1e-4):
        return "the windows slide backwards over history: each new window ends with the newest prediction."
    for k, (s, w) in enumerate(zip(seen, windows)):
        if not close(s, w, atol=1e-4):
            return (f"the window of step {k} was {[round(v, 4) for v in s]}, expected {[round(v, 4) for v in w]}: "
                    "feed each prediction back, appended after history, and read the last `width` values.")
    return ("the windows were right but the values returned are not the model's predictions on them: return each "
            "model(window) in order.")


@exercise("roll_out")
@isolated
def roll_out(fn: Callable[[nn.Module, Tensor, int, int], Tensor]) -> None:
    """fn(model, history (N,), width, horizon) -> (horizon,) float: each value predicted by model (eval mode, no
    gradients) from the last `width` values, predictions appended after history; the model's mode as found."""
    for case, model, history, width, horizon in _roll_cases():
        recorded = isinstance(model, WindowModel)
        if recorded:
            model.calls.clear()
            expected, windows = model.reference(history, horizon)
        else:
            expected, windows = _forecaster_reference(model, history, width, horizon), []
        got = answer(fn, model, history.clone(), width, horizon, case=case, plain=True,
                     hints={"takes one window of shape": "give the model one window at a time, the last `width` "
                                                         "values, shaped (1, width, 1): .view(1, width, 1).",
                            "takes float32 windows": "the model takes float32 windows: build each one with "
                                                    "dtype=torch.float32 (history may be float64)."})
        expect_tensor(got, case)
        if tuple(got.shape) != (horizon,):
            hint = ("a 1-D tensor of the predictions: torch.tensor(list_of_floats), or .view(-1)." if got.numel() ==
                    horizon else f"{horizon} predictions (horizon), without history.")
            raise CheckFailed(f"case '{case}': expected shape ({horizon},) (horizon,), got {tuple(got.shape)}. "
                              f"Hint: {hint}")
        expect(got.is_floating_point(), case, f"expected a float tensor, got {got.dtype}. Hint: the predictions are "
               "real numbers (torch.tensor(values) of Python floats is float32).")
        if recorded and any(training for _, training, _ in model.calls):
            raise CheckFailed(f"case '{case}': the model ran in training mode (its dropout was active). Hint: call "
                              "model.eval() before predicting, and model.train(was_training) afterwards.")
        if recorded and any(grad for _, _, grad in model.calls):
            raise CheckFailed(f"case '{case}': the model ran with gradient tracking on. Hint: predict inside `with "
                              "torch.no_grad():` (the roll-out trains nothing).")
        if close(got, torch.tensor(expected), atol=1e-4, rtol=1e-4):
            continue
        if recorded:
            raise CheckFailed(f"case '{case}': wrong predictions (expected {[round(v, 4) for v in expected[:4]]}..., "
                              f"got {[round(v, 4) for v in got.double().tolist()[:4]]}...). Hint: "
                              f"{_window_hint(model.calls, history, windows, width)}")
        expect_close(got, torch.tensor(expected), case, atol=1e-4, rtol=1e-4, hint="each prediction from the last "
                     "`width` values of history followed by the predictions so far, the model in eval mode.")


# --------------------------------------------------------------------------- 7. sampling with a temperature

DRAWS = 1000  # per case: a temperature of 0.25 against 1, or 4 against 0.25, is then told apart by far


def _sample_cases() -> list[tuple[str, Tensor, float]]:
    return [
        ("V = 5, T = 1 (a logit of exactly 0)", torch.tensor([2.0, 1.0, 0.5, -1.0, 0.0]), 1.0),
        ("T = 0.25 (sharper)", torch.tensor([1.0, 0.5, 0.0, -0.5, 0.8]), 0.25),
        ("T = 4 (flatter)", torch.tensor([3.0, 0.0, -2.0, 1.0]), 4.0),
        ("logits of magnitude 1000, T = 1", torch.tensor([1000.0, 999.0, -1000.0, 998.5]), 1.0),
        ("logits all about -1000, T = 0.5", torch.tensor([-1000.0, -1000.5, -1001.0]), 0.5),
        ("float64 logits, V = 7, T = 1.5", torch.tensor([0.3, -1.2, 2.2, 0.0, 1.1, -0.4, 0.9], dtype=torch.float64),
         1.5),
        ("a vocabulary of one (V = 1), T = 2", torch.tensor([0.7]), 2.0),
    ]


def _sample_hints(case: str) -> dict[str, str]:
    large = "1000" in case
    overflow = ("exp of ±1000 / T overflows to inf or underflows to 0 (inf / inf and 0 / 0 are NaN): use "
                "torch.softmax(logits / T, dim=0), which subtracts the largest logit first.")
    return {
        "contains either `inf`, `nan` or element < 0": overflow if large else "torch.multinomial takes weights "
        "that are ≥ 0: pass the probabilities softmax(logits / T), not the logits or their log.",
        "sum of probabilities <= 0": overflow,
        "Simplex()": overflow,
    }


def as_index(got: Any, case: str, v: int) -> int:
    """The draw as an int in [0, V), or a CheckFailed that says what it is."""
    expect(got is not None, case, "got None — did you forget to return the index?")
    if isinstance(got, Tensor):
        raise CheckFailed(f"case '{case}': expected a Python int, got a tensor of shape {tuple(got.shape)}. Hint: "
                          "int(torch.multinomial(probabilities, 1)) (or .item()).")
    if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
        raise CheckFailed(f"case '{case}': expected a Python int (an index), got {type(got).__name__} {got!r}. Hint: "
                          "int(...) of the drawn index.")
    expect(0 <= int(got) < v, case, f"drew {int(got)}, outside 0..{v - 1} (V = {v}). Hint: the index of a logit, "
           "counted from 0.")
    return int(got)


def _draw(fn: Callable[[Tensor, float], Any], logits: Tensor, temperature: float, n: int, case: str) -> list[int]:
    hints = _sample_hints(case)
    return [as_index(answer(fn, logits, temperature, case=case, hints=hints), case, len(logits)) for _ in range(n)]


def fit_p_value(counts: np.ndarray, p: np.ndarray) -> float:
    """Chi-square goodness of fit of the counts to the probabilities p. Outcomes of expected count below 5 are pooled
    (the test's approximation needs it); an outcome of probability 0 that was drawn gives 0."""
    n = counts.sum()
    if np.any(counts[p == 0] > 0):
        return 0.0
    expected = n * p
    order = np.argsort(expected)
    pooled, total = [], 0.0
    for k in order:  # the smallest outcomes into one bin, until it holds 5 expected draws
        if expected[k] >= 5 and total >= 5:
            break
        pooled.append(k)
        total += expected[k]
    rest = [k for k in range(len(p)) if k not in pooled]
    obs = np.array([counts[pooled].sum()] + [counts[k] for k in rest], dtype=float)
    exp = np.array([expected[pooled].sum()] + [expected[k] for k in rest])
    keep = exp > 0
    obs, exp = obs[keep], exp[keep]
    if len(obs) < 2:
        return 1.0
    statistic = float(((obs - exp) ** 2 / exp).sum())
    return float(stats.chi2.sf(statistic, len(obs) - 1))


def sample_mistakes(logits: Tensor, temperature: float) -> list[tuple[np.ndarray, str]]:
    z = logits.double()
    mistakes = [
        (torch.softmax(z * temperature, 0), "the logits were multiplied by T: divide them, logits / T (T < 1 "
         "sharpens the distribution, T > 1 flattens it)."),
        (torch.softmax(z, 0), "the temperature was left out: draw from softmax(logits / T)."),
    ]
    if bool((z >= 0).all()) and float(z.sum()) > 0:
        mistakes.append((z / z.sum(), "torch.multinomial draws in proportion to the weights it is given: pass "
                         "softmax(logits / T), not the logits."))
    return [(p.numpy(), hint) for p, hint in mistakes]


@exercise("sample_with_temperature")
@isolated
def sample_with_temperature(fn: Callable[[Tensor, float], int]) -> None:
    """fn(logits (V,), T) -> one index, a Python int, drawn from softmax(logits / T) with torch's global generator."""
    cases = _sample_cases()
    # torch's global generator: the same seed gives the same draws, another seed other draws
    case = "the same torch.manual_seed twice, then another seed"
    logits, temperature = torch.tensor([0.5, 0.0, -0.5, 0.2, 0.1]), 4.0
    runs = []
    for seed in (2024, 2024, 2025):
        torch.manual_seed(seed)
        runs.append(_draw(fn, logits, temperature, 20, case))
    expect(runs[0] == runs[1], case, f"the same torch.manual_seed gave different draws ({runs[0][:8]}... and "
           f"{runs[1][:8]}...). Hint: draw with PyTorch's global generator (torch.multinomial), not NumPy's or "
           "Python's `random`, nor a generator of your own.")
    if len(set(runs[0] + runs[2])) == 1:
        other = logits.flip(0)  # the largest logit elsewhere: an argmax moves with it, a fixed draw does not
        again = _draw(fn, other, temperature, 20, case)
        if runs[0][0] == int(logits.argmax()) and set(again) == {int(other.argmax())}:
            raise CheckFailed(f"case '{case}': every draw was the index of the largest logit. Hint: draw at random "
                              "from softmax(logits / T) (torch.multinomial), not the argmax (which is T → 0 only).")
    expect(runs[0] != runs[2], case, f"the same 20 draws after torch.manual_seed(2024) and torch.manual_seed(2025) "
           f"({runs[0][:8]}...). Hint: draw with torch's global generator (torch.multinomial without generator=), not "
           "with a generator seeded inside your function.")
    torch.manual_seed(0)
    for case, logits, temperature in cases:
        counts = np.bincount(_draw(fn, logits, temperature, DRAWS, case), minlength=len(logits))
        p = torch.softmax(logits.double() / temperature, 0).numpy()
        if fit_p_value(counts, p) >= FALSE_ALARM:
            continue
        described = f"counts {counts.tolist()} in {DRAWS} draws, where softmax(logits / T) expects " \
                    f"{np.round(DRAWS * p, 1).tolist()}"
        for wrong, hint in sample_mistakes(logits, temperature):
            if fit_p_value(counts, wrong) >= FALSE_ALARM:
                raise CheckFailed(f"case '{case}': {described}. Hint: {hint}")
        if np.count_nonzero(counts) == 1:
            raise CheckFailed(f"case '{case}': every draw was {int(counts.argmax())} ({described}). Hint: draw at "
                              "random from the distribution (torch.multinomial), not the argmax.")
        raise CheckFailed(f"case '{case}': {described} (chi-square p < {FALSE_ALARM:g}). Hint: "
                          "torch.multinomial(torch.softmax(logits / T, dim=0), 1).")
