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
# # Lab 01 — PyTorch basics: tensors, autograd, and training loops by hand
#
# In this lab you will learn to:
#
# 1. create **tensors**, control randomness with **seeds**, change their **shape** (`view`, `reshape`, `permute`),
#    move data between **NumPy** and PyTorch, and choose a **dtype** and a **device**;
# 2. let **autograd** compute gradients, and look at the **computational graph** it records;
# 3. run **gradient descent by hand**, then **backpropagation by hand**, and check it against autograd;
# 4. build **multilayer perceptrons** (MLPs), **count their parameters**, and train them with an **explicit
#    training loop** on three problems: regression (a noisy sine wave), binary classification (two moons) and
#    multi-class classification (spirals);
# 5. compare a neural network with **random forests** and **gradient boosting** on a table, and see when each wins.
#
# **Exercises.** A cell that ends with `check.something(...)` is an exercise: replace
# `raise NotImplementedError(...)` with your code and run the cell. You get ✔ when your answer is right, or a
# hint saying what went wrong. The check tries your code on more cases than the notebook shows (a batch of one,
# other shapes and dtypes, zeros, negative values), so think about those too. The cells after an exercise never
# use your answer: if you are stuck, move on and come back later.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import display
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from torch import nn

import dlpractice.course.notebooks
from dlpractice.autograd import backprop, graph_text
from dlpractice.checks import lab01 as check
from dlpractice.data import load_table, make_split, noisy_sinusoid, spirals, two_moons
from dlpractice.labs.pytorch_basics import accuracy
from dlpractice.models import MLP, count_parameters, mlp_parameter_formula, predict
from dlpractice.training import plots
from dlpractice.training.loop import History, train_tensors

QUICK = dlpractice.course.notebooks.quick()  # True under DLPRACTICE_QUICK=1: fewer epochs, same lessons
EPOCHS = 300 if QUICK else 1000
torch.set_num_threads(1)  # the models here are tiny: one CPU thread is fastest (more threads cost more to coordinate)
print(f"PyTorch {torch.__version__}; quick mode: {QUICK}; {EPOCHS} epochs per problem")

# %% [markdown]
# ## 1. Tensors
#
# A tensor is an n-dimensional array of numbers of one type (its **dtype**), stored on one **device** (CPU or GPU).
# It is PyTorch's version of a NumPy array, with two extras: it can live on a GPU, and it can record the
# operations applied to it so that gradients can be computed automatically.
#
# ### Creating tensors

# %%
a = torch.tensor([[1, 2, 3], [4, 5, 6]])  # from nested lists: integers give int64
b = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # floats give float32, PyTorch's default
print("a:", a.dtype, tuple(a.shape), "| b:", b.dtype, tuple(b.shape))
print(torch.zeros(2, 3))
print(torch.ones(2, 3, dtype=torch.float64))
print(torch.full((2, 2), 7.0))
print(torch.arange(0, 10, 2))  # like range(): the end is excluded
print(torch.linspace(0, 1, 5))  # 5 evenly spaced points, both ends included
print(torch.eye(3))
print(torch.zeros_like(b))  # same shape and dtype as b

# %% [markdown]
# ### Exercise 1 — `make_grid`
#
# Write `make_grid(rows, cols)` that returns a **float32** tensor of shape `(rows, cols)` holding the numbers
# `0, 1, ..., rows*cols - 1`, filled **row by row**. For example `make_grid(2, 3)` is
# `[[0., 1., 2.], [3., 4., 5.]]`.

# %%
def make_grid(rows, cols):
    ### BEGIN SOLUTION
    # TODO: torch.arange(...) then .reshape(...); mind the dtype
    return torch.arange(rows * cols, dtype=torch.float32).reshape(rows, cols)
    ### END SOLUTION


check.make_grid(make_grid)

# %% [markdown]
# ### Seeds: random numbers you can reproduce
#
# `torch.randn` draws from PyTorch's **global** random generator. `torch.manual_seed(s)` resets it, so the same
# seed gives the same numbers — that is how an experiment can be repeated exactly. A `torch.Generator` is a
# generator of your own: drawing from it (`generator=...`) does not disturb the global one, which is what you
# want inside a library function.

# %%
torch.manual_seed(0)
first = torch.randn(3)
torch.manual_seed(0)
second = torch.randn(3)
print(first, second, "same:", torch.equal(first, second))

gen = torch.Generator().manual_seed(42)
print("own generator:", torch.randn(3, generator=gen))
print("the global stream goes on where it was:", torch.randn(3))

# %% [markdown]
# ### Exercise 2 — `seeded_noise`
#
# Write `seeded_noise(shape, seed)` that returns standard normal numbers (float32) of the given shape, the
# **same** numbers every time it is called with the same seed, different ones for a different seed — and
# **without changing PyTorch's global random state** (the numbers the rest of the program gets).

