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
# # Lab 02 — Intermediate PyTorch: mini-batches, optimisers, schedules, gradient flow, checkpoints, Lightning
#
# Lab 01 trained small networks with a loop written out by hand, on the whole training set at once. This lab
# builds the tools every real training run needs. You will learn to:
#
# 1. feed a model **mini-batches** with a `Dataset` and a `DataLoader`, and write one training **epoch**;
# 2. split data into **training, validation and test** parts, read **learning curves**, spot **overfitting** and
#    the **best epoch**;
# 3. log runs to **TensorBoard** and compare them there;
# 4. compare the **optimisers** SGD, SGD with **momentum**, **Adam** and **AdamW** on the same problem and budget;
# 5. change the learning rate during training with **schedulers** (step, cosine, one-cycle, reduce-on-plateau);
# 6. draw **activation functions** and their derivatives, and watch gradients **vanish** in a deep sigmoid network
#    but not in a ReLU network;
# 7. **checkpoint** a run — model, optimiser and scheduler — and **resume** it exactly;
# 8. train the same model once more as a **LightningModule**, and see what Lightning takes off your hands.
#
# **Exercises.** A cell that ends with `check.something(...)` is an exercise: replace
# `raise NotImplementedError(...)` with your code and run the cell. You get ✔ when your answer is right, or a
# hint saying what went wrong. The checks try your code on cases the notebook does not show (a last batch smaller
# than the others, a learning rate that changes between steps, nested modules), so think about those too. The
# cells after an exercise never use your answer: if you are stuck, move on and come back later.

# %%
import copy
import inspect
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.tensorboard import SummaryWriter

import dlpractice.course.notebooks
from dlpractice.checks import lab02 as check
from dlpractice.course.runs import RunContext, RunOptions, new_run_dir
from dlpractice.data import load_table, make_split
from dlpractice.engine import ArrayDataModule, Classifier, EngineConfig, final_metrics, fit
from dlpractice.models import MLP
from dlpractice.training import plots
from dlpractice.training.activations import ACTIVATIONS
from dlpractice.training.checkpointing import load_checkpoint, save_checkpoint
from dlpractice.training.gradient_flow import deep_mlp, gradient_norms
from dlpractice.training.loop import ArrayDataset, evaluate, seeded_loader, train, train_epoch
from dlpractice.training.optimizers import OPTIMIZERS, make_optimizer
from dlpractice.training.schedules import SCHEDULES, make_schedule

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer epochs, same lessons
EPOCHS = 6 if QUICK else 20  # per run on the digits
CURVE_EPOCHS = 40 if QUICK else 100  # on the diabetes table, long enough to overfit
torch.set_num_threads(1)  # the models here are tiny: one CPU thread is fastest
# TensorBoard logs and checkpoints of this notebook (a throw-away folder in quick mode, so tests leave nothing behind)
LOGS = Path(tempfile.mkdtemp(prefix="dlpractice-lab02-")) if QUICK else Path("runs") / "lab02-notebook"
LOGS.mkdir(parents=True, exist_ok=True)
print(f"PyTorch {torch.__version__}; quick mode: {QUICK}; logs in {LOGS}")

# %% [markdown]
# ## 1. Mini-batches: `Dataset` and `DataLoader`
#
# Our data for most of the lab is the **digits** table that ships with scikit-learn: 1797 images of handwritten
# digits, 8 × 8 pixels each (64 numbers from 0 to 16), with their labels 0–9.

# %%
digits = load_table("digits")
print("X:", digits.X.shape, digits.X.dtype, "| y:", digits.y.shape, digits.y.dtype)
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for digit, ax in enumerate(axes):
    ax.imshow(digits.X[digits.y == digit][0].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(digit))
    ax.axis("off")
plt.show()

# %% [markdown]
# In lab 01 every step used the whole training set: one step per epoch. With **mini-batches**, an epoch (one pass
# over the training data) is cut into many small batches, and the model takes one optimiser step per batch: many
# more steps for the same computation, each on a noisy but unbiased estimate of the full gradient. It is also the
# only way to train when the data does not fit in memory.
#
# PyTorch splits the job in two:
#
# * a **`Dataset`** says how many samples there are (`__len__`) and returns the sample number `i` (`__getitem__`);
# * a **`DataLoader`** draws indices (shuffled or not), asks the dataset for each sample, and stacks them into
#   batches (its `collate_fn`), optionally in background worker processes.
#
# ### Exercise 1 — `TableDataset`
#
# Write a `Dataset` for a table held in NumPy arrays: `TableDataset(x, y)` with `x` of shape `(n, d)` (any float
# dtype) and `y` of shape `(n,)` holding integer class ids. `len(dataset)` is the number of rows, and
# `dataset[i]` returns a pair `(features, label)`: the features as a **float32** tensor of shape `(d,)`, the
# label as an **int64** tensor of shape `()` (what `CrossEntropyLoss` wants).

