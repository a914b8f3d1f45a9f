"""sequences.recurrent_cells: each hand-written cell equals nn.RNNCell / nn.LSTMCell / nn.GRUCell, and `unroll` equals
nn.RNN / nn.LSTM / nn.GRU run on the same input (outputs, final states and gradients), for one or two layers, one or
two directions, batch first or not, with or without biases, from zeros or a given state; ≤ 1e-5 in float32,
≤ 1e-12 in float64. Then what the gates do, on cells whose gate biases are pushed to 0 or 1."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlpractice.sequences.recurrent_cells import gru_cell, lstm_cell, rnn_cell, unroll

B, T, F, H = 3, 5, 4, 6
TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-12}
MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def close(actual, expected, dtype) -> None:
    torch.testing.assert_close(actual, expected, atol=TOLERANCE[dtype], rtol=TOLERANCE[dtype])


def weights(cell: nn.Module) -> tuple:
    return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh  # biases are None when bias=False


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_equals_nn_rnncell(nonlinearity, bias, dtype) -> None:
    torch.manual_seed(0)
    cell = nn.RNNCell(F, H, bias=bias, nonlinearity=nonlinearity).to(dtype)
    x, h = torch.randn(B, F, dtype=dtype), torch.randn(B, H, dtype=dtype)
    close(rnn_cell(x, h, *weights(cell), nonlinearity=nonlinearity), cell(x, h), dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_cell_equals_nn_lstmcell(bias, dtype) -> None:
    torch.manual_seed(0)
    cell = nn.LSTMCell(F, H, bias=bias).to(dtype)
    x, h, c = torch.randn(B, F, dtype=dtype), torch.randn(B, H, dtype=dtype), torch.randn(B, H, dtype=dtype)
    ours, theirs = lstm_cell(x, (h, c), *weights(cell)), cell(x, (h, c))
    close(ours[0], theirs[0], dtype)
    close(ours[1], theirs[1], dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("bias", [True, False])
def test_gru_cell_equals_nn_grucell(bias, dtype) -> None:
    torch.manual_seed(0)
    cell = nn.GRUCell(F, H, bias=bias).to(dtype)
    x, h = torch.randn(B, F, dtype=dtype), torch.randn(B, H, dtype=dtype)
    close(gru_cell(x, h, *weights(cell)), cell(x, h), dtype)


def test_rnn_cell_refuses_an_unknown_nonlinearity() -> None:
    with pytest.raises(ValueError, match="nonlinearity"):
        rnn_cell(torch.zeros(1, F), torch.zeros(1, H), torch.zeros(H, F), torch.zeros(H, H), None, None, "sigmoid")


def module_and_input(kind: str, layers: int, bidirectional: bool, batch_first: bool, bias: bool, dtype,
                     with_state: bool, seed: int = 0):
    """A module, an input (T, B, F) or (B, T, F), and an initial state or None."""
    torch.manual_seed(seed)
    module = MODULES[kind](F, H, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                           bias=bias).to(dtype)
    x = torch.randn((B, T, F) if batch_first else (T, B, F), dtype=dtype)
    state = None
    if with_state:
        shape = (layers * (2 if bidirectional else 1), B, H)
        h0 = torch.randn(shape, dtype=dtype)
        state = (h0, torch.randn(shape, dtype=dtype)) if kind == "lstm" else h0
    return module, x, state


def assert_same_run(ours, theirs, dtype) -> None:
    (out, final), (expected_out, expected_final) = ours, theirs
    assert out.shape == expected_out.shape
    close(out, expected_out, dtype)
    if isinstance(expected_final, tuple):
        assert isinstance(final, tuple) and len(final) == 2
        for mine, reference in zip(final, expected_final):
            assert mine.shape == reference.shape
            close(mine, reference, dtype)
    else:
        assert final.shape == expected_final.shape
        close(final, expected_final, dtype)


@pytest.mark.parametrize("kind", MODULES)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_unroll_equals_the_module_in_float32(kind, layers, bidirectional, batch_first, bias) -> None:
    """From zeros and from a given state: the output (T, B, D·H) or (B, T, D·H) and the final state (L·D, B, H)."""
    for with_state in (False, True):
        module, x, state = module_and_input(kind, layers, bidirectional, batch_first, bias, torch.float32, with_state)
        assert_same_run(unroll(module, x, state), module(x, state), torch.float32)


@pytest.mark.parametrize("kind", MODULES)
def test_unroll_equals_the_module_in_float64(kind) -> None:
    """The hardest case, two bidirectional layers batch first from a given state, to 1e-12."""
    module, x, state = module_and_input(kind, 2, True, True, True, torch.float64, with_state=True)
    assert_same_run(unroll(module, x, state), module(x, state), torch.float64)


@pytest.mark.parametrize("kind", MODULES)
def test_unroll_has_the_modules_gradients(kind) -> None:
    """Backpropagating through the hand-written cells gives the module's own gradients for every weight and for the
    input: the same function, so the same derivative."""
    module, x, state = module_and_input(kind, 2, True, False, True, torch.float64, with_state=False)
    x.requires_grad_(True)
    gradients = []
    for run in (unroll, lambda m, inputs: m(inputs)):
        module.zero_grad()
        x.grad = None
        output, _ = run(module, x)
        (output ** 2).sum().backward()
        gradients.append([x.grad.clone()] + [p.grad.clone() for p in module.parameters()])
    for ours, theirs in zip(*gradients):
        close(ours, theirs, torch.float64)


@pytest.mark.parametrize("kind", MODULES)
def test_unroll_takes_an_unbatched_sequence(kind) -> None:
    """(T, F) in, (T, H) and a state without the batch dimension out, as the module gives."""
    torch.manual_seed(0)
    module = MODULES[kind](F, H, num_layers=2)
    x = torch.randn(T, F)
    assert_same_run(unroll(module, x), module(x), torch.float32)


def test_unroll_refuses_other_modules_and_projections() -> None:
    with pytest.raises(TypeError, match="nn.RNN, nn.LSTM or nn.GRU"):
        unroll(nn.Linear(F, H), torch.zeros(T, B, F))
    with pytest.raises(ValueError, match="proj_size"):
        unroll(nn.LSTM(F, H, proj_size=2), torch.zeros(T, B, F))
    with pytest.raises(ValueError, match="eval mode"):
        unroll(nn.GRU(F, H, num_layers=2, dropout=0.5), torch.zeros(T, B, F))


def gated(cell: nn.Module, gate: int, bias: float) -> nn.Module:
    """The cell with the bias of gate number `gate` (rows gate·H to (gate+1)·H) set to `bias`, weights unchanged."""
    with torch.no_grad():
        cell.bias_ih[gate * H:(gate + 1) * H] = bias
        cell.bias_hh[gate * H:(gate + 1) * H] = 0.0
    return cell


def test_lstm_gates_in_the_order_i_f_g_o() -> None:
    """Forget gate open (f = σ(50) = 1) and input gate shut (i = σ(-50) = 0): the cell is kept as it is, whatever
    the input. Output gate shut too (o = 0): h' = 0."""
    torch.manual_seed(0)
    cell = nn.LSTMCell(F, H)
    for gate, bias in ((0, -50.0), (1, 50.0), (3, -50.0)):
        gated(cell, gate, bias)
    x, h, c = torch.randn(B, F), torch.randn(B, H), torch.randn(B, H)
    h_next, c_next = lstm_cell(x, (h, c), *weights(cell))
    torch.testing.assert_close(c_next, c)
    torch.testing.assert_close(h_next, torch.zeros(B, H))


def test_gru_gates_in_the_order_r_z_n() -> None:
    """Update gate z = 1 keeps the state: h' = h. With z = 0 and the reset gate shut (r = 0), h' = n =
    tanh(W_in x + b_in): the old state does not enter at all."""
    torch.manual_seed(0)
    cell = nn.GRUCell(F, H)
    x, h = torch.randn(B, F), torch.randn(B, H)
    torch.testing.assert_close(gru_cell(x, h, *weights(gated(cell, 1, 50.0))), h)
    gated(gated(cell, 1, -50.0), 0, -50.0)
    expected = torch.tanh(x @ cell.weight_ih[2 * H:].T + cell.bias_ih[2 * H:])
    torch.testing.assert_close(gru_cell(x, h, *weights(cell)), expected)
    torch.testing.assert_close(gru_cell(x, torch.randn(B, H), *weights(cell)), expected)