# %%
def seeded_noise(shape, seed):
    ### BEGIN SOLUTION
    # TODO: make a torch.Generator seeded with `seed` and pass it to torch.randn
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=gen)
    ### END SOLUTION


check.seeded_noise(seeded_noise)

# %% [markdown]
# ### Shapes: `view`, `reshape`, `permute`
#
# A tensor is a block of memory plus a **shape** and **strides** (how many elements to jump to move one step
# along each axis). `view` gives a new shape over the **same memory** — no copy — and only works when the
# memory layout allows it (the tensor is *contiguous*, or close enough). `reshape` does the same when it can,
# and copies when it must. `permute` (and `.T`, `transpose`) reorders the axes by changing the strides only:
# the result usually is **not contiguous**.

# %%
x = torch.arange(12)
m = x.view(3, 4)  # same memory, new shape
m[0, 0] = 100  # ... so writing through m changes x
print("x:", x)
print("m strides:", m.stride(), "contiguous:", m.is_contiguous())

t = m.T  # transposed: same memory, strides swapped
print("m.T strides:", t.stride(), "contiguous:", t.is_contiguous())
try:
    t.view(12)
except RuntimeError as err:
    print("view failed:", str(err).split(".")[0])
flat = t.reshape(12)  # reshape copies when it has to
print("reshape:", flat, "| shares memory with m:", flat.data_ptr() == m.data_ptr())

print("unsqueeze adds an axis of size 1:", tuple(torch.zeros(5).unsqueeze(0).shape),
      tuple(torch.zeros(5).unsqueeze(1).shape))
print("broadcasting (3, 1) + (4,) ->", tuple((torch.zeros(3, 1) + torch.zeros(4)).shape))

# %% [markdown]
# Image libraries usually store a batch of images as `(N, H, W, C)`: number of images, height, width, channels.
# PyTorch's convolutions expect `(N, C, H, W)`. Moving an axis is a job for `permute`: `reshape` to the target
# shape would give the right shape with the numbers scrambled.

# %%
images = torch.rand(8, 28, 32, 3)  # 8 RGB images of 28 x 32 pixels
print("(N, H, W, C):", tuple(images.shape), "-> permuted:", tuple(images.permute(0, 3, 1, 2).shape))
wrong = images.reshape(8, 3, 28, 32)
print("reshape keeps memory order: pixel (0, 0) of image 0 is", images[0, 0, 0].tolist(),
      "but reshape's 'channels' there are", wrong[0, :, 0, 0].tolist())

# %% [markdown]
# ### Exercise 3 — `channels_first`
#
# Write `channels_first(images)` that takes a batch of shape `(N, H, W, C)` and returns it as `(N, C, H, W)`,
# so that `result[n, c, h, w] == images[n, h, w, c]`. Do not modify `images`.

# %%
def channels_first(images):
    ### BEGIN SOLUTION
    # TODO: one call to .permute(...)
    return images.permute(0, 3, 1, 2)
    ### END SOLUTION


check.channels_first(channels_first)

# %% [markdown]
# ### NumPy round trips
#
# `torch.from_numpy(array)` and `tensor.numpy()` do **not copy**: the tensor and the array share memory, so a
# change to one shows in the other. `torch.tensor(array)` makes a copy. Note also the dtypes: NumPy's default
# float is float64, PyTorch's is float32 — models expect float32, so convert with `.float()`.

# %%
arr = np.arange(4.0)
shared = torch.from_numpy(arr)  # shares arr's memory
copied = torch.tensor(arr)  # a copy
arr[0] = -1.0
print("array:", arr, "| from_numpy:", shared, "| torch.tensor:", copied)
print("dtype from NumPy:", shared.dtype, "-> for a model:", shared.float().dtype)
back = shared.numpy()  # shares memory again
back[1] = 99.0
print("after writing into .numpy():", arr)

# %% [markdown]
# ### Exercise 4 — `standardize`
#
# Write `standardize(a)`: it takes a NumPy array of shape `(n, d)` (float32 or float64) and returns a **NumPy
# array** of the same shape and **dtype** in which every column has mean 0 and standard deviation 1. Use
# PyTorch for the arithmetic. Use the population standard deviation (divide by `n`, as NumPy's `std` does),
# and **leave the input array unchanged**.

# %%
def standardize(a):
    ### BEGIN SOLUTION
    # TODO: tensor from the array, subtract the column means, divide by the column stds, back to NumPy
    t = torch.from_numpy(a)
    return ((t - t.mean(dim=0)) / t.std(dim=0, correction=0)).numpy()
    ### END SOLUTION