# %%
class TableDataset(Dataset):
    def __init__(self, x, y):
        ### BEGIN SOLUTION
        # TODO: convert x and y to tensors of the right dtypes once, here, and keep them
        self.x = torch.as_tensor(x, dtype=torch.float32)
        self.y = torch.as_tensor(y).long()
        ### END SOLUTION

    def __len__(self):
        ### BEGIN SOLUTION
        # TODO: the number of rows
        return len(self.x)
        ### END SOLUTION

    def __getitem__(self, i):
        ### BEGIN SOLUTION
        # TODO: the pair (features of row i, label of row i)
        return self.x[i], self.y[i]
        ### END SOLUTION


check.table_dataset(TableDataset)

# %% [markdown]
# The library's version is `dlpractice.training.loop.ArrayDataset` (it also takes float targets, for regression).
#
# Next we split the rows into three parts, with `make_split` from `dlpractice.data` (70 % / 15 % / 15 %, each class
# in the same proportion in every part, inputs standardised with the **training** part's mean and standard deviation):
#
# * the **training** part is what the optimiser fits the weights to;
# * the **validation** part is for every decision we make: which epoch to keep, which learning rate, which model;
# * the **test** part is looked at **once**, at the very end, to report how the final choice does on new data.
#   Used for decisions, it would stop being an honest estimate.

# %%
split = make_split(digits.X, digits.y, seed=0, classification=True)
x_train, y_train = split.parts["train"]
print({part: tuple(xy[0].shape) for part, xy in split.parts.items()})

loader = DataLoader(ArrayDataset(x_train, y_train), batch_size=32, shuffle=True)
xb, yb = next(iter(loader))
print(f"{len(loader)} batches per epoch; a batch: x {tuple(xb.shape)} {xb.dtype}, y {tuple(yb.shape)} {yb.dtype}")
print("sizes of the last batches:", [len(x) for x, _ in loader][-3:],
      f"({len(x_train)} = 39 × 32 + {len(x_train) % 32})")
print("first labels, two epochs:", next(iter(loader))[1][:8].tolist(), next(iter(loader))[1][:8].tolist())

# %% [markdown]
# `shuffle=True` draws a new order every epoch from PyTorch's global random state. To make a run repeatable — and
# resumable — the lab uses `seeded_loader(dataset, batch_size, seed)`: its order depends only on the seed and the
# epoch number (`loader.sampler.set_epoch(epoch)`). `drop_last=True` would drop the smaller last batch.
#
# ### Exercise 2 — `train_epoch`
#
# Write `train_epoch(model, loader, loss_fn, optimizer)`: one pass over the loader, one optimiser step per batch,
# with the model in **training mode** (it may come in evaluation mode, and dropout layers behave differently in the
# two). Return the epoch's **mean loss per sample** as a Python `float` — careful: the last batch may be smaller
# than the others, so the mean of the batch losses is not quite that; and a loader made with `drop_last=True` skips
# a short last batch, so the samples are those the loader gave you (count them), not `len(loader.dataset)`.

# %%
def train_epoch_answer(model, loader, loss_fn, optimizer):
    ### BEGIN SOLUTION
    # TODO: model.train(); for each batch: zero_grad, forward, loss, backward, step; add up loss.item() * len(x)
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
        count += len(x)
    return total / count
    ### END SOLUTION


check.train_epoch(train_epoch_answer)

# %% [markdown]
# The library's `train_epoch` (in `src/dlpractice/training/loop.py`) is that loop, plus a learning-rate scheduler
# (section 5). `train(model, loss_fn, loader, (x_val, y_val), optimizer, epochs)` calls it once per epoch and
# records the training loss, the validation loss and accuracy, and the learning rate of every step.
#
# **Batch size.** The same model, SGD with the same learning rate, the same number of epochs — with batches of
# 8, of 64, and the whole training set as one batch (lab 01's way):

# %%
batch_curves = {}
for batch_size in (8, 64, len(x_train)):
    torch.manual_seed(0)
    model = MLP(64, (128, 128), 10)
    batch_curves[f"batch {batch_size} ({-(-len(x_train) // batch_size)} steps per epoch)"] = train(
        model, nn.CrossEntropyLoss(), seeded_loader(ArrayDataset(x_train, y_train), batch_size, seed=0),
        split.parts["val"], torch.optim.SGD(model.parameters(), lr=0.05), EPOCHS)
fig = plots.compare_runs(batch_curves, f"Digits, SGD lr 0.05, {EPOCHS} epochs: the batch size")
plt.show()

