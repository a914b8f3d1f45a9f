"""The RNN, LSTM and GRU cells written out gate by gate, and `unroll`, which runs them over a sequence with an
nn.RNN / nn.LSTM / nn.GRU module's own weights and gives back exactly what the module gives.

The cells follow PyTorch's conventions, so that `unroll` can use the module's weight tensors unchanged:
- weights are stacked by gate along the rows: `w_ih` (G·H, F), `w_hh` (G·H, H), G = 1 (RNN), 4 (LSTM), 3 (GRU);
- there are two biases, `b_ih` and `b_hh` (G·H,), both added (a single bias would do, but cuDNN's layout has two);
  `None` for a module built with bias=False;
- LSTM gates in the order (i, f, g, o), GRU gates in the order (r, z, n), and the GRU's reset gate multiplies
  W_hn h + b_hn, the recurrent term with its bias, not h itself (the variant of Cho et al.'s v3 paper cuDNN uses).

Shapes: x (B, F) one step of input, h and c (B, H). tests/sequences/test_recurrent_cells.py checks every cell and
`unroll` against the modules (≤ 1e-5 in float32, ≤ 1e-12 in float64).
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

State = Tensor | tuple[Tensor, Tensor]  # h (RNN, GRU) or (h, c) (LSTM); per layer (B, H), per module (L·D, B, H)


def affine(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x Wᵀ + b: x (B, in), weight (out, in), bias (out,) or None → (B, out)."""
    return F.linear(x, weight, bias)


def rnn_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None,
             nonlinearity: Literal["tanh", "relu"] = "tanh") -> Tensor:
    """Elman's cell: h' = act(W_ih x + b_ih + W_hh h + b_hh) → (B, H)."""
    pre = affine(x, w_ih, b_ih) + affine(h, w_hh, b_hh)
    if nonlinearity == "tanh":
        return torch.tanh(pre)
    if nonlinearity == "relu":
        return torch.relu(pre)
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