check.standardize(standardize)

# %% [markdown]
# ### dtypes and devices
#
# float32 keeps about 7 significant digits, float64 about 16. Deep learning uses float32 (or less) because it is
# twice as fast and half the memory, and the noise of training is far larger than rounding errors. Operations
# need both operands on the same device, and usually the same dtype.

# %%
print("0.1 + 0.2 in float32:", (torch.tensor(0.1) + torch.tensor(0.2)).item())
print("0.1 + 0.2 in float64:", (torch.tensor(0.1, dtype=torch.float64) + torch.tensor(0.2, dtype=torch.float64)).item())
print("2**24 + 1 in float32:", torch.tensor(2.0**24 + 1).item(), "(not representable)")
try:
    torch.ones(2) @ torch.ones(2, dtype=torch.float64)
except RuntimeError as err:
    print("mixing dtypes:", err)

device = "cuda" if torch.cuda.is_available() else "cpu"
on_device = torch.randn(2, 3).to(device)
print("device:", on_device.device, "| back to NumPy needs the CPU:", on_device.cpu().numpy().shape)

# %% [markdown]
# ## 2. Autograd and the computational graph
#
# When a tensor has `requires_grad=True`, every operation on it is recorded: the result's `grad_fn` remembers
# which operation made it and from which inputs. `backward()` walks this record backwards applying the chain rule,
# and stores $\partial\,\text{output} / \partial\,\text{leaf}$ in each leaf's `.grad`.

# %%
x = torch.tensor(2.0, requires_grad=True)
y = x**3 + 2 * x
print("y =", y.item(), "| made by", y.grad_fn)
y.backward()
print("dy/dx by autograd:", x.grad.item(), "| by hand, 3x² + 2:", 3 * 2.0**2 + 2)

y = x**3 + 2 * x  # a second backward *adds* to .grad
y.backward()
print("after a second backward:", x.grad.item(), "— gradients accumulate, so they must be zeroed between steps")
x.grad = None

with torch.no_grad():  # nothing is recorded here (used for updates and evaluation)
    z = x * 2
print("computed under no_grad: requires_grad =", z.requires_grad,
      "| after .detach(): requires_grad =", (x * 2).detach().requires_grad)

# %% [markdown]
# The graph of a small two-layer network (Linear → ReLU → Linear, mean squared error). Read it from the loss
# (top) down to the **leaves** — the parameters, whose `.grad` `backward()` fills in. The input `x` does not
# appear: it does not require grad. (If torchviz and Graphviz are installed this is drawn as a picture;
# otherwise it is printed as text.)

# %%
params = {name: p.requires_grad_(True) for name, p in backprop.init_params(3, 4, 1, seed=0).items()}
x_demo, y_demo = torch.randn(5, 3), torch.randn(5, 1)
loss = backprop.mse(backprop.forward(params, x_demo)[0], y_demo)
if graph_text.torchviz_available():  # torchviz installed and Graphviz's `dot` on PATH (shutil.which("dot"))
    from torchviz import make_dot

    display(make_dot(loss, params=params))
else:
    print("(torchviz or Graphviz's `dot` is not installed: the graph as text)\n")
    print(graph_text.render(loss, params))
loss.backward()
print("\nshapes of the gradients:", {name: tuple(p.grad.shape) for name, p in params.items()})

# %% [markdown]
# ### Exercise 5 — `grad_of`
#
# Write `grad_of(f, x)` that returns the gradient $\mathrm{d}f/\mathrm{d}x$ at `x`, computed by autograd.
# `f` maps a tensor to a scalar tensor; `x` is a tensor of any shape **without** `requires_grad`. The result
# has the shape of `x`. Calling it twice must give the same answer, and `x` must be left as it was.

# %%
def grad_of(f, x):
    ### BEGIN SOLUTION
    # TODO: let autograd differentiate f at a copy of x that requires grad (x itself must stay as it was)
    leaf = x.detach().clone().requires_grad_(True)
    f(leaf).backward()
    return leaf.grad
    ### END SOLUTION


check.grad_of(grad_of)

# %% [markdown]
# ## 3. Gradient descent by hand: bringing two points together
#
# Two points $p$ and $q$ in the plane are parameters; the loss is their squared distance
# $L = \lVert p - q \rVert^2$. Gradient descent repeats: compute the loss, `backward()`, move each parameter a
# little **against** its gradient ($p \leftarrow p - \text{lr}\cdot\nabla_p L$) inside `torch.no_grad()` (an
# update must not be recorded in the graph), then **zero the gradients** — otherwise the next `backward()`
# adds to them.

