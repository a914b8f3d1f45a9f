# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 08 — Recurrent networks: cells by hand, gradients through time, forecasting, names
#
# A recurrent network reads a sequence one step at a time and carries a **state** from each step to the next. This
# lab makes that recurrence visible, slowly:
#
# 1. the **RNN, LSTM and GRU cells** written out gate by gate, fed PyTorch's own weights, and matching `nn.RNN`,
#    `nn.LSTM` and `nn.GRU`; batches of sequences of different lengths (**padding, packing**);
# 2. why a plain RNN forgets: **gradients through time**, their explosion and **clipping**, and the **adding
#    problem** that a plain RNN cannot learn and an LSTM can;
# 3. **forecasting** a time series with an LSTM/GRU against the baselines practitioners use (naive, seasonal naive,
#    **ARIMA**), one step ahead and as an **autoregressive roll-out**;
# 4. **names → language**: a character-level classifier of surnames (18 languages), the classic one-name-at-a-time
#    recipe against a batched GRU, then **generating** names with a temperature.
#
# **Exercises.** Seven small functions; each cell ends with `check.NAME(NAME)`, which tries your code on more
# cases than the notebook shows and says what is wrong. The cells after an exercise use the library's version.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import dlpractice.course.notebooks
from dlpractice.checks import lab08 as check
from dlpractice.data.adding_problem import adding_problem
from dlpractice.data.names import names_by_language
from dlpractice.data.time_series import multi_periodic_series, split_last, sunspots
from dlpractice.sequences import forecasting, packing, plots, recurrent_cells
from dlpractice.sequences.adding_problem import train_adding
from dlpractice.sequences.gradients_through_time import exploding_example, gradient_norms

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: shorter trainings
torch.manual_seed(0)
torch.set_num_threads(1)  # small recurrent models: one CPU thread is fastest
print(f"quick mode: {QUICK}")

# %% [markdown]
# ## 1. The Elman RNN cell
#
# At step $t$ the cell combines the input $x_t$ with the previous state $h_{t-1}$:
#
# $$h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}).$$
#
# The same weights serve at every step. PyTorch keeps **two** biases (`bias_ih`, `bias_hh`); their sum is what
# matters, but to reproduce `nn.RNN` exactly we add both.
#
# ### Exercise 1 — `rnn_cell`
#
# Write `rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh)`: `x` $(B, F)$ one step of input, `h` $(B, H)$ the previous
# state, `w_ih` $(H, F)$, `w_hh` $(H, H)$, `b_ih` and `b_hh` $(H,)$, all float tensors of one dtype. Return the
# new state $(B, H)$ as above.

# %%
def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    # TODO: x @ w_ih.T + b_ih + h @ w_hh.T + b_hh, through tanh
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
    ### END SOLUTION


check.rnn_cell(rnn_cell)

# %% [markdown]
# Run over a sequence with `nn.RNN`'s own weights, the library's cell reproduces the module's outputs — also with
# two layers, both directions and an initial state (`recurrent_cells.unroll`):

# %%
rnn = nn.RNN(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True)
x = torch.randn(2, 5, 3)  # a batch of 2 sequences of 5 steps, batch first
h0 = torch.randn(4, 2, 4)  # (layers × directions, batch, hidden)
expected, expected_h = rnn(x, h0)
ours, ours_h = recurrent_cells.unroll(rnn, x, h0)
print("outputs", tuple(expected.shape), "final states", tuple(expected_h.shape))
print("largest difference:", float((ours - expected).abs().max()), float((ours_h - expected_h).abs().max()))

# %% [markdown]
# ## 2. LSTM and GRU cells
#
# The **LSTM** keeps a second state, the **cell** $c_t$, updated by a sum rather than a matrix product, and lets
# three **gates** (numbers between 0 and 1) decide what to write, keep and show:
#
# $$\begin{aligned} i &= \sigma(\cdot),\ f = \sigma(\cdot),\ g = \tanh(\cdot),\ o = \sigma(\cdot)
# \quad\text{(each of } W_{i\bullet} x + b_{i\bullet} + W_{h\bullet} h + b_{h\bullet}\text{)}\\
# c_t &= f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t). \end{aligned}$$
#
# PyTorch stacks the four gates' weights in one matrix, in the order **i, f, g, o**: `w_ih` is $(4H, F)$, and the
# pre-activations `x @ w_ih.T + b_ih + h @ w_hh.T + b_hh` are $(B, 4H)$, the gates side by side.
#
# ### Exercise 2 — `lstm_cell`
#
# Write `lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh)`: `state` is the pair `(h, c)`, each $(B, H)$; `w_ih`
# $(4H, F)$, `w_hh` $(4H, H)$, biases $(4H,)$, gates in PyTorch's order (i, f, g, o). Return the pair
# `(h_new, c_new)`.