# %% [markdown]
# Per epoch, small batches make far more progress: 158 steps instead of one. Per step they are noisier, and on a
# GPU a larger batch costs almost the same time as a small one — hence the usual compromise of 32 to 512.
#
# ## 2. Training, validation, test: learning curves and overfitting
#
# A network with many parameters and few training rows can learn the training rows by heart. The **diabetes**
# table (lab 00: 442 patients, 10 measurements, a disease-progression score to predict) is such a case. We train a
# 2 × 128 MLP with Adam for many epochs and record, after each epoch, the loss on the training part and on the
# validation part. (The target is standardised too, so an MSE of 1 means "no better than predicting the mean".)

# %%
table = load_table("diabetes")
diabetes = make_split(table.X, table.y[:, None], seed=0, classification=False)
mean, std = diabetes.parts["train"][1].mean(), diabetes.parts["train"][1].std()
parts = {name: (x, (y - mean) / std) for name, (x, y) in diabetes.parts.items()}


def diabetes_run(patience=None):
    torch.manual_seed(0)
    model = MLP(10, (128, 128), 1)
    loader = seeded_loader(ArrayDataset(*parts["train"]), 32, seed=0)
    curves = train(model, nn.MSELoss(), loader, parts["val"], torch.optim.Adam(model.parameters(), lr=1e-3),
                   CURVE_EPOCHS, patience=patience, keep_best=patience is not None)
    return model, curves


def test_r2(model):
    x_test, y_test = parts["test"]
    return 1 - evaluate(model, nn.MSELoss(), x_test, y_test)[0] / y_test.var(correction=0).item()


overfit_model, overfit = diabetes_run()
fig = plots.loss_curves({"diabetes, MLP + Adam": overfit}, {"diabetes, MLP + Adam": "MSE (standardised target)"})
plt.show()
print(f"best validation loss {min(overfit.val_loss):.3f} at epoch {overfit.best_epoch + 1}; "
      f"after epoch {CURVE_EPOCHS}: training {overfit.train_loss[-1]:.3f}, validation {overfit.val_loss[-1]:.3f}")

# %% [markdown]
# **Reading the curves.** The training loss keeps falling: the network fits the training rows ever better. The
# validation loss falls for a few epochs, reaches its minimum — the **best epoch**, dotted — and then **rises**:
# from there on, what the network learns about the training rows (their noise) no longer holds for new rows. That
# is **overfitting**, and the growing distance between the curves is the **generalisation gap**.
#
# The cure used everywhere is **early stopping**: keep the weights of the best epoch, and stop once the validation
# loss has not improved for `patience` epochs (lab 04 compares it with the other regularisers). The library's
# `train(..., patience=10, keep_best=True)` does that; it is the same rule as Lightning's `EarlyStopping`.

# %%
stopped_model, stopped = diabetes_run(patience=10)
print(f"early stopping ran {len(stopped.val_loss)} epochs (best epoch {stopped.best_epoch + 1} + patience 10)")
print(f"test R²: all {CURVE_EPOCHS} epochs {test_r2(overfit_model):.3f}; early stopping {test_r2(stopped_model):.3f}")

# %% [markdown]
# The test part decides nothing here: it only reports, once, how the two final models do on rows neither has
# seen. (With 67 test rows, R² moves by a few hundredths from one split to another: lab 00 showed how to measure
# that with cross-validation.)
#
# ## 3. TensorBoard
#
# Printing numbers does not scale to many runs. **TensorBoard** draws whatever a training run logs, while it runs,
# and overlays runs to compare them. In PyTorch one writes with `torch.utils.tensorboard.SummaryWriter`: one
# folder per run, and in it `add_scalar(tag, value, step)` calls; runs logged under the same tags are overlaid.
#
# Two runs on the digits that differ in their seed **and** their learning rate:

# %%
board = new_run_dir(LOGS, "tensorboard")  # tensorboard/<date-time>/: running the notebook again adds, never overwrites
for seed, lr in [(0, 1e-3), (1, 1e-2)]:
    torch.manual_seed(seed)
    model = MLP(64, (128, 128), 10)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loader = seeded_loader(ArrayDataset(x_train, y_train), 32, seed=seed)
    with SummaryWriter(str(board / f"adam_lr{lr:g}_seed{seed}")) as writer:
        writer.add_text("config", f"Adam, lr {lr:g}, seed {seed}, batch 32")
        for epoch in range(EPOCHS):
            loader.sampler.set_epoch(epoch)
            train_loss = train_epoch(model, loader, nn.CrossEntropyLoss(), optimizer)
            val_loss, val_accuracy = evaluate(model, nn.CrossEntropyLoss(), *split.parts["val"])
            writer.add_scalar("loss/train", train_loss, epoch)
            writer.add_scalar("loss/val", val_loss, epoch)
            writer.add_scalar("accuracy/val", val_accuracy, epoch)
