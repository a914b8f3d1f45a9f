"""sequences.gradients_through_time: the gradient reaching back through an RNN vanishes faster than through an LSTM
or a GRU, and much faster than through gates opened by a bias; clip_by_global_norm equals clip_grad_norm_; the
scaled-up RNN's gradient explodes, and clipping bounds it without turning it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from dlpractice.sequences.gradients_through_time import (
    clip_by_global_norm,
    exploding_example,
    gradient_norms,
    hidden_state_gradients,
    make_layer,
)
from dlpractice.sequences.recurrent_cells import unroll

STEPS, HIDDEN = 30, 16  # smaller than the docstring's 50 and 32, to stay quick


@pytest.fixture(scope="module")
def norms() -> dict[tuple[str, float], np.ndarray]:
    return {(kind, bias): gradient_norms(kind, STEPS, HIDDEN, seed=0, gate_bias=bias)
            for kind, bias in (("rnn", 0.0), ("lstm", 0.0), ("gru", 0.0), ("lstm", 2.0), ("gru", 2.0))}


def kept(n: np.ndarray) -> float:
    """The norm STEPS - 1 steps back relative to the norm at the last step."""
    return n[0] / n[-1]


def test_gradient_norms_is_one_positive_norm_per_step_and_repeats_for_a_seed(norms) -> None:
    n = norms[("rnn", 0.0)]
    assert n.shape == (STEPS,) and (n > 0).all()
    np.testing.assert_array_equal(n, gradient_norms("rnn", STEPS, HIDDEN, seed=0))
    assert not np.array_equal(n, gradient_norms("rnn", STEPS, HIDDEN, seed=1))
    assert n[-1] == pytest.approx(np.sqrt(16 * HIDDEN))  # loss = sum of h: its gradient is all ones, (16, HIDDEN)


def test_the_rnns_gradient_vanishes_first(norms) -> None:
    """All fall going back; the RNN's the most, by orders of magnitude; opened gates keep far more."""
    for n in norms.values():
        assert n[0] < n[-1]
    rnn = kept(norms[("rnn", 0.0)])
    assert rnn < 1e-7
    for kind in ("lstm", "gru"):
        assert kept(norms[(kind, 0.0)]) > 100 * rnn
        assert kept(norms[(kind, 2.0)]) > 1e-3 > 1e4 * rnn


def test_hidden_state_gradients_equal_autograd_through_the_hand_cells() -> None:
    """The same gradients through unroll, whose per-step outputs are the hidden states: ∂loss/∂h_t is what flows
    back into each h_t from the steps after it (the last step's output is h_{T-1} itself)."""
    torch.manual_seed(0)
    for kind in ("rnn", "gru"):  # for these the state is the output, so the two measure the same thing
        layer = make_layer(kind, 3, 5).double()
        x = torch.randn(2, 6, 3, dtype=torch.float64)
        ours = hidden_state_gradients(layer, x)
        states = []
        h = torch.zeros(1, 2, 5, dtype=torch.float64)
        for t in range(6):
            _, h = unroll(layer, x[:, t:t + 1], h)
            h.retain_grad()
            states.append(h)
        states[-1].sum().backward()
        np.testing.assert_allclose(ours, [s.grad.norm().item() for s in states], rtol=1e-10)


def test_a_plain_rnn_has_no_gate_to_open() -> None:
    with pytest.raises(ValueError, match="gate_bias"):
        gradient_norms("rnn", 5, 4, seed=0, gate_bias=1.0)
    layer = make_layer("lstm", 2, 4, gate_bias=2.0)
    assert (layer.bias_ih_l0[4:8] > 1.4).all() and (layer.bias_ih_l0[:4].abs() <= 0.5).all()


def reference_clip(grads: list[torch.Tensor], max_norm: float) -> tuple[list[torch.Tensor], torch.Tensor]:
    """torch.nn.utils.clip_grad_norm_ on parameters holding `grads`."""
    parameters = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(parameters, grads):
        p.grad = g.clone()
    total = nn.utils.clip_grad_norm_(parameters, max_norm)
    return [p.grad for p in parameters], total


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
def test_clip_by_global_norm_equals_clip_grad_norm(max_norm) -> None:
    generator = torch.Generator().manual_seed(0)
    grads = [torch.randn(4, 3, generator=generator), torch.randn(5, generator=generator) * 10]
    ours, total = clip_by_global_norm(grads, max_norm)
    theirs, their_total = reference_clip(grads, max_norm)
    torch.testing.assert_close(total, their_total)
    for mine, reference in zip(ours, theirs):
        torch.testing.assert_close(mine, reference)
    clipped = torch.sqrt(sum((g ** 2).sum() for g in ours))
    assert clipped.item() == pytest.approx(min(max_norm, total.item()), rel=1e-5)
    assert grads[0].abs().sum() > 0 and not any(g is o for g, o in zip(grads, ours))  # the input is left alone


def test_the_exploding_example_explodes_and_clipping_bounds_it_without_turning_it() -> None:
    example = exploding_example(seed=0, steps=STEPS, hidden=HIDDEN)
    assert example.norms[0] > 1e3 * example.norms[-1]  # the gradient grows going back
    assert len(example.grads) == len(list(example.layer.parameters()))
    clipped, total = clip_by_global_norm(example.grads, 1.0)
    assert total > 1e3
    theirs, their_total = reference_clip(example.grads, 1.0)
    torch.testing.assert_close(total, their_total)
    flat, flat_clipped = torch.cat([g.flatten() for g in example.grads]), torch.cat([g.flatten() for g in clipped])
    assert flat_clipped.norm().item() == pytest.approx(1.0, rel=1e-5)
    assert torch.nn.functional.cosine_similarity(flat, flat_clipped, dim=0) > 1 - 1e-6