# %%
def bring_together(lr=0.1, steps=12, zero_grads=True):
    p = torch.tensor([-2.0, 1.0], requires_grad=True)
    q = torch.tensor([3.0, -1.5], requires_grad=True)
    path, losses = [torch.stack([p, q]).detach().clone()], []
    for _ in range(steps):
        loss = ((p - q) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            p -= lr * p.grad
            q -= lr * q.grad
        if zero_grads:
            p.grad.zero_()
            q.grad.zero_()
        path.append(torch.stack([p, q]).detach().clone())
        losses.append(loss.item())
    return torch.stack(path), losses


fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
for ax, zero_grads, title in [(axes[0], True, "gradients zeroed at each step"), (axes[1], False, "zeroing forgotten")]:
    path, losses = bring_together(zero_grads=zero_grads)
    for i, (name, colour) in enumerate([("p", "tab:blue"), ("q", "tab:red")]):
        ax.plot(path[:, i, 0], path[:, i, 1], "o-", color=colour, ms=4, label=f"{name} (start: large marker)")
        ax.plot(path[0, i, 0], path[0, i, 1], "o", color=colour, ms=10)
    ax.set_title(f"Trajectories, {title}")
    ax.set_xlabel("first coordinate")
    ax.set_ylabel("second coordinate")
    ax.axis("equal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    axes[2].plot(range(1, len(losses) + 1), losses, "o-", label=title)
axes[2].set_yscale("log")
axes[2].set_title("Squared distance before each step")
axes[2].set_xlabel("step")
axes[2].set_ylabel("loss (log scale)")
axes[2].grid(alpha=0.3)
axes[2].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# With zeroed gradients, each step shrinks the distance by the same factor ($1 - 4\,\text{lr} = 0.6$); the points
# meet in the middle. Without zeroing, every step uses the **sum of all past gradients**: the points overshoot
# and oscillate around each other.
#
# ### Exercise 6 — `gd_step`
#
# Write `gd_step(params, loss_fn, lr)` that performs **one** gradient-descent step on any list of parameters:
# `params` is a list of leaf tensors with `requires_grad=True` (of any shapes), `loss_fn()` takes no argument and
# returns the loss computed from them. Compute the loss, backpropagate, update every parameter in place, make sure
# the next call starts from clean gradients, and return the loss (the one before the update) as a Python `float`.

# %%
def gd_step(params, loss_fn, lr):
    ### BEGIN SOLUTION
    # TODO: loss and backward; update each p in place without recording it; clean gradients; return a float
    loss = loss_fn()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    return loss.item()
    ### END SOLUTION


check.gd_step(gd_step)

# %% [markdown]
# ## 4. Backpropagation by hand
#
# Autograd is the chain rule applied mechanically. Let us do it ourselves for a two-layer network. With a batch
# `x` of shape $(n, d_\text{in})$ and targets `y` of shape $(n, d_\text{out})$:
#
# $$z_1 = x W_1 + b_1,\qquad h = \operatorname{relu}(z_1),\qquad \hat y = h W_2 + b_2,\qquad
# L = \frac{1}{n\,d_\text{out}} \sum_{i,j} (\hat y_{ij} - y_{ij})^2 .$$
#
# Going backwards, write $\bar a$ for $\partial L / \partial a$ (it has the shape of $a$):
#
# * $\bar{\hat y} = 2(\hat y - y) / (n\, d_\text{out})$ — the mean runs over all $n\,d_\text{out}$ numbers;
# * for a product $Y = X W$: $\bar W = X^\top \bar Y$ and $\bar X = \bar Y W^\top$;
# * a bias $b$ is added to every row, so $\bar b$ is the **sum over rows** of the gradient that reaches it;
# * ReLU lets the gradient through only where its input was positive: $\bar z_1 = \bar h \odot [z_1 > 0]$.
#
# ### Exercise 7 — `manual_backward`
#
# Write `manual_backward(params, x, y)`. `params` is a dict with `"w1"` $(d_\text{in}, \text{hidden})$, `"b1"`
# $(\text{hidden},)$, `"w2"` $(\text{hidden}, d_\text{out})$ and `"b2"` $(d_\text{out},)$. Return a **dict with
# the same four keys** holding $\bar W_1, \bar b_1, \bar W_2, \bar b_2$ — computed by hand, without
# `.backward()` (the check runs your function with autograd switched off and compares with autograd's answer).

# %%
def manual_backward(params, x, y):
    ### BEGIN SOLUTION
    # TODO: the forward pass (keep z1 and h), then the four gradients, from the loss backwards
    z1 = x @ params["w1"] + params["b1"]
    h = torch.relu(z1)
    y_hat = h @ params["w2"] + params["b2"]
    d_y_hat = 2 * (y_hat - y) / y_hat.numel()
    d_h = d_y_hat @ params["w2"].T
    d_z1 = d_h * (z1 > 0)
    return {"w1": x.T @ d_z1, "b1": d_z1.sum(dim=0), "w2": h.T @ d_y_hat, "b2": d_y_hat.sum(dim=0)}
    ### END SOLUTION


check.manual_backward(manual_backward)

# %% [markdown]
# The library's version (`dlpractice.autograd.backprop.manual_gradients`) against autograd, on a random batch — and the
# same with the ReLU mask deliberately forgotten, to see that the comparison catches a real mistake:

# %%
gen = torch.Generator().manual_seed(0)
x_rand, y_rand = torch.randn(64, 3, generator=gen), torch.randn(64, 2, generator=gen)
params = backprop.init_params(3, 16, 2, seed=0)
auto = backprop.autograd_gradients(params, x_rand, y_rand)
right = backprop.compare(backprop.manual_gradients(params, x_rand, y_rand), auto)
wrong = backprop.compare(backprop.manual_gradients(params, x_rand, y_rand, forget_relu_mask=True), auto)
print(f"{'parameter':>9} | {'by hand vs autograd':>19} | {'ReLU mask forgotten':>19}")
for name in params:
    print(f"{name:>9} | {right[name]:19.2e} | {wrong[name]:19.2e}")

# %% [markdown]
# Hand-made gradients are all a network needs to learn. Here a two-layer network with 16 hidden units fits one
# period of a noisy sine wave ($x \in [-\pi, \pi]$, standardised) with nothing but `manual_gradients` and
# `w -= lr * grad` — no autograd, no optimiser. The noise has variance 0.01: a loss near it means the network found
# the sine and there is nothing left to learn but the noise.

# %%
x_sine, y_sine = noisy_sinusoid(1000, noise=0.1, seed=0)
one_period = np.abs(x_sine[:, 0]) < np.pi
x_period = torch.from_numpy((x_sine[one_period] - x_sine[one_period].mean()) / x_sine[one_period].std())
hand_steps = 300 if QUICK else 1000
hand_losses = backprop.gradient_descent_by_hand(x_period, torch.from_numpy(y_sine[one_period]), hidden=16,
                                                steps=hand_steps, lr=0.1, seed=0)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, hand_steps + 1), hand_losses, label="training MSE")