print(sorted(str(p.relative_to(LOGS)) for p in board.rglob("events.out.tfevents*")))

# %% [markdown]
# **Opening TensorBoard.** In Jupyter or Colab, run these two lines in a cell (put the folder printed at the top
# of this notebook after `--logdir`):
#
# ```
# %load_ext tensorboard
# %tensorboard --logdir runs/lab02-notebook/tensorboard
# ```
#
# From a shell: `tensorboard --logdir runs/lab02-notebook/tensorboard`, then open http://localhost:6006 in a
# browser. The *Scalars* tab shows one chart per tag with both runs overlaid; tick runs on and off on the left,
# and smooth noisy curves with the slider. `dlpractice run 02` logs every run of the lab the same way, under
# `runs/intermediate-pytorch/<time>/tensorboard/` (one folder per optimiser and per schedule).
#
# The event files are plain data: here is what TensorBoard reads from them.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for run in sorted(board.iterdir()):
    events = EventAccumulator(str(run))
    events.Reload()
    for ax, tag in zip(axes, ("loss/val", "accuracy/val")):
        points = events.Scalars(tag)
        ax.plot([p.step + 1 for p in points], [p.value for p in points], "o-", label=run.name)
        ax.set(title=tag, xlabel="epoch")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend()
plt.show()

# %% [markdown]
# ## 4. Optimisers: SGD, momentum, Adam, AdamW
#
# All four move each parameter $w$ against its gradient $g$; they differ in **how far**:
#
# * **SGD**: $w \leftarrow w - \text{lr}\cdot g$.
# * **SGD with momentum**: keep a **velocity** $v \leftarrow \mu v + g$ (a running sum of past gradients, older
#   ones shrunk by $\mu$, typically 0.9), and move $w \leftarrow w - \text{lr}\cdot v$. Along a direction where the
#   gradient keeps its sign the steps grow (up to $1/(1-\mu)$ = 10 times); where it flips sign they cancel out.
# * **Adam**: a running average of the gradient (momentum) divided by the square root of a running average of its
#   square: every parameter gets a step of about `lr`, whatever the scale of its gradient.
# * **AdamW**: Adam with **weight decay** (shrinking the weights towards 0 at each step) applied directly to the
#   weights, instead of as an L2 term added to the gradient, where Adam's scaling would weaken it.
#
# Their paths down a long narrow valley, $f(a, b) = a^2 / 20 + 2 b^2$, from the same start:

# %%
def valley(p):
    return p[0] ** 2 / 20 + 2 * p[1] ** 2


fig, ax = plt.subplots(figsize=(9, 4))
a, b = np.meshgrid(np.linspace(-10.5, 2, 200), np.linspace(-2.5, 2.5, 200))
ax.contour(a, b, a**2 / 20 + 2 * b**2, levels=20, colors="lightgrey")
for name, lr in [("sgd", 0.4), ("momentum", 0.1), ("adam", 0.5)]:
    point = torch.tensor([-10.0, 2.0], requires_grad=True)
    optimizer = make_optimizer(name, [point], lr=lr, momentum=0.8)
    path = [point.detach().clone()]
    for _ in range(30):
        optimizer.zero_grad()
        valley(point).backward()
        optimizer.step()
        path.append(point.detach().clone())
    path = torch.stack(path)
    ax.plot(path[:, 0], path[:, 1], "o-", ms=3, label=f"{name}, lr {lr}: f = {valley(path[-1]):.3f} after 30 steps")
ax.plot(0, 0, "k*", ms=12)
ax.set(xlabel="a", ylabel="b", title="30 steps down a narrow valley")
ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# Plain SGD must keep its learning rate small enough not to bounce across the steep direction ($b$), so it crawls
# along the shallow one ($a$). Momentum accumulates speed along $a$; Adam scales each coordinate's step by the size
# of its own gradients.
#
# ### Exercise 3 — `momentum_step`
#
# Write `momentum_step(param, grad, velocity, lr, momentum)` returning the pair `(new_param, new_velocity)` for
# one step of SGD with momentum, **exactly as `torch.optim.SGD(params, lr, momentum=...)` computes it** (its
# documentation gives the update). The velocity starts at zero. The check compares your steps with PyTorch's over
# several steps — with a learning rate that changes between steps, as it does under a scheduler.

# %%
def momentum_step(param, grad, velocity, lr, momentum):
    ### BEGIN SOLUTION
    # TODO: the new velocity from the old one and the gradient; then move the parameter with it
    velocity = momentum * velocity + grad
    return param - lr * velocity, velocity
    ### END SOLUTION


check.momentum_step(momentum_step)