# %%
def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    # TODO: the (B, 4H) pre-activations; .chunk(4, dim=1) into i, f, g, o; sigmoid / tanh; the two updates
    h, c = state
    i, f, g, o = (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
    ### END SOLUTION


check.lstm_cell(lstm_cell)

# %% [markdown]
# The **GRU** has no separate cell: an **update gate** $z$ mixes the old state with a candidate $n$, and a
# **reset gate** $r$ decides how much of the old state the candidate sees. PyTorch's order is **r, z, n**, and
# its reset gate multiplies the recurrent term *with its bias*:
#
# $$r = \sigma(\cdot),\quad z = \sigma(\cdot),\quad n = \tanh\big(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})\big),
# \quad h_t = (1 - z) \odot n + z \odot h_{t-1}.$$
#
# ### Exercise 3 — `gru_cell`
#
# Write `gru_cell(x, h, w_ih, w_hh, b_ih, b_hh)`: `w_ih` $(3H, F)$, `w_hh` $(3H, H)$, biases $(3H,)$, gates in
# PyTorch's order (r, z, n). Return the new state $(B, H)$.

# %%
def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    ### BEGIN SOLUTION
    # TODO: split x @ w_ih.T + b_ih and h @ w_hh.T + b_hh into three chunks each: they are combined differently
    x_r, x_z, x_n = (x @ w_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h
    ### END SOLUTION


check.gru_cell(gru_cell)

# %%
for module in (nn.LSTM(3, 4, num_layers=2, batch_first=True), nn.GRU(3, 4, bidirectional=True, batch_first=True)):
    expected, _ = module(x)
    ours, _ = recurrent_cells.unroll(module, x)
    print(f"{type(module).__name__}: largest difference from PyTorch {float((ours - expected).abs().max()):.1e}")

# %% [markdown]
# ## 3. Batches of sequences of different lengths
#
# A batch is a rectangle: shorter sequences are **padded** with zeros at the end. The network then runs over the
# padding too, so the output at the last column is *not* the output at a short sequence's end. Two fixes: read
# each sequence's output at its own last real step, or **pack** the batch (`pack_padded_sequence`) so the module
# stops each sequence at its length — then the final state `h_n` is right as well.
#
# ### Exercise 4 — `last_real_outputs`
#
# Write `last_real_outputs(outputs, lengths)`: `outputs` a float tensor $(B, T, H)$ (batch first), `lengths` an
# int64 tensor $(B,)$ with $1 \le$ `lengths[b]` $\le T$. Return $(B, H)$: row $b$ is the output at step
# `lengths[b] - 1` of sequence $b$.

# %%
def last_real_outputs(outputs, lengths):
    ### BEGIN SOLUTION
    # TODO: for each row b, outputs[b, lengths[b] - 1]: index with torch.arange(B) and lengths - 1
    return outputs[torch.arange(len(lengths)), lengths - 1]
    ### END SOLUTION


check.last_real_outputs(last_real_outputs)

# %%
gru = nn.GRU(3, 4, batch_first=True)
sequences = [torch.randn(n, 3) for n in (5, 2, 4)]
padded, lengths = packing.pad_batch(sequences)
unpacked_outputs, unpacked_h = gru(padded)
packed_outputs, packed_h = packing.packed_final_states(gru, padded, lengths)
print("lengths:", lengths.tolist())
print("h_n with packing equals each sequence's last real output:",
      torch.allclose(packed_h[0], packing.last_real_outputs(unpacked_outputs, lengths), atol=1e-6))
last_real = packing.last_real_outputs(unpacked_outputs, lengths)
print("h_n without packing equals it:", torch.allclose(unpacked_h[0], last_real, atol=1e-6))

# %% [markdown]
# ## 4. Gradients through time
#
# Training unrolls the network over the sequence and back-propagates through every step (**backpropagation
# through time**). The gradient that reaches step $t - k$ is a product of $k$ Jacobians $\partial h_{s+1} / \partial
# h_s$: for a plain tanh RNN they usually shrink it, so the signal from far back **vanishes**. The LSTM's cell is
# updated by a sum (scaled by the forget gate), a road along which gradients travel further.

# %%
steps = 50
norms = {kind: gradient_norms(kind, steps=steps, seed=0) for kind in ("rnn", "lstm", "gru")}
for kind, values in norms.items():
    print(f"{kind:4s}: ‖∂loss/∂h‖ at the last step {values[-1]:.2e}, 10 steps back {values[-11]:.2e}, "
          f"49 back {values[0]:.2e}")
fig = plots.gradient_norms(norms)
plt.show()

# %% [markdown]
# The opposite also happens: with larger recurrent weights the Jacobians expand and the gradient **explodes** —
# one update then jumps anywhere. **Clipping by global norm** rescales all gradients by one factor, so that their
# norm taken together is at most `max_norm`: the direction stays, the step's length is bounded.
#
# ### Exercise 5 — `clip_by_global_norm`
#
# Write `clip_by_global_norm(grads, max_norm)`: `grads` a list of float tensors (any shapes), `max_norm` > 0.
# The global norm is $\sqrt{\sum_i \lVert g_i\rVert^2}$ over all of them. Return `(clipped, total_norm)`: new
# tensors (leave the inputs unchanged) equal to the gradients times $\min(1, \text{max\_norm} / \text{total\_norm})$,
# and the norm before clipping as a Python float. (PyTorch's `clip_grad_norm_` does this in place on `.grad`.)

# %%
def clip_by_global_norm(grads, max_norm):
    ### BEGIN SOLUTION
    # TODO: total = sqrt of the sum of every tensor's squared entries; one factor min(1, max_norm / total) for all
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    factor = min(1.0, max_norm / float(total)) if float(total) > 0 else 1.0
    return [g * factor for g in grads], float(total)
    ### END SOLUTION


check.clip_by_global_norm(clip_by_global_norm)

# %%
example = exploding_example(seed=0)
print(f"an RNN with its recurrent weights ×5: ‖∂loss/∂h‖ grows {example.norms[0] / example.norms[-1]:.1e}-fold over "
      f"{steps} steps back")
total = float(torch.sqrt(sum((g**2).sum() for g in example.grads)))
clipped = torch.nn.utils.clip_grad_norm_(example.layer.parameters(), max_norm=1.0)
print(f"gradient norm {total:.2e}; after clip_grad_norm_(max_norm=1): "
      f"{float(torch.sqrt(sum((p.grad**2).sum() for p in example.layer.parameters()))):.2f}")

# %% [markdown]
# ### The adding problem
#
# Hochreiter and Schmidhuber's test of long memory: each input is $T$ steps of two numbers, a random value in
# $[0, 1]$ and a marker that is 1 at exactly two steps (one in each half). The target is the sum of the two marked
# values. Predicting the mean, 1, gives a mean squared error of $1/6 \approx 0.167$; doing better means carrying
# the first marked value across up to $T$ steps.

# %%
x_add, y_add = adding_problem(4, steps=10, seed=0)
print("one sequence (value, marker):\n", x_add[0].T.round(2), "\ntarget:", y_add[0].round(3))

adding_steps = 20 if QUICK else 50
updates = 150 if QUICK else 1000
results = {kind: train_adding(kind, steps=adding_steps, updates=updates, eval_every=updates // 10, seed=0)
           for kind in ("rnn", "lstm")}
for kind, result in results.items():
    print(f"{kind:4s}: test MSE {result.test_mse:.4f} after {updates} updates ({result.seconds:.1f} s)")
fig = plots.adding_curves({k: list(zip(range(updates // 10, updates + 1, updates // 10), r.curve))
                           for k, r in results.items()}, adding_steps)
plt.show()

# %% [markdown]
# ## 5. Forecasting: recurrent networks against ARIMA
#
# A recurrent model forecasts the next value from a window of past values. The baselines it must beat: the
# **naive** forecast (tomorrow = today), the **seasonal naive** (the value one period ago), and **ARIMA**
# (autoregression on differences with moving-average errors, the order $(p, d, q)$ chosen by AIC on the training
# part). Two ways to forecast the held-out last 20%: **one step ahead** (each forecast sees the true past) and a
# **roll-out** (each forecast is fed back as the newest input — errors compound, and the figure shows where each
# model drifts).
#
# ### Exercise 6 — `roll_out`
#
# Write `roll_out(model, history, width, horizon)`: `model` maps a window `(1, width, 1)` (float32) to a tensor
# `(1,)`, the next value; `history` a 1-D float tensor of at least `width` values. Return a float tensor
# `(horizon,)`: the next `horizon` values, each predicted from the last `width` values, where predictions are
# appended after `history` as if they had been observed. Run the model in evaluation mode without gradients, and
# leave its mode (train or eval) as you found it.

# %%
def roll_out(model, history, width, horizon):
    ### BEGIN SOLUTION
    # TODO: a list of the last `width` values; predict, append the prediction, repeat `horizon` times
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
    ### END SOLUTION


check.roll_out(roll_out)

# %%
series = multi_periodic_series(n=600 if QUICK else 1000, seed=0)
train, test = split_last(series, 0.2)
width = 48
start = time.perf_counter()
order, arima = forecasting.arima_by_aic(train)
arima_s = time.perf_counter() - start
model, scaler, lstm_s = forecasting.train_forecaster(train, width, "lstm", epochs=5 if QUICK else 30, seed=0)
predictions = {
    "naive": forecasting.naive_forecast(train, len(test)),
    f"ARIMA{order}": forecasting.arima_roll_out(arima, len(test)),
    "LSTM": forecasting.roll_out(model, train, len(test), width, scaler),
}
for name, values in predictions.items():
    print(f"{name:14s} roll-out RMSE {forecasting.rmse(values, test):.3f}")
print(f"ARIMA search {arima_s:.1f} s, LSTM training {lstm_s:.1f} s")
fig = plots.forecasts("Synthetic series: roll-outs over the held-out 20%", np.arange(len(series)), series, len(train),
                      predictions)
plt.show()

# %% [markdown]
# On the **sunspots** (yearly, 1700–2008, shipped with statsmodels) the run of the lab compares every model one step
# ahead: `dlpractice run rnn` prints the whole table.

# %%
years, spots = sunspots()
print(f"sunspots: {len(spots)} years, {years[0]:.0f}–{years[-1]:.0f}; mean {spots.mean():.1f}")

# %% [markdown]
# ## 6. Names → language, and names from a language
#
# About 20,000 surnames in 18 languages (the PyTorch tutorial's data, shipped inside the package). A
# character-level network reads a name letter by letter and predicts its language. The classic recipe feeds one
# name at a time to a plain RNN with SGD; a batched GRU over **packed** sequences, with a class-weighted loss
# (Russian has 9,000 names, Vietnamese 73), learns faster and better — `dlpractice run rnn` trains both.
#
# To **generate** names, a model predicts the next letter from the previous ones (and the language), and we
# **sample**: divide the scores (logits) by a **temperature** $T$ and draw from the softmax. $T < 1$ sharpens the
# distribution (safer, repetitive names), $T > 1$ flattens it (more inventive, more nonsense); $T \to 0$ is the
# argmax.
#
# ### Exercise 7 — `sample_with_temperature`
#
# Write `sample_with_temperature(logits, temperature)`: `logits` a 1-D float tensor $(V,)$, `temperature` > 0.
# Return one index (a Python int) drawn from $\text{softmax}(\text{logits} / T)$, using PyTorch's global random
# generator (`torch.multinomial`), so that `torch.manual_seed` makes it repeatable.

# %%
def sample_with_temperature(logits, temperature):
    ### BEGIN SOLUTION
    # TODO: softmax of logits / temperature, then one draw with torch.multinomial
    probabilities = torch.softmax(logits / temperature, dim=0)
    return int(torch.multinomial(probabilities, 1))
    ### END SOLUTION


check.sample_with_temperature(sample_with_temperature)

# %%
data = names_by_language()
print(f"{len(data.names):,} names in {len(data.languages)} languages; a few:",
      [(data.names[i], data.languages[data.labels[i]]) for i in np.random.default_rng(0).choice(len(data.names), 5)])
logits = torch.tensor([2.0, 1.0, 0.5, -1.0])
for temperature in (0.2, 1.0, 3.0):
    print(f"T = {temperature}: probabilities {torch.softmax(logits / temperature, 0).numpy().round(2)}")

# %% [markdown]
# ## What to remember
#
# - A recurrent cell applies the same weights at every step; the LSTM's and GRU's gates decide what to keep. Reading
#   PyTorch's weights (two biases, gate orders i-f-g-o and r-z-n) reproduces its modules exactly.
# - Pad a batch, then **pack** it (or read each sequence at its own length): the padding must not decide.
# - Gradients through time vanish in a plain RNN and can explode; **clip by global norm**. Gated cells carry
#   information across 50 steps where the plain RNN stays at the mean (the adding problem).
# - Compare forecasts against naive and ARIMA baselines, one step ahead *and* rolled out.
# - Generate by sampling with a temperature.
#
# The whole lab from the command line: `dlpractice run rnn`.
