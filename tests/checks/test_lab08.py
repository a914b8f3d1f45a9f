"""Lab 08 checks: the reference and answers written differently pass; classic wrong answers fail with the right hint;
a stub is 'not attempted'."""

import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.checks import lab08 as check
from dlpractice.sequences import gradients_through_time, packing, recurrent_cells
from support.exercise_checks import fails, stub


def test_checks_leave_the_notebooks_random_numbers_alone():
    torch.manual_seed(7)
    expected = torch.randn(3)
    torch.manual_seed(7)
    check.lstm_cell(recurrent_cells.lstm_cell)
    check.sample_with_temperature(sample_reference)
    check.roll_out(roll_out_reference)
    assert torch.equal(torch.randn(3), expected)


def test_a_stub_is_not_attempted():
    for name in check.__all__:
        assert getattr(check, name)(stub) is False


# ---------------------------------------------------------------- 1. RNN cell

def rnn_reference(x, h, w_ih, w_hh, b_ih, b_hh):  # the notebook's answer
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def rnn_module(x, h, w_ih, w_hh, b_ih, b_hh):  # another correct answer: nn.RNNCell given copies of the weights
    cell = nn.RNNCell(x.shape[1], h.shape[1], dtype=x.dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (w_ih, w_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(value)
    return cell(x, h)


def rnn_einsum(x, h, w_ih, w_hh, b_ih, b_hh):  # another correct answer: einsum, computed in float64 and cast back
    pre = torch.einsum("bf,hf->bh", x.double(), w_ih.double()) + torch.einsum("bk,hk->bh", h.double(), w_hh.double())
    return torch.tanh(pre + b_ih.double() + b_hh.double()).to(x.dtype)


def test_rnn_cell():
    assert check.rnn_cell(rnn_reference) is True
    assert check.rnn_cell(lambda x, h, *w: recurrent_cells.rnn_cell(x, h, *w)) is True
    assert check.rnn_cell(lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(F.linear(x, w_ih, b_ih)
                                                                         + F.linear(h, w_hh, b_hh))) is True
    assert check.rnn_cell(rnn_module) is True
    assert check.rnn_cell(rnn_einsum) is True
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih.T + h @ w_hh.T + 2 * b_ih),
          match="both biases once each")
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih.T + h @ w_hh.T + b_hh),
          match="both biases once each")
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: x @ w_ih.T + b_ih + h @ w_hh.T + b_hh,
          match="goes through tanh")
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.sigmoid(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh),
          match="not the sigmoid")
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih + b_ih + h @ w_hh + b_hh),
          match="multiply by the transpose")
    fails(check.rnn_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih.T + b_ih + b_hh),
          match="the previous state is missing")
    fails(check.rnn_cell, lambda x, h, *w: rnn_reference(x, h, *w).detach(), match="cut off from the autograd graph")
    fails(check.rnn_cell, lambda x, h, *w: rnn_reference(x.detach(), h, *w), match="no gradient reaches `x`")
    fails(check.rnn_cell, lambda x, h, *w: rnn_reference(x, h, *w).float(), match="float64 expected, float32 out")
    fails(check.rnn_cell, lambda x, h, *w: rnn_reference(x, h, *w).squeeze(), match="no .squeeze")

    def module_float32(x, h, w_ih, w_hh, b_ih, b_hh):  # forgets dtype=x.dtype
        cell = nn.RNNCell(x.shape[1], h.shape[1])
        with torch.no_grad():
            for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (w_ih, w_hh, b_ih, b_hh)):
                getattr(cell, name).copy_(value)
        return cell(x, h)

    fails(check.rnn_cell, module_float32, match="float64 in, float64 out")

    def adds_in_place(x, h, w_ih, w_hh, b_ih, b_hh):
        b_ih += b_hh  # one bias, but the caller's b_ih changed
        return torch.tanh(x @ w_ih.T + h @ w_hh.T + b_ih)

    fails(check.rnn_cell, adds_in_place, match="changed `b_ih` in place|in-place")