# %% [markdown]
# Now the four optimisers on the digits: the same MLP from the same initial weights, the same batches in the same
# order, the same number of epochs; the usual learning rate of each (0.05 for the SGDs, 0.001 for the Adams).

# %%
def digits_run(optimizer_name, schedule_name="constant", epochs=EPOCHS, lr=None):
    """An MLP trained on the digits; every run starts from the same weights and sees the same batches."""
    torch.manual_seed(0)
    model = MLP(64, (128, 128), 10)
    lr = lr or (1e-3 if optimizer_name.startswith("adam") else 0.05)
    optimizer = make_optimizer(optimizer_name, model.parameters(), lr)
    loader = seeded_loader(ArrayDataset(x_train, y_train), 32, seed=0)
    schedule = make_schedule(schedule_name, optimizer, epochs, len(loader))
    return model, train(model, nn.CrossEntropyLoss(), loader, split.parts["val"], optimizer, epochs, schedule=schedule)


optimizer_runs = {name: digits_run(name) for name in OPTIMIZERS}
fig = plots.compare_runs({name: curves for name, (_, curves) in optimizer_runs.items()},
                                  f"Digits, one MLP, {EPOCHS} epochs: four optimisers")
plt.show()
print(f"{'optimiser':>10} | final val loss | val accuracy")
for name, (_, curves) in optimizer_runs.items():
    print(f"{name:>10} | {curves.val_loss[-1]:14.4f} | {curves.val_accuracy[-1]:.4f}")

# %% [markdown]
# On this small problem momentum and Adam both leave plain SGD behind; AdamW's weight decay (0.01) barely changes
# Adam's curve in so few epochs — it matters for regularisation over long runs (lab 04). A fair comparison tunes
# each optimiser's learning rate: an optimiser is only as good as the learning rate it is given.
#
# ## 5. Learning-rate schedules
#
# A large learning rate makes fast progress early; a small one settles into a minimum late. A **scheduler**
# changes the optimiser's learning rate as training goes (it writes `optimizer.param_groups[i]["lr"]`):
#
# * **step** (`StepLR`): multiply by `gamma` every `step_size` epochs — call `scheduler.step()` once per epoch;
# * **cosine** (`CosineAnnealingLR`): follow half a cosine wave from the base rate down to `eta_min` in `T_max`
#   steps — here stepped after every batch;
# * **one-cycle** (`OneCycleLR`): warm up from a small rate to a peak, then anneal to almost 0 — after every batch;
# * **reduce-on-plateau** (`ReduceLROnPlateau`): divide the rate when the validation loss stops improving —
#   `scheduler.step(val_loss)` once per epoch.
#
# `make_schedule(name, optimizer, epochs, steps_per_epoch)` builds each one and says when to step it.
#
# ### Exercise 4 — `cosine_lr`
#
# Write `cosine_lr(step, total_steps, base_lr, min_lr)`: the learning rate after `step` calls of
# `scheduler.step()` of a `CosineAnnealingLR(optimizer, T_max=total_steps, eta_min=min_lr)` created on an
# optimiser whose rate is `base_lr`, for `step` from 0 to `total_steps`. Return a Python `float`. (Step 0 is
# before any call: the rate is `base_lr`; after `total_steps` calls it is `min_lr`.)

# %%
def cosine_lr(step, total_steps, base_lr, min_lr):
    ### BEGIN SOLUTION
    # TODO: min_lr plus (base_lr - min_lr) times a factor that goes from 1 to 0 along half a cosine wave
    return min_lr + (base_lr - min_lr) * (1 + np.cos(np.pi * step / total_steps)) / 2
    ### END SOLUTION


check.cosine_lr(cosine_lr)

# %% [markdown]
# The five schedules on the digits, with SGD with momentum and a peak rate of 0.1 — twice the rate of section 4,
# on purpose: high enough that a constant rate cannot settle. The learning rate of every step beside the losses:

# %%
schedule_runs = {name: digits_run("momentum", name, lr=0.1)[1] for name in SCHEDULES}
fig = plots.lr_and_loss(schedule_runs, f"Digits, SGD with momentum, peak lr 0.1, {EPOCHS} epochs: schedules")
plt.show()
for name, curves in schedule_runs.items():
    print(f"{name:>10}: lr {curves.lr[0]:.3g} → {curves.lr[-1]:.3g}; final training loss {curves.train_loss[-1]:.4f}, "
          f"validation loss {curves.val_loss[-1]:.4f}, accuracy {curves.val_accuracy[-1]:.3f}")