def lstm_cell(x: Tensor, state: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """Hochreiter & Schmidhuber's cell with a forget gate (Gers et al., 2000) → (h', c'), each (B, H).

    i = σ(W_ii x + b_ii + W_hi h + b_hi)   input gate: how much of the candidate to write
    f = σ(W_if x + b_if + W_hf h + b_hf)   forget gate: how much of the old cell to keep
    g = tanh(W_ig x + b_ig + W_hg h + b_hg) the candidate
    o = σ(W_io x + b_io + W_ho h + b_ho)   output gate: how much of the cell to show
    c' = f * c + i * g;  h' = o * tanh(c')
    The cell c is updated by a sum, not a matrix product: that is why gradients can travel back through it.
    """
    h, c = state
    pre = affine(x, w_ih, b_ih) + affine(h, w_hh, b_hh)  # (B, 4H): the four gates' pre-activations side by side
    pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(pre_i), torch.sigmoid(pre_f), torch.tanh(pre_g), torch.sigmoid(pre_o)
    c_next = f * c + i * g
    return o * torch.tanh(c_next), c_next


def gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor:
    """Cho et al.'s gated recurrent unit → h' (B, H).

    r = σ(W_ir x + b_ir + W_hr h + b_hr)          reset gate
    z = σ(W_iz x + b_iz + W_hz h + b_hz)          update gate: how much of the old state to keep
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  the candidate
    h' = (1 - z) * n + z * h
    The two products are computed whole and then split: r multiplies the recurrent term only, so the input and
    recurrent pre-activations of n cannot be added before the split, as they are for r and z.
    """
    gates_x = affine(x, w_ih, b_ih).chunk(3, dim=1)  # (B, H) each: r, z, n
    gates_h = affine(h, w_hh, b_hh).chunk(3, dim=1)
    r = torch.sigmoid(gates_x[0] + gates_h[0])
    z = torch.sigmoid(gates_x[1] + gates_h[1])
    n = torch.tanh(gates_x[2] + r * gates_h[2])
    return (1 - z) * n + z * h


def kind_of(module: nn.Module) -> str:
    """"rnn", "lstm" or "gru"; anything else is refused."""
    for kind, cls in (("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)):
        if isinstance(module, cls):
            return kind
    raise TypeError(f"unroll takes nn.RNN, nn.LSTM or nn.GRU, got {type(module).__name__}")


def layer_weights(module: nn.RNNBase, layer: int, reverse: bool) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
    """(w_ih, w_hh, b_ih, b_hh) of one layer and direction, by the module's own names: weight_ih_l1_reverse, ..."""
    suffix = f"l{layer}{'_reverse' if reverse else ''}"
    if not module.bias:
        return getattr(module, f"weight_ih_{suffix}"), getattr(module, f"weight_hh_{suffix}"), None, None
    return tuple(getattr(module, f"{name}_{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def step_function(kind: str, weights: tuple, nonlinearity: str = "tanh"):
    """The cell of `kind` with its weights bound: a function (x (B, F), state) -> state."""
    if kind == "lstm":
        return lambda x, state: lstm_cell(x, state, *weights)
    if kind == "gru":
        return lambda x, h: gru_cell(x, h, *weights)
    return lambda x, h: rnn_cell(x, h, *weights, nonlinearity=nonlinearity)


def run_direction(cell, xs: list[Tensor], state: State, reverse: bool) -> tuple[list[Tensor], State]:
    """Run `cell(x, state) -> state` over the steps xs (each (B, F)), backwards when `reverse`: the outputs (each
    (B, H)) come back in time order either way, as nn.RNN's do."""
    outputs: list[Tensor] = [xs[0]] * len(xs)  # placeholders, all overwritten
    for t in (reversed(range(len(xs))) if reverse else range(len(xs))):
        state = cell(xs[t], state)
        outputs[t] = state[0] if isinstance(state, tuple) else state
    return outputs, state


def unroll(module: nn.RNNBase, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
    """What `module(x, state)` computes, step by step with the cells above: (output, final state).

    x: (T, B, F), or (B, T, F) when module.batch_first, or (T, F) unbatched. state: h0 (L·D, B, H) for RNN and GRU,
    (h0, c0) for LSTM, zeros when None (L layers, D = 2 when bidirectional, else 1). Returns the output
    (T, B, D·H) (batch_first: (B, T, D·H)), the top layer's h at every step with both directions side by side, and
    the final state shaped like `state`: row k·D + d is layer k's direction d (0 forward, 1 reverse), which the
    reverse direction reaches at t = 0. Layer k > 0 reads layer k - 1's output, both directions concatenated.

    Dropout between layers is left out (as in eval mode) and proj_size is not supported.
    """
    kind = kind_of(module)
    if getattr(module, "proj_size", 0):
        raise ValueError("unroll does not support LSTM projections (proj_size > 0)")
    if module.training and module.dropout > 0 and module.num_layers > 1:
        raise ValueError("unroll leaves out the dropout between layers: put the module in eval mode")
    unbatched = x.dim() == 2
    if unbatched:  # (T, F) → (T, 1, F), and back at the end
        x = x.unsqueeze(1)
        if state is not None:
            state = tuple(s.unsqueeze(1) for s in state) if isinstance(state, tuple) else state.unsqueeze(1)
    elif module.batch_first:
        x = x.transpose(0, 1)  # (T, B, F): time first inside
    nonlinearity = getattr(module, "nonlinearity", "tanh")  # nn.RNN's; LSTM and GRU have none
    directions = 2 if module.bidirectional else 1
    rows, batch, hidden = module.num_layers * directions, x.shape[1], module.hidden_size
    if state is None:
        zeros = x.new_zeros(rows, batch, hidden)
        state = (zeros, zeros) if kind == "lstm" else zeros
    layer_input = list(x.unbind(0))  # T tensors (B, F)
    finals: list[State] = []
    for layer in range(module.num_layers):
        outputs = []
        for d in range(directions):
            row = layer * directions + d
            start = (state[0][row], state[1][row]) if kind == "lstm" else state[row]
            cell = step_function(kind, layer_weights(module, layer, reverse=d == 1), nonlinearity)
            steps, final = run_direction(cell, layer_input, start, reverse=d == 1)
            outputs.append(steps)
            finals.append(final)
        layer_input = [torch.cat(per_step, dim=1) for per_step in zip(*outputs)]  # T tensors (B, D·H)
    output = torch.stack(layer_input, dim=0)  # (T, B, D·H)
    if kind == "lstm":
        final_state: State = (torch.stack([f[0] for f in finals]), torch.stack([f[1] for f in finals]))
    else:
        final_state = torch.stack(finals)  # (L·D, B, H)
    if unbatched:
        output = output.squeeze(1)
        final_state = tuple(s.squeeze(1) for s in final_state) if kind == "lstm" else final_state.squeeze(1)
    elif module.batch_first:
        output = output.transpose(0, 1)  # the final state stays (L·D, B, H) even when batch_first, as PyTorch's
    return output, final_state