ax.axhline(0.1**2, color="k", ls="--", lw=1, label="noise variance")
ax.set_yscale("log")
ax.set_title("Gradient descent with hand-made gradients (one sine period)")
ax.set_xlabel("step")
ax.set_ylabel("MSE (log scale)")
ax.grid(alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## 5. Multilayer perceptrons
#
# In PyTorch a model is an `nn.Module`: layers are created in `__init__` (assigned to `self`, so that PyTorch
# registers their parameters), and `forward(x)` says how an input flows through them. `nn.Linear(i, o)` computes
# `x @ W.T + b` with a weight of shape `(o, i)` and a bias of shape `(o,)`. Without a non-linearity between them,
# stacked linear layers would collapse into a single linear map.
#
# ### Exercise 8 — an MLP class
#
# Write `TwoHiddenMLP(in_features, hidden, out_features)`, an `nn.Module` computing
# Linear(in_features → hidden) → ReLU → Linear(hidden → hidden) → ReLU → Linear(hidden → out_features).
# No activation after the last layer: it outputs raw scores. For an input of shape `(batch, in_features)` the
# output has shape `(batch, out_features)` — also for a batch of one.

# %%
class TwoHiddenMLP(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        ### BEGIN SOLUTION
        # TODO: create the three nn.Linear layers (and the activation), assigned to self
        self.layers = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, out_features),
        )
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        # TODO: return the output of the layers applied to x
        return self.layers(x)
        ### END SOLUTION


check.mlp(TwoHiddenMLP)

# %% [markdown]
# The rest of the lab uses the library's `MLP(in_features, hidden_sizes, out_features)`, which builds the same
# kind of network for any number of hidden layers:

# %%
model = MLP(2, (64, 64), 1)
print(model)
for name, p in model.named_parameters():
    print(f"{name:>9}: shape {tuple(p.shape)}, {p.numel()} numbers")
print("total:", count_parameters(model))

# %% [markdown]
# ### Exercise 9 — `parameter_formula`
#
# Each `nn.Linear(i, o)` has $i \cdot o$ weights and $o$ biases. Write `parameter_formula(sizes)` that returns
# (as an `int`) the number of parameters of an MLP whose layer sizes are `sizes = (in, hidden_1, ..., out)` —
# by the formula, without building the model.

# %%
def parameter_formula(sizes):
    ### BEGIN SOLUTION
    # TODO: sum over consecutive pairs (i, o) of sizes
    return sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))
    ### END SOLUTION