# %% [markdown]
# With a constant rate of 0.1 the loss stalls and bounces: the steps are too large to settle into a minimum.
# Every schedule that lowers the rate ends lower, and the smooth ones (cosine, one-cycle) end lowest.
# Reduce-on-plateau acts only after the validation loss has stalled for `patience` epochs, so in a short run it
# fires late, or never (then it is the constant run). One-cycle's warm-up protects the first steps, when the
# weights are random and the gradients large: try a peak rate of 0.2, where most of the others diverge.
#
# ## 6. Activation functions and vanishing gradients
#
# Between its linear layers a network applies an **activation function**; without one, stacked linear layers
# collapse into a single linear map. Backpropagation multiplies, layer after layer, by the activation's
# **derivative** — so its shape matters as much as the function's.
#
# ### Exercise 5 — `derivative`
#
# Write `derivative(f, x)` that returns $f'(x)$ at **every** point of the tensor `x` (any shape), for an
# elementwise function `f` (such as `torch.sigmoid` or `nn.GELU()`), with **one** backward pass of autograd. `x`
# does not require grad; leave it as it was. Return plain numbers of `x`'s dtype: a tensor with no autograd history
# of its own (`requires_grad` False). (Hint: `backward()` needs a scalar. Which scalar has, as its gradient with
# respect to $x_i$, exactly $f'(x_i)$?)

# %%
def derivative(f, x):
    ### BEGIN SOLUTION
    # TODO: a copy of x that requires grad; backward from a scalar built from f(copy); return the copy's gradient
    leaf = x.detach().clone().requires_grad_(True)
    f(leaf).sum().backward()
    return leaf.grad
    ### END SOLUTION


check.derivative(derivative)

# %%
fig = plots.activation_curves({name: make() for name, make in ACTIVATIONS.items()})
plt.show()

# %% [markdown]
# * **sigmoid** squashes into (0, 1); its derivative is at most **0.25**, and near 0 once $|x| > 5$ (it
#   *saturates*). **tanh** is a rescaled sigmoid centred on 0, with derivative up to 1.
# * **ReLU** $\max(0, x)$ has derivative exactly 1 for $x > 0$ and 0 for $x < 0$: gradients pass unchanged
#   through active units — but a unit whose input stays negative never learns again (a "dead" ReLU).
#   **LeakyReLU** keeps a small slope for $x < 0$; **ELU** and **GELU** (used in transformers) are smooth versions.
#
# In a network of $L$ layers, the gradient that reaches the first layer is a product of $L$ such derivatives
# (times weights). With sigmoid each factor is at most 0.25: after 12 layers that can be $0.25^{12} \approx 6\cdot
# 10^{-8}$. We measure it: 12 hidden layers of 64 units, one backward pass on a batch of digits, then the norm of
# each layer's weight gradient.
#
# ### Exercise 6 — `layer_gradient_norms`
#
# Write `layer_gradient_norms(model)`: after a backward pass, return a list with one Python `float` per
# `nn.Linear` layer of the model — the (L2) norm of the gradient of its **weight** — from the layer next to the
# input to the output layer. Layers may be nested inside other modules; the model itself may be a single
# `nn.Linear`.

# %%
def layer_gradient_norms(model):
    ### BEGIN SOLUTION
    # TODO: one float per nn.Linear layer, input side first: the norm of its weight's gradient (layers may be nested)
    return [m.weight.grad.norm().item() for m in model.modules() if isinstance(m, nn.Linear)]
    ### END SOLUTION


check.layer_gradient_norms(layer_gradient_norms)

# %% [markdown]
# Four deep networks. Each activation comes with the initialisation designed for it: **Xavier** (Glorot) for
# sigmoid and tanh, **He** (Kaiming) for ReLU, which zeroes half of its inputs and so needs weights $\sqrt 2$
# larger to keep the signal's size; the fourth is ReLU with PyTorch's default `nn.Linear` initialisation.

# %%
deep_nets = {"sigmoid, Xavier init": ("sigmoid", "xavier"), "tanh, Xavier init": ("tanh", "xavier"),
             "ReLU, He init": ("relu", "he"), "ReLU, PyTorch's default init": ("relu", "default")}
norms, deep_models = {}, {}
for name, (activation, init) in deep_nets.items():
    torch.manual_seed(0)
    deep_models[name] = deep_mlp(64, 10, depth=12, width=64, activation=activation, init=init)
    norms[name] = gradient_norms(deep_models[name], nn.CrossEntropyLoss(), x_train[:256], y_train[:256])
fig = plots.gradient_norms_per_layer(norms, "Gradient norm per layer at initialisation, 12 hidden layers")
plt.show()
for name, values in norms.items():
    print(f"{name:>30}: first layer / last layer = {values[0] / values[-1]:.1e}")