# ---------------------------------------------------------------- 2. LSTM cell

def lstm_reference(x, state, w_ih, w_hh, b_ih, b_hh):  # the notebook's answer
    h, c = state
    i, f, g, o = (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


def lstm_module(x, state, w_ih, w_hh, b_ih, b_hh):  # another correct answer: nn.LSTMCell with copied weights
    cell = nn.LSTMCell(x.shape[1], state[0].shape[1], dtype=x.dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (w_ih, w_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(value)
    return cell(x, state)


def lstm_functional(x, state, w_ih, w_hh, b_ih, b_hh):  # another correct answer: the module run on the given weights
    cell = nn.LSTMCell(x.shape[1], state[0].shape[1], dtype=x.dtype)
    weights = {"weight_ih": w_ih, "weight_hh": w_hh, "bias_ih": b_ih, "bias_hh": b_hh}
    return torch.func.functional_call(cell, weights, (x, tuple(state)))


def lstm_slices(x, state, w_ih, w_hh, b_ih, b_hh):  # another correct answer: one gate at a time, slices, a list
    h, c = state
    n = h.shape[1]
    gate = [F.linear(x, w_ih[k * n:(k + 1) * n], b_ih[k * n:(k + 1) * n])
            + F.linear(h, w_hh[k * n:(k + 1) * n], b_hh[k * n:(k + 1) * n]) for k in range(4)]
    c_new = gate[1].sigmoid() * c + gate[0].sigmoid() * gate[2].tanh()
    return [gate[3].sigmoid() * c_new.tanh(), c_new]


def lstm_order(order):
    def fn(x, state, w_ih, w_hh, b_ih, b_hh):
        h, c = state
        chunks = dict(zip(order, (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=1)))
        c_new = torch.sigmoid(chunks["f"]) * c + torch.sigmoid(chunks["i"]) * torch.tanh(chunks["g"])
        return torch.sigmoid(chunks["o"]) * torch.tanh(c_new), c_new
    return fn


def test_lstm_cell():
    assert check.lstm_cell(lstm_reference) is True
    assert check.lstm_cell(recurrent_cells.lstm_cell) is True
    assert check.lstm_cell(lstm_module) is True
    assert check.lstm_cell(lstm_functional) is True
    assert check.lstm_cell(lstm_slices) is True
    fails(check.lstm_cell, lstm_order("ifog"), match="order ifog; PyTorch's order is i, f, g, o")
    fails(check.lstm_cell, lstm_order("figo"), match="order figo; PyTorch's order is i, f, g, o")
    fails(check.lstm_cell, lstm_order("iofg"), match="PyTorch's order is i, f, g, o")

    def no_tanh_on_cell(x, state, *w):
        h, c = state
        i, f, g, o = (x @ w[0].T + w[2] + h @ w[1].T + w[3]).chunk(4, dim=1)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * c_new, c_new

    fails(check.lstm_cell, no_tanh_on_cell, match="goes through tanh before the output gate")

    def old_cell_shown(x, state, *w):
        h, c = state
        i, f, g, o = (x @ w[0].T + w[2] + h @ w[1].T + w[3]).chunk(4, dim=1)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c_new

    fails(check.lstm_cell, old_cell_shown, match="shows the \\*new\\* cell")

    def sigmoid_candidate(x, state, *w):
        h, c = state
        i, f, g, o = torch.sigmoid(x @ w[0].T + w[2] + h @ w[1].T + w[3]).chunk(4, dim=1)
        c_new = f * c + i * g
        return o * torch.tanh(c_new), c_new

    fails(check.lstm_cell, sigmoid_candidate, match="the candidate g goes through tanh")
    fails(check.lstm_cell, lambda x, s, w_ih, w_hh, b_ih, b_hh: lstm_reference(x, s, w_ih, w_hh, b_ih, b_ih),
          match="both biases once each")
    fails(check.lstm_cell, lambda x, s, *w: lstm_reference(x, (s[1], s[0]), *w), match="h first")
    fails(check.lstm_cell, lambda x, s, *w: lstm_reference(x, s, *w)[::-1], match="h_new and c_new are swapped")
    fails(check.lstm_cell, lambda x, s, *w: torch.stack(lstm_reference(x, s, *w)), match="expected the pair")

    def chunk_batch(x, state, *w):
        h, c = state
        i, f, g, o = (x @ w[0].T + w[2] + h @ w[1].T + w[3]).chunk(4, dim=0)
        c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_new), c_new

    fails(check.lstm_cell, chunk_batch, match="chunk\\(4, dim=1\\)")
    fails(check.lstm_cell, lambda x, s, *w: tuple(t.detach() for t in lstm_reference(x, s, *w)),
          match="h_new is cut off")
    fails(check.lstm_cell, lambda x, s, *w: lstm_reference(x, (s[0], s[1].detach()), *w),
          match="no gradient reaches `c`")


# ---------------------------------------------------------------- 3. GRU cell

def gru_reference(x, h, w_ih, w_hh, b_ih, b_hh):  # the notebook's answer
    x_r, x_z, x_n = (x @ w_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def gru_module(x, h, w_ih, w_hh, b_ih, b_hh):  # another correct answer: nn.GRUCell with copied weights
    cell = nn.GRUCell(x.shape[1], h.shape[1]).to(x.dtype)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), (w_ih, w_hh, b_ih, b_hh)):
            getattr(cell, name).copy_(value)
    return cell(x, h)


def gru_split(x, h, w_ih, w_hh, b_ih, b_hh):  # another correct answer: split the weights, the sum r/z computed once
    n_ = h.shape[1]
    rz = torch.sigmoid(F.linear(x, w_ih[:2 * n_], b_ih[:2 * n_]) + F.linear(h, w_hh[:2 * n_], b_hh[:2 * n_]))
    r, z = rz.split(n_, dim=1)
    n = torch.tanh(F.linear(x, w_ih[2 * n_:], b_ih[2 * n_:]) + r * F.linear(h, w_hh[2 * n_:], b_hh[2 * n_:]))
    return n + z * (h - n)


def gru_variant(reset="cudnn", swap=False, order="rzn"):
    def fn(x, h, w_ih, w_hh, b_ih, b_hh):
        xs = dict(zip(order, (x @ w_ih.T + b_ih).chunk(3, dim=1)))
        hs = dict(zip(order, (h @ w_hh.T + b_hh).chunk(3, dim=1)))
        r, z = torch.sigmoid(xs["r"] + hs["r"]), torch.sigmoid(xs["z"] + hs["z"])
        n_ = h.shape[1]
        w_hn, b_hn = w_hh[2 * n_:], b_hh[2 * n_:]
        if reset == "before":  # Cho et al.'s first formulation: reset h, then multiply
            n = torch.tanh(xs["n"] + (r * h) @ w_hn.T + b_hn)
        elif reset == "bias outside":
            n = torch.tanh(xs["n"] + r * (h @ w_hn.T) + b_hn)
        else:
            n = torch.tanh(xs["n"] + r * hs["n"])
        return z * n + (1 - z) * h if swap else (1 - z) * n + z * h
    return fn


def test_gru_cell():
    assert check.gru_cell(gru_reference) is True
    assert check.gru_cell(recurrent_cells.gru_cell) is True
    assert check.gru_cell(gru_module) is True
    assert check.gru_cell(gru_split) is True
    fails(check.gru_cell, gru_variant(reset="before"), match="reset gate was applied to h before the product")
    fails(check.gru_cell, gru_variant(reset="bias outside"), match="\\*with its bias\\*")
    fails(check.gru_cell, gru_variant(swap=True), match="z and \\(1 - z\\) are swapped")
    fails(check.gru_cell, gru_variant(order="zrn"), match="order zrn; PyTorch's order is r, z, n")
    fails(check.gru_cell, lambda x, h, w_ih, w_hh, b_ih, b_hh: gru_reference(x, h, w_ih, w_hh, b_hh, b_hh),
          match="both biases once each")

    def pre_activations_added(x, h, w_ih, w_hh, b_ih, b_hh):  # the n parts added before the reset gate
        r, z, n = (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(3, dim=1)
        z = torch.sigmoid(z)
        return (1 - z) * torch.tanh(n) + z * h

    fails(check.gru_cell, pre_activations_added, match="the reset gate is missing")
    fails(check.gru_cell, lambda x, h, *w: gru_reference(x, h.detach(), *w), match="no gradient reaches `h`")
    fails(check.gru_cell, lambda x, h, *w: gru_reference(x, h, *w).float(), match="float64 expected")


# ---------------------------------------------------------------- 4. last real outputs

def last_reference(outputs, lengths):  # the notebook's answer
    return outputs[torch.arange(len(lengths)), lengths - 1]


def last_loop(outputs, lengths):  # another correct answer: a loop and torch.stack
    return torch.stack([outputs[b, int(n) - 1] for b, n in enumerate(lengths)])


def last_packed(outputs, lengths):  # another correct answer: pack, unpack, then each row at its end via a mask
    packed = nn.utils.rnn.pack_padded_sequence(outputs, lengths, batch_first=True, enforce_sorted=False)
    padded, _ = nn.utils.rnn.pad_packed_sequence(packed, batch_first=True, total_length=outputs.shape[1])
    at_end = (torch.arange(outputs.shape[1]) == (lengths - 1).unsqueeze(1)).to(outputs.dtype)  # (B, T) one-hot
    return (padded * at_end.unsqueeze(-1)).sum(1)


def last_numpy(outputs, lengths):  # another correct answer: NumPy on a detached copy
    values = outputs.detach().numpy()
    return torch.from_numpy(values[np.arange(len(lengths)), lengths.numpy() - 1].copy())


def test_last_real_outputs():
    assert check.last_real_outputs(last_reference) is True
    assert check.last_real_outputs(packing.last_real_outputs) is True
    assert check.last_real_outputs(last_loop) is True
    assert check.last_real_outputs(last_packed) is True
    assert check.last_real_outputs(last_numpy) is True
    fails(check.last_real_outputs, lambda o, n: o[:, -1], match="outputs\\[:, -1\\] is the output at step T - 1")
    fails(check.last_real_outputs, lambda o, n: o[torch.arange(len(n)), n], match="index with lengths - 1")
    fails(check.last_real_outputs, lambda o, n: o[:, n - 1], match="pair each row with its own length")
    fails(check.last_real_outputs, lambda o, n: o.gather(1, (n - 1).view(-1, 1, 1).expand(-1, 1, o.shape[2])).squeeze(),
          match="no .squeeze")
    fails(check.last_real_outputs, lambda o, n: o[torch.arange(len(n)), n.sort(descending=True).values - 1],
          match="the lengths are not sorted")
    fails(check.last_real_outputs, lambda o, n: o[torch.arange(len(n)), n - 1].float(), match="float64 expected")
    fails(check.last_real_outputs, lambda o, n: torch.from_numpy(o.numpy()[np.arange(len(n)), n.numpy() - 1]),
          match="stay in torch")

    def packed_sorted(outputs, lengths):  # pack_padded_sequence's default wants the lengths sorted
        nn.utils.rnn.pack_padded_sequence(outputs, lengths, batch_first=True)
        return last_reference(outputs, lengths)

    fails(check.last_real_outputs, packed_sorted, match="the lengths are not sorted")

    def shifts_in_place(outputs, lengths):
        lengths -= 1
        return outputs[torch.arange(len(lengths)), lengths]

    fails(check.last_real_outputs, shifts_in_place, match="changed `lengths` in place")


# ---------------------------------------------------------------- 5. clip by global norm

def clip_reference(grads, max_norm):  # the notebook's answer
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    factor = min(1.0, max_norm / float(total)) if float(total) > 0 else 1.0
    return [g * factor for g in grads], float(total)


def clip_with_torch(grads, max_norm):  # another correct answer: clip_grad_norm_ on parameters holding copies
    params = [nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    total = nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params], total.item()


def clip_library(grads, max_norm):  # another correct answer: the library's version, its norm made a float
    clipped, total = gradients_through_time.clip_by_global_norm(grads, max_norm)
    return clipped, float(total)


def clip_numpy(grads, max_norm):  # another correct answer: NumPy, a tuple, np.float64 for the norm
    arrays = [g.numpy().astype(np.float64) for g in grads]
    total = np.sqrt(sum(float((a * a).sum()) for a in arrays))
    factor = 1.0 if total <= max_norm else max_norm / total
    return tuple(torch.from_numpy(np.asarray(a * factor)).to(g.dtype) for a, g in zip(arrays, grads)), np.float64(total)


def test_clip_by_global_norm():
    assert check.clip_by_global_norm(clip_reference) is True
    assert check.clip_by_global_norm(clip_with_torch) is True
    assert check.clip_by_global_norm(clip_library) is True
    assert check.clip_by_global_norm(clip_numpy) is True

    def per_tensor(grads, max_norm):
        return [g * min(1.0, max_norm / float(g.norm())) if float(g.norm()) > 0 else g.clone() for g in grads], \
            float(torch.sqrt(sum((g ** 2).sum() for g in grads)))

    fails(check.clip_by_global_norm, per_tensor, match="clipped each tensor by its own norm")

    def norm_after(grads, max_norm):
        clipped, _ = clip_reference(grads, max_norm)
        return clipped, float(torch.sqrt(sum((g ** 2).sum() for g in clipped)))

    fails(check.clip_by_global_norm, norm_after, match="norm after clipping")

    def always_scaled(grads, max_norm):
        total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
        return [g * (max_norm / total if total > 0 else 1.0) for g in grads], total

    fails(check.clip_by_global_norm, always_scaled, match="clip only when the norm is above max_norm")

    def sum_of_norms(grads, max_norm):
        total = sum(float(g.norm()) for g in grads)
        return [g * min(1.0, max_norm / total) if total > 0 else g.clone() for g in grads], total

    fails(check.clip_by_global_norm, sum_of_norms, match="not the sum of the tensors' norms")
    fails(check.clip_by_global_norm, gradients_through_time.clip_by_global_norm, match="Python float")

    def divides_by_zero(grads, max_norm):
        total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
        return [g * min(1.0, max_norm / total) for g in grads], total

    fails(check.clip_by_global_norm, divides_by_zero, match="nothing to clip")

    def nan_when_zero(grads, max_norm):  # the direction g / total times the clipped length: 0 / 0 when all are zero
        total = torch.sqrt(sum((g ** 2).sum() for g in grads))
        return [g / total * min(float(total), max_norm) for g in grads], float(total)

    fails(check.clip_by_global_norm, nan_when_zero, match="NaN or inf")

    def in_place(grads, max_norm):
        total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
        factor = min(1.0, max_norm / total) if total > 0 else 1.0
        return [g.mul_(factor) for g in grads], total

    fails(check.clip_by_global_norm, in_place, match="changed `grads` in place")

    def same_objects(grads, max_norm):  # returns the inputs themselves when nothing is clipped
        total = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
        if total <= max_norm:
            return list(grads), total
        return [g * (max_norm / total) for g in grads], total

    fails(check.clip_by_global_norm, same_objects, match="shares memory")

    def float32_inside(grads, max_norm):
        clipped, total = clip_reference([g.float() for g in grads], max_norm)
        return clipped, total

    fails(check.clip_by_global_norm, float32_inside, match="float64 expected, float32 out")
    fails(check.clip_by_global_norm, lambda g, m: (torch.cat([t.flatten() for t in clip_reference(g, m)[0]]),
                                                   clip_reference(g, m)[1]), match="one per gradient")


# ---------------------------------------------------------------- 6. roll-out

def roll_out_reference(model, history, width, horizon):  # the notebook's answer
    was_training = model.training
    model.eval()
    window = history[-width:].tolist()
    out = []
    try:
        with torch.no_grad():
            for _ in range(horizon):
                value = float(model(torch.tensor(window[-width:], dtype=torch.float32).view(1, width, 1))[0])
                out.append(value)
                window.append(value)
    finally:
        model.train(was_training)
    return torch.tensor(out)


def roll_out_tensor(model, history, width, horizon):  # another correct answer: a tensor window, torch.cat, float64
    modes = {m: m.training for m in model.modules()}
    model.eval()
    window = history[-width:].to(torch.float32)
    out = torch.empty(horizon, dtype=torch.float64)
    with torch.inference_mode():
        for k in range(horizon):
            value = model(window.reshape(1, width, 1)).reshape(())
            out[k] = value
            window = torch.cat([window[1:], value.reshape(1)])
    for m, mode in modes.items():
        m.training = mode
    return out


def roll_variant(mistake):
    def fn(model, history, width, horizon):
        was_training = model.training
        if mistake != "train mode":
            model.eval()
        values = history.tolist()
        first = values[:width] if mistake == "first values" else values[-width:]
        out = []
        with torch.no_grad():
            for _ in range(horizon):
                window = first if mistake == "same window" else (first + out)[-width:]
                value = float(model(torch.tensor(window, dtype=torch.float32).view(1, width, 1))[0])
                out.append(value)
        model.train(was_training)
        return torch.tensor(out)
    return fn


def test_roll_out():
    assert check.roll_out(roll_out_reference) is True
    assert check.roll_out(roll_out_tensor) is True
    fails(check.roll_out, roll_variant("same window"), match="the same window every time")
    fails(check.roll_out, roll_variant("first values"), match="the \\*last\\* `width` values of history")
    fails(check.roll_out, roll_variant("train mode"), match="ran in training mode")
    assert check.roll_out(roll_variant("none")) is True

    def never_restores(model, history, width, horizon):
        model.eval()
        return roll_variant("none")(model, history, width, horizon)

    def always_back_to_train(model, history, width, horizon):
        result = roll_variant("none")(model, history, width, horizon)
        model.train()
        return result

    fails(check.roll_out, never_restores, match="left `model` .* in evaluation mode")
    fails(check.roll_out, always_back_to_train, match="left `model` .* in training mode")

    def with_gradients(model, history, width, horizon):
        was_training = model.training
        model.eval()
        window, out = history[-width:].tolist(), []
        for _ in range(horizon):
            out.append(model(torch.tensor(window[-width:], dtype=torch.float32).view(1, width, 1))[0])
            window.append(float(out[-1].detach()))
        model.train(was_training)
        return torch.stack(out)

    fails(check.roll_out, with_gradients, match="still attached to the autograd graph")
    fails(check.roll_out, lambda m, h, w, n: roll_out_reference(m, h, w, n).view(n, 1), match="a 1-D tensor")

    def window_in_its_dtype(model, history, width, horizon):
        was_training = model.training
        model.eval()
        window, out = history[-width:], []
        with torch.no_grad():
            for _ in range(horizon):
                value = model(window.view(1, width, 1))
                out.append(float(value))
                window = torch.cat([window[1:], value.to(window.dtype)])
        model.train(was_training)
        return torch.tensor(out)

    fails(check.roll_out, window_in_its_dtype, match="float32")

    def growing_window(model, history, width, horizon):  # the whole history and predictions, not the last `width`
        was_training = model.training
        model.eval()
        values, out = history[-width:].tolist(), []
        with torch.no_grad():
            for _ in range(horizon):
                out.append(float(model(torch.tensor(values, dtype=torch.float32).view(1, -1, 1))[0]))
                values.append(out[-1])
        model.train(was_training)
        return torch.tensor(out)

    fails(check.roll_out, growing_window, match="one window at a time, the last `width` values")


# ---------------------------------------------------------------- 7. sampling with a temperature

def sample_reference(logits, temperature):  # the notebook's answer
    probabilities = torch.softmax(logits / temperature, dim=0)
    return int(torch.multinomial(probabilities, 1))


def sample_categorical(logits, temperature):  # another correct answer: torch.distributions
    return torch.distributions.Categorical(logits=logits / temperature).sample().item()


def sample_inverse_cdf(logits, temperature):  # another correct answer: one torch.rand, the CDF in NumPy, np.int64
    shifted = logits.double().numpy() / temperature
    weights = np.exp(shifted - shifted.max())
    cdf = np.cumsum(weights / weights.sum())
    u = float(torch.rand(()))
    return np.int64(min(np.searchsorted(cdf, u, side="right"), len(cdf) - 1))


def sample_gumbel(logits, temperature):  # another correct answer: the Gumbel-max trick with torch's generator
    u = torch.rand(logits.shape, dtype=torch.float64).clamp_min(1e-300)
    return int((logits.double() / temperature - torch.log(-torch.log(u))).argmax())


def test_sample_with_temperature():
    assert check.sample_with_temperature(sample_reference) is True
    assert check.sample_with_temperature(sample_categorical) is True
    assert check.sample_with_temperature(sample_inverse_cdf) is True
    assert check.sample_with_temperature(sample_gumbel) is True
    fails(check.sample_with_temperature, lambda z, t: int(torch.multinomial(torch.softmax(z * t, 0), 1)),
          match="multiplied by T")
    fails(check.sample_with_temperature, lambda z, t: int(torch.multinomial(torch.softmax(z, 0), 1)),
          match="temperature was left out")
    fails(check.sample_with_temperature, lambda z, t: int((z / t).argmax()), match="not the argmax")
    fails(check.sample_with_temperature, lambda z, t: int(torch.multinomial(torch.exp(z / t) / torch.exp(z / t).sum(),
                                                                            1)), match="overflows")
    fails(check.sample_with_temperature, lambda z, t: int(torch.multinomial(z / t, 1)),
          match="weights that are ≥ 0")
    fails(check.sample_with_temperature, lambda z, t: torch.multinomial(torch.softmax(z / t, 0), 1),
          match="expected a Python int, got a tensor")
    fails(check.sample_with_temperature, lambda z, t: float(torch.multinomial(torch.softmax(z / t, 0), 1)),
          match="expected a Python int \\(an index\\), got float")
    fails(check.sample_with_temperature,
          lambda z, t: int(np.random.choice(len(z), p=torch.softmax(z.double() / t, 0).numpy())),
          match="the same torch.manual_seed gave different draws")
    fails(check.sample_with_temperature,
          lambda z, t: random.choices(range(len(z)), weights=torch.softmax(z.double() / t, 0).tolist())[0],
          match="the same torch.manual_seed gave different draws")

    def private_generator(z, t):
        gen = torch.Generator().manual_seed(0)
        return int(torch.multinomial(torch.softmax(z / t, 0), 1, generator=gen))

    fails(check.sample_with_temperature, private_generator, match="the same 20 draws after torch.manual_seed")
    fails(check.sample_with_temperature, lambda z, t: sample_reference(z, t) + 1, match="outside 0..")

    def divides_in_place(z, t):
        z /= t
        return int(torch.multinomial(torch.softmax(z, 0), 1))

    fails(check.sample_with_temperature, divides_in_place, match="changed `z` in place")


def test_the_chi_square_test_accepts_the_right_counts_and_refuses_a_zero_probability_drawn():
    p = np.array([0.5, 0.3, 0.2, 0.0])
    assert check.fit_p_value(np.array([500, 300, 200, 0]), p) == 1.0
    assert check.fit_p_value(np.array([499, 300, 200, 1]), p) == 0.0
    assert check.fit_p_value(np.array([700, 200, 100, 0]), p) < check.FALSE_ALARM