check.parameter_formula(parameter_formula)

# %% [markdown]
# Counted (`sum(p.numel() for p in model.parameters())`) against the formula (the library's
# `mlp_parameter_formula`): wider layers cost parameters quadratically, the input and output sizes only linearly.

# %%
print(f"{'layer sizes':>24} | {'counted':>8} | {'formula':>8}")
for sizes in [(1, 64, 64, 1), (2, 64, 64, 3), (2, 256, 256, 3), (30, 64, 64, 1), (784, 128, 10)]:
    counted = count_parameters(MLP(sizes[0], sizes[1:-1], sizes[-1]))
    print(f"{' → '.join(map(str, sizes)):>24} | {counted:8d} | {mlp_parameter_formula(sizes):8d}")

# %% [markdown]
# ## 6. Regression: a noisy sine wave, with the training loop written out
#
# 1000 points $y = \sin x + \varepsilon$ with $x \in [-2\pi, 2\pi]$. We split them into training (70 %),
# validation (15 %) and test (15 %) parts, and standardise $x$ with the **training** part's mean and standard
# deviation (`make_split`). The network learns from the training part; the validation loss tells us how it does
# on points it never trained on.

# %%
x_sine, y_sine = noisy_sinusoid(1000, noise=0.1, seed=0)
sine = make_split(x_sine, y_sine, seed=0, classification=False)
print({part: tuple(xy[0].shape) for part, xy in sine.parts.items()})

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.scatter(x_sine[sine.index["train"]], y_sine[sine.index["train"]], s=6, alpha=0.5, label="train")
ax.scatter(x_sine[sine.index["val"]], y_sine[sine.index["val"]], s=6, alpha=0.7, label="validation")
ax.set_title("Noisy sine wave: y = sin x + noise")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The training loop, every step visible. Each **epoch** here is one step on the whole training part (a single
# batch; mini-batches come in lab 02): zero the gradients, forward pass, loss, backward pass, optimiser step.
# The model and the data go to `device` (a GPU when there is one).

# %%
torch.manual_seed(0)
sine_model = MLP(1, (64, 64), 1).to(device)
optimizer = torch.optim.Adam(sine_model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
x_train, y_train = (t.to(device) for t in sine.parts["train"])
x_val, y_val = (t.to(device) for t in sine.parts["val"])

sine_history = History()
for epoch in range(EPOCHS):
    sine_model.train()
    optimizer.zero_grad()  # 1. clear the gradients of the previous step
    loss = loss_fn(sine_model(x_train), y_train)  # 2. forward pass and loss
    loss.backward()  # 3. backward pass: p.grad for every parameter
    optimizer.step()  # 4. update the parameters
    sine_model.eval()
    with torch.no_grad():
        val_loss = loss_fn(sine_model(x_val), y_val)
    sine_history.train_loss.append(loss.item())
    sine_history.val_loss.append(val_loss.item())
    if epoch % (EPOCHS // 5) == 0 or epoch == EPOCHS - 1:
        print(f"epoch {epoch:4d}: train MSE {loss.item():.4f}, validation MSE {val_loss.item():.4f}")

# %%
sine_model = sine_model.cpu()
x_test, y_test = sine.parts["test"]
test_pred = predict(sine_model, x_test)
r2 = 1 - ((test_pred - y_test) ** 2).sum().item() / ((y_test - y_test.mean()) ** 2).sum().item()
x_line = np.linspace(x_sine.min(), x_sine.max(), 400, dtype=np.float32)[:, None]
fig = plots.fitted_curve(x_sine[sine.index["train"]], y_sine[sine.index["train"]], x_line,
                         predict(sine_model, sine.scale(x_line)).numpy(), np.sin(x_line),
                         f"MLP fit to a noisy sine wave (test R² = {r2:.3f})")
plt.show()

# %% [markdown]
# ### Exercise 10 — `train_step`
#
# Package the four lines of the loop into `train_step(model, optimizer, loss_fn, x, y)`: one training step on the
# batch `(x, y)`, returning the batch's loss (before the update) as a Python `float`. The check runs it for a few
# steps on fresh models — with SGD, SGD with momentum and Adam, MSE, cross-entropy and BCE, a batch of one — and
# compares every parameter with a reference step.

# %%
def train_step(model, optimizer, loss_fn, x, y):
    ### BEGIN SOLUTION
    # TODO: the four steps of the loop above, then return the loss as a Python float
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION


check.train_step(train_step)

# %% [markdown]
# From here on, the same loop comes from the library:
# `dlpractice.training.loop.train_tensors(model, loss_fn, x_train, y_train, x_val, y_val, epochs=..., lr=...)` (Adam,
# one step per batch, training and validation loss recorded each epoch).
# Open `src/dlpractice/training/loop.py`: it is the loop above, plus optional mini-batches.
#
# ## 7. Binary classification: two moons
#
# Two interleaving half circles, labels 0 and 1. The network outputs **one number per point, a logit** $s$: the
# predicted probability of class 1 is $\sigma(s) = 1/(1 + e^{-s})$. `BCEWithLogitsLoss` takes the logit and
# applies the sigmoid itself, in a numerically stable way — so the model has **no** sigmoid at the end.

# %%
x_moons, y_moons = two_moons(2000, noise=0.15, seed=0)
moons = make_split(x_moons, y_moons.astype(np.float32)[:, None],  # targets (n, 1), 0. or 1.
                   seed=0, classification=True)
torch.manual_seed(0)
moons_model = MLP(2, (64, 64), 1)
moons_history = train_tensors(moons_model, nn.BCEWithLogitsLoss(), *moons.parts["train"], *moons.parts["val"],
                              epochs=EPOCHS, lr=0.01)
print(f"final training BCE {moons_history.train_loss[-1]:.4f}, validation BCE {moons_history.val_loss[-1]:.4f}")

# %% [markdown]
# ### Exercise 11 — `accuracy`
#
# Write `accuracy(logits, y)` returning the fraction of rows predicted right, as a Python `float`:
#
# * `logits` of shape `(n, 1)`: **binary**; predict class 1 where the logit is $> 0$ (that is, where
#   $\sigma(s) > 0.5$). `y` holds 0. and 1., of shape `(n,)` or `(n, 1)`.
# * `logits` of shape `(n, k)` with $k \ge 2$: **one score per class**; the predicted class is the one with the
#   largest score. `y` holds class indices (int64), of shape `(n,)`.

# %%
def accuracy_from_logits(logits, y):
    ### BEGIN SOLUTION
    # TODO: predicted classes (binary: logit > 0; k classes: argmax over the class axis), compare with y, average
    if logits.shape[1] == 1:
        predicted = (logits[:, 0] > 0).float()
    else:
        predicted = logits.argmax(dim=1)
    return (predicted == y.reshape(-1).to(predicted.dtype)).float().mean().item()
    ### END SOLUTION


check.accuracy(accuracy_from_logits)

# %% [markdown]
# The test accuracy (with the library's `accuracy`), and the **decision boundary**: each point of the plane
# coloured by the predicted class, paler where the model is less sure.

# %%
def proba_of(model, split, binary):
    """Class probabilities of the model on raw (unscaled) points, for plotting."""

    def predict_proba(points):
        logits = predict(model, split.scale(points))
        if binary:
            p = torch.sigmoid(logits)
            return torch.cat([1 - p, p], dim=1).numpy()
        return torch.softmax(logits, dim=1).numpy()

    return predict_proba


moons_acc = accuracy(predict(moons_model, moons.parts["test"][0]), moons.parts["test"][1])
train_i = moons.index["train"]
fig = plots.decision_boundary(proba_of(moons_model, moons, binary=True), x_moons[train_i], y_moons[train_i],
                              f"Two moons: MLP + BCEWithLogits (test accuracy {moons_acc:.3f})")
plt.show()

# %% [markdown]
# ## 8. Multi-class classification: spirals
#
# Three interleaved spiral arms, one class each. Now the network outputs **one score per class** (3 logits);
# `CrossEntropyLoss` applies the softmax itself and takes the **class index** (int64) as the target. For
# comparison, a model without hidden layers (`MLP(2, (), 3)`, a single Linear layer) can only draw straight
# boundaries.

# %%
x_spirals, y_spirals = spirals(1500, arms=3, noise=0.2, turns=1.5, seed=0)
spiral = make_split(x_spirals, y_spirals, seed=0, classification=True)
spiral_models, spiral_histories = {}, {}
for name, hidden in [("linear", ()), ("MLP 64-64", (64, 64))]:
    torch.manual_seed(0)
    spiral_models[name] = MLP(2, hidden, 3)
    spiral_histories[name] = train_tensors(spiral_models[name], nn.CrossEntropyLoss(),
                                           *spiral.parts["train"], *spiral.parts["val"], epochs=EPOCHS, lr=0.01)

train_i = spiral.index["train"]
for name, model in spiral_models.items():
    acc = accuracy(predict(model, spiral.parts["test"][0]), spiral.parts["test"][1])
    fig = plots.decision_boundary(proba_of(model, spiral, binary=False), x_spirals[train_i], y_spirals[train_i],
                                  f"Spirals, {name} ({count_parameters(model)} parameters): test accuracy {acc:.3f}")
    plt.show()

# %% [markdown]
# The loss curves of the three problems. Training and validation losses that fall together mean the model is
# learning something that generalises; a validation loss that turns back up while the training loss keeps falling
# is overfitting (lab 02 is about that).

# %%
fig = plots.loss_curves({"sine": sine_history, "moons": moons_history, "spirals": spiral_histories["MLP 64-64"]},
                        {"sine": "MSE", "moons": "BCE", "spirals": "cross-entropy"})
plt.show()

# %% [markdown]
# ## 9. Neural network vs trees on a table
#
# Last, a real **tabular** dataset that ships with scikit-learn: 569 breast tumours described by 30 numeric
# measurements (radius, texture, ...), labelled malignant or benign. The same MLP and training loop (on standardised
# inputs, and once more on the raw measurements), against a random forest and gradient boosting (trees need no
# scaling; all the models see the same training rows).

# %%
table = load_table("breast_cancer")
cancer = make_split(table.X, table.y.astype(np.float32)[:, None], seed=0, classification=True)
torch.manual_seed(0)
cancer_model = MLP(table.X.shape[1], (64, 64), 1)
train_tensors(cancer_model, nn.BCEWithLogitsLoss(), *cancer.parts["train"], *cancer.parts["val"],
      epochs=100 if QUICK else 200, lr=0.001)
scores = {"MLP": accuracy(predict(cancer_model, cancer.parts["test"][0]), cancer.parts["test"][1])}

# the same MLP on the raw measurements, without standardisation
raw = {part: (torch.from_numpy(table.X[i]), torch.from_numpy(table.y[i].astype(np.float32)[:, None]))
       for part, i in cancer.index.items()}
torch.manual_seed(0)
raw_model = MLP(table.X.shape[1], (64, 64), 1)
train_tensors(raw_model, nn.BCEWithLogitsLoss(), *raw["train"], *raw["val"], epochs=100 if QUICK else 200, lr=0.001)
scores["MLP, raw inputs"] = accuracy(predict(raw_model, raw["test"][0]), raw["test"][1])

train_i, test_i = cancer.index["train"], cancer.index["test"]
for name, clf in [("random forest", RandomForestClassifier(n_estimators=200, random_state=0)),
                  ("gradient boosting", GradientBoostingClassifier(random_state=0))]:
    scores[name] = float(clf.fit(table.X[train_i], table.y[train_i]).score(table.X[test_i], table.y[test_i]))

print(f"{'model':>18} | test accuracy ({len(test_i)} rows)")
for name, score in scores.items():
    print(f"{name:>18} | {score:.3f}")
fig = plots.bar_chart(scores, f"Breast cancer ({table.X.shape[0]} rows, {table.X.shape[1]} features): test accuracy",
                      "test accuracy", ylim=(0.8, 1.02))
fig.set_size_inches(8, 4)  # room for four labels
plt.show()

# %% [markdown]
# **The lesson: tabular vs structured data.** On a table like this one, the three models are close — and the
# trees got there with no scaling, no learning rate and no epochs to choose. The columns range from about 0.05 to
# over 4000: fed the raw measurements, the same MLP does worse, because the largest columns dominate its first
# layer. A tree does not care: a split "radius > 15" is the same split after any rescaling of that column. That is
# the usual picture for **tabular data** (rows of heterogeneous measurements, each column its own meaning):
# gradient-boosted trees are the strong default, and a neural network rarely wins by much.
#
# Neural networks earn their keep on **structured data** — images, sound, text, sequences, graphs — where the
# inputs have a layout (neighbouring pixels, word order) that an architecture can exploit: convolutions (lab 03)
# share one small filter across all positions of an image, recurrent networks and transformers (labs 08–10) share
# weights across time. Trees cannot use that structure; they see each pixel as an unrelated column.
#
# With about 85 test rows, one row is more than 1 % of accuracy: differences of one or two rows between models
# are noise (lab 00's cross-validation is the way to measure them properly).
#
# ## Summary
#
# * Tensors have a shape, a dtype and a device; `view` shares memory and needs a compatible layout, `reshape`
#   copies when it must, `permute` moves axes; `from_numpy` and `.numpy()` share memory.
# * Autograd records a graph of operations from leaves with `requires_grad=True`; `backward()` fills `.grad` —
#   and **adds** to it, hence `zero_grad()`.
# * A training step is always: zero the gradients, forward, loss, backward, update.
# * Backpropagation is the chain rule: you can write it by hand, and autograd tells you whether you got it right.
# * An MLP's last layer outputs raw numbers; the loss decides how to read them (MSE for regression,
#   BCEWithLogits for one logit, CrossEntropy for one score per class).
# * On tables, try trees first; neural networks shine where the data has structure.