# %% [markdown]
# In the sigmoid network the gradient shrinks by a factor of about 4 at every layer: the first layers receive
# gradients some $10^{7}$ times smaller than the last one — they hardly move. That is the **vanishing gradient**
# problem, which kept deep networks from training until ReLU, better initialisations, normalisation layers and
# residual connections (lab 03). With tanh and ReLU (each with its own init) the norms stay of the same order
# from the first layer to the last. The default init is not He's: with ReLU it shrinks the signal at every layer.
#
# What that means for training: the four networks, trained with Adam for the same epochs.

# %%
for name, model in deep_models.items():
    curves = train(model, nn.CrossEntropyLoss(), seeded_loader(ArrayDataset(x_train, y_train), 32, seed=0),
                   split.parts["val"], make_optimizer("adam", model.parameters(), 1e-3), EPOCHS)
    print(f"{name:>30}: validation accuracy after {EPOCHS} epochs {curves.val_accuracy[-1]:.3f}")

# %% [markdown]
# The deep sigmoid network hardly learns — it stays near chance (10 %) while tanh and ReLU with He init pass 90 % —
# even with Adam, which rescales each parameter's step: its first layers get gradients too small to carry information.
# The ReLU network with the default init learns too, more slowly: Adam makes up for part of its small gradients.
# With plain SGD (`make_optimizer("sgd", model.parameters(), 0.05)`) it stays at chance while the He-initialised
# one learns — try it.
#
# ## 7. Checkpoints and exact resume
#
# A long run will be interrupted: a time limit on a cluster, a crash, a laptop lid. A **checkpoint** saved every
# epoch lets it go on. To continue **exactly** as if it had never stopped, it must hold everything the next
# step depends on:
#
# * the model's weights: `model.state_dict()`;
# * the optimiser's state: `optimizer.state_dict()` — momentum buffers, Adam's running averages and step count;
# * the scheduler's state: `scheduler.state_dict()` — where in the schedule we are;
# * the number of epochs done, and the random state if anything random remains (dropout, shuffling).
#
# Save **state dicts** (tensors and plain numbers), not the objects themselves: `torch.save(model)` pickles the
# class, and unpickling can run arbitrary code. Load with `torch.load(path, weights_only=True)`, which refuses
# anything but tensors and plain values — a checkpoint downloaded from elsewhere cannot run code on your machine.
#
# ### Exercise 7 — `save_checkpoint` and `load_checkpoint`
#
# Write `save_checkpoint(path, model, optimizer, scheduler, epoch)`, which writes one file at `path`, and
# `load_checkpoint(path, model, optimizer, scheduler)`, which restores it into **freshly built** objects (another
# process, other initial weights) and returns the saved `epoch`. The check trains, saves, trains on; then loads
# into fresh objects and trains on from there: both must give the same losses.

# %%
def save_checkpoint_answer(path, model, optimizer, scheduler, epoch):
    ### BEGIN SOLUTION
    # TODO: torch.save a dict of the three state_dicts and the epoch
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), "epoch": epoch}, path)
    ### END SOLUTION


def load_checkpoint_answer(path, model, optimizer, scheduler):
    ### BEGIN SOLUTION
    # TODO: torch.load(path, weights_only=True), then load_state_dict into each object; return the epoch
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    return checkpoint["epoch"]
    ### END SOLUTION


check.checkpoint(save_checkpoint_answer, load_checkpoint_answer)

# %% [markdown]
# The library's `save_checkpoint` / `load_checkpoint` (in `src/dlpractice/training/checkpointing.py`) also keep the
# random state. A run with Adam and a cosine schedule, never stopped, against the same run stopped halfway and
# resumed from its checkpoint — once with everything, once with the optimiser's state forgotten:

# %%
def fresh():
    """What a new process builds before loading a checkpoint: other initial weights, a new optimiser and schedule."""
    torch.manual_seed(123)
    model = MLP(64, (128, 128), 10)
    optimizer = make_optimizer("adam", model.parameters(), 1e-3)
    loader = seeded_loader(ArrayDataset(x_train, y_train), 32, seed=0)
    return model, optimizer, make_schedule("cosine", optimizer, EPOCHS, len(loader)), loader


def run_epochs(parts, start, end, curves=None):
    model, optimizer, schedule, loader = parts
    return train(model, nn.CrossEntropyLoss(), loader, split.parts["val"], optimizer, end, schedule=schedule,
                 curves=curves, start_epoch=start)


stop = EPOCHS // 2
never_stopped = run_epochs(fresh(), 0, EPOCHS)
first = fresh()
first_half = run_epochs(first, 0, stop)
path = LOGS / f"checkpoint_epoch_{stop}.pt"
save_checkpoint(path, *first[:3], epoch=stop)
print("in the file:", {key: type(value).__name__ for key, value in torch.load(path, weights_only=True).items()})

resumed_parts = fresh()
start = load_checkpoint(path, *resumed_parts[:3])
resumed = run_epochs(resumed_parts, start, EPOCHS, copy.deepcopy(first_half))  # the curves go on from epoch `stop`

forgetful_parts = fresh()  # the weights and schedule restored, but a new optimiser: Adam's averages start from zero
saved = torch.load(path, weights_only=True)
forgetful_parts[0].load_state_dict(saved["model"])
forgetful_parts[2].load_state_dict(saved["scheduler"])
forgetful = run_epochs(forgetful_parts, saved["epoch"], EPOCHS, copy.deepcopy(first_half))

fig = plots.resume_curves({"never stopped": never_stopped.train_loss, "resumed": resumed.train_loss,
                                    "resumed, optimiser state forgotten": forgetful.train_loss},
                                   stop, f"Digits, Adam + cosine schedule, stopped after epoch {stop}")
plt.show()
print("largest difference, resumed vs never stopped:",
      max(abs(a - b) for a, b in zip(resumed.train_loss, never_stopped.train_loss)))

# %% [markdown]
# The resumed run repeats the uninterrupted one to the last bit: the difference is exactly 0. Forget the
# optimiser's state and the run changes course at once — not a disaster here, but no longer the run you started,
# and with a large learning rate the restart of Adam's averages can make the loss jump.
#
# ## 8. The same model with Lightning
#
# Everything in our loop except the model, the loss and the optimiser is the same in every project: the loop over
# epochs and batches, `zero_grad` / `backward` / `step`, train and eval modes, `no_grad` for validation, moving
# batches to the GPU, logging, checkpoints, resuming, early stopping, several GPUs. **PyTorch Lightning** writes
# that part once. What we write is a `LightningModule` with the pieces that differ:

# %%
print(inspect.getsource(Classifier))

# %% [markdown]
# The course's engine `dlpractice.engine.fit(module, datamodule, ctx, config, seed)` builds the Lightning
# `Trainer` with TensorBoard logging, checkpoints (`last.ckpt` and the best one) and exact resume.
# `ArrayDataModule` serves the arrays in batches, shuffled with the same seeded order as our `seeded_loader`. We
# train the Adam run of section 4 once more:

# %%
ctx = RunContext(dir=new_run_dir(LOGS, "lightning"), options=RunOptions(accelerator="cpu"))  # a fresh run folder
torch.manual_seed(0)  # the same initial weights as digits_run
pl_module = Classifier(MLP(64, (128, 128), 10), num_classes=10, optimizer="adam", lr=1e-3)
data = ArrayDataModule(split.parts["train"], split.parts["val"], batch_size=32, seed=0)
trainer = fit(pl_module, data, ctx, EngineConfig(epochs=EPOCHS), seed=0)
print(final_metrics(trainer))

hand_model = optimizer_runs["adam"][0]
difference = max((a - b).abs().max().item() for a, b in zip(pl_module.model.parameters(), hand_model.parameters()))
print(f"largest difference between the weights trained by Lightning and by our loop: {difference}")
print("files of the Lightning run:", sorted(str(p.relative_to(ctx.dir)) for p in ctx.dir.rglob("*") if p.is_file()))

# %% [markdown]
# The same weights, to the last bit: Lightning runs exactly the steps our loop runs. What it took off our hands:
# the loops and the four lines of each step, `model.train()` / `model.eval()` and `torch.no_grad()`, averaging the
# logged metrics over each epoch (and over GPUs), the TensorBoard logs, the checkpoints — and, with nothing to
# rewrite, early stopping (`EngineConfig(patience=5)`), resuming a killed run (`dlpractice run LAB --resume
# RUN_FOLDER`), a GPU or several (`--accelerator gpu --devices 2 --strategy ddp`) and mixed precision. The later
# labs train this way; the loops you wrote here are what happens inside.
#
# ## Summary
#
# * A `Dataset` returns one sample (`__len__`, `__getitem__`); a `DataLoader` batches and shuffles. One epoch is
#   one pass; a step is one batch. Weigh each batch's loss by its size when averaging.
# * Training data fits the weights; validation data makes the decisions (best epoch, hyperparameters); test data
#   reports once. A validation loss that turns up while the training loss falls is overfitting.
# * TensorBoard overlays runs logged with `SummaryWriter.add_scalar(tag, value, step)`, one folder per run.
# * Momentum accumulates a velocity; Adam scales each parameter's step; AdamW decouples weight decay.
# * Schedulers change the learning rate; know whether yours steps per batch, per epoch or on the validation loss.
# * Sigmoid's derivative (≤ 0.25) makes gradients vanish through deep stacks; ReLU with He init keeps them.
# * A checkpoint holds the model, optimiser and scheduler states and the epoch; load it with `weights_only=True`.
# * Lightning runs the same steps as your loop and adds logging, checkpoints, resume and devices for free.
