"""Lab 01 checks: the reference and another correct answer pass; classic wrong answers fail with the right hint; a stub is 'not attempted'."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlpractice.checks import lab01 as check
from support.exercise_checks import fails


def test_a_stub_class_is_not_attempted():
    class TwoHiddenMLP(nn.Module):
        def __init__(self, in_features, hidden, out_features):
            super().__init__()
            raise NotImplementedError("exercise: write your answer here")

    assert check.mlp(TwoHiddenMLP) is False


# ---------------------------------------------------------------- make_grid

def test_make_grid():
    assert check.make_grid(lambda r, c: torch.arange(r * c, dtype=torch.float32).reshape(r, c))
    assert check.make_grid(lambda r, c: torch.tensor([[float(i * c + j) for j in range(c)] for i in range(r)]))
    fails(check.make_grid, lambda r, c: torch.arange(r * c).reshape(r, c), match="int64: pass dtype=torch.float32")
    fails(check.make_grid, lambda r, c: torch.arange(r * c, dtype=torch.float64).reshape(r, c), match="dtype=torch.float32")
    fails(check.make_grid, lambda r, c: torch.arange(r * c, dtype=torch.float32).reshape(c, r).T, match="run down the columns")
    fails(check.make_grid, lambda r, c: torch.arange(1, r * c + 1, dtype=torch.float32).reshape(r, c), match="off by one")
    fails(check.make_grid, lambda r, c: torch.arange(r * c, dtype=torch.float32), match="reshape the numbers")
    # linspace from 0 to n - 1 in steps of 1 is exact; a range scaled up from [0, 1] is not (the 300 x 200 grid)
    assert check.make_grid(lambda r, c: torch.linspace(0, r * c - 1, r * c).view(r, c))
    assert check.make_grid(lambda r, c: torch.from_numpy(np.arange(r * c).reshape(r, c)).float())
    fails(check.make_grid, lambda r, c: (torch.linspace(0, 1, r * c) * (r * c - 1)).reshape(r, c),
          match="not exactly 0, 1, 2")


# ---------------------------------------------------------------- seeded_noise

def test_seeded_noise():
    assert check.seeded_noise(lambda shape, seed: torch.randn(shape, generator=torch.Generator().manual_seed(seed)))

    def alternative(shape, seed):
        gen = torch.Generator()
        gen.manual_seed(seed)
        return torch.empty(shape).normal_(generator=gen)

    assert check.seeded_noise(alternative)

    def global_seed(shape, seed):
        torch.manual_seed(seed)
        return torch.randn(shape)

    fails(check.seeded_noise, global_seed, match="changed PyTorch's global random state")
    fails(check.seeded_noise, lambda shape, seed: torch.rand(shape, generator=torch.Generator().manual_seed(seed)),
          match="torch.rand draws uniformly")
    fails(check.seeded_noise, lambda shape, seed: torch.randn(shape, generator=torch.Generator()), match="use the seed you are given")

    def flat_but_standardised(shape, seed):  # mean 0 and std 1, but uniform: a loose mean/std test lets it through
        gen = torch.Generator().manual_seed(seed)
        return (torch.rand(shape, generator=gen) - 0.5) * 12 ** 0.5

    fails(check.seeded_noise, flat_but_standardised, match="do not look like draws from a normal")
    assert check.seeded_noise(lambda shape, seed: torch.from_numpy(
        np.random.default_rng(seed).standard_normal(shape).astype(np.float32)))  # NumPy's own generator: fine
    fails(check.seeded_noise, lambda shape, seed: torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64),
          match="float32")


def test_seeded_noise_leaves_the_notebooks_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.randn(3)
    torch.manual_seed(5)
    check.make_grid(lambda r, c: torch.arange(r * c, dtype=torch.float32).reshape(r, c))
    check.seeded_noise(lambda shape, seed: torch.randn(shape, generator=torch.Generator().manual_seed(seed)))
    assert torch.equal(torch.randn(3), expected)


# ---------------------------------------------------------------- channels_first

def test_channels_first():
    assert check.channels_first(lambda images: images.permute(0, 3, 1, 2))
    assert check.channels_first(lambda images: torch.movedim(images, -1, 1).contiguous())
    fails(check.channels_first, lambda images: images.reshape(images.shape[0], images.shape[3], images.shape[1], images.shape[2]),
          match="pixels and channels are mixed up")
    fails(check.channels_first, lambda images: images.transpose(1, 3), match="height and width are swapped")
    fails(check.channels_first, lambda images: images.permute(3, 0, 1, 2), match="permute\\(0, 3, 1, 2\\)")


# ---------------------------------------------------------------- standardize

def test_standardize():
    def reference(a):
        t = torch.from_numpy(a)
        return ((t - t.mean(dim=0)) / t.std(dim=0, correction=0)).numpy()

    def alternative(a):
        t = torch.tensor(a)  # a copy: in-place is safe here
        t -= t.mean(dim=0, keepdim=True)
        t /= t.pow(2).mean(dim=0).sqrt()
        return t.numpy()

    assert check.standardize(reference)
    assert check.standardize(alternative)

    def in_place_on_shared_memory(a):
        t = torch.from_numpy(a)
        t -= t.mean(dim=0)
        t /= t.std(dim=0, correction=0)
        return t.numpy()

    fails(check.standardize, in_place_on_shared_memory, match="changed `a` in place")
    fails(check.standardize, lambda a: ((torch.from_numpy(a) - torch.from_numpy(a).mean(0)) / torch.from_numpy(a).std(0)).numpy(),
          match="unbiased std")
    fails(check.standardize, lambda a: torch.from_numpy(reference(a)), match="finish with .numpy")
    fails(check.standardize, lambda a: reference(a.astype(np.float32)), match="keep the input's dtype")
    fails(check.standardize, lambda a: reference(a.T.copy()).T, match="standardised each row")

    def one_pass(a):  # E[x²] − E[x]²: fine for small numbers, rounding error for values near 1000 in float32
        t = torch.from_numpy(a)
        mean = t.mean(dim=0)
        return ((t - mean) / ((t * t).mean(dim=0) - mean * mean).sqrt()).numpy()

    fails(check.standardize, one_pass, match="values near 1000")
    assert check.standardize(lambda a: ((a - a.mean(axis=0)) / a.std(axis=0)).astype(a.dtype))  # NumPy alone


# ---------------------------------------------------------------- grad_of

def test_grad_of():
    def reference(f, x):
        leaf = x.detach().clone().requires_grad_(True)
        f(leaf).backward()
        return leaf.grad

    assert check.grad_of(reference)
    assert check.grad_of(_autograd_grad)

    def on_the_input(f, x):
        x.requires_grad_(True)
        f(x).backward()
        return x.grad

    fails(check.grad_of, on_the_input, match="gradients accumulate in .grad")

    def forgot_requires_grad(f, x):
        y = f(x)
        y.backward()
        return x.grad

    fails(check.grad_of, forgot_requires_grad, match="requires_grad=True")

    def returns_value(f, x):
        leaf = x.detach().clone().requires_grad_(True)
        value = f(leaf)
        value.backward()
        return value.detach()

    fails(check.grad_of, returns_value, match="you returned f\\(x\\), the value")

    def zeroes_then_uses_input(f, x):  # cleans up, but still changes the caller's x
        x.requires_grad_(True)
        f(x).backward()
        grad = x.grad.clone()
        x.grad = None
        return grad

    fails(check.grad_of, zeroes_then_uses_input, match="changed the caller's x")

    def central_difference(f, x, h=1e-3):  # a numerical derivative: right everywhere except at relu's kink
        dtype, x = x.dtype, x.detach().double()
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            step = torch.zeros_like(x).flatten()
            step[i] = h
            step = step.reshape(x.shape)
            grad.view(-1)[i] = (f(x + step) - f(x - step)) / (2 * h)
        return grad.to(dtype)

    fails(check.grad_of, central_difference, match="exactly 0.*finite difference")
    fails(check.grad_of, lambda f, x: _autograd_grad(f, x).float(), match="float64 expected, float32 out")

    def numpy_free_loop(f, x):  # another correct answer: one backward per element through a flattened copy
        leaf = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(leaf), leaf, retain_graph=False)
        return grad.clone()

    assert check.grad_of(numpy_free_loop)


def _autograd_grad(f, x):
    leaf = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(leaf), leaf)
    return grad


# ---------------------------------------------------------------- gd_step

def gd_reference(params, loss_fn, lr):
    loss = loss_fn()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    return loss.item()


def test_gd_step():
    assert check.gd_step(gd_reference)

    def alternative(params, loss_fn, lr):  # zero first (when there is a gradient), SGD's own update
        for p in params:
            p.grad = None
        loss = loss_fn()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(g, alpha=lr)
        return float(loss.detach())

    assert check.gd_step(alternative)

    def forgot_zero_grad(params, loss_fn, lr):
        loss = loss_fn()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss.item()

    fails(check.gd_step, forgot_zero_grad, match="step 1 was right but this step is not.*zero them")

    def rebinds(params, loss_fn, lr):
        loss = loss_fn()
        loss.backward()
        for p in params:
            p = p - lr * p.grad  # noqa: PLW2901 — the mistake under test
        return loss.item()

    fails(check.gd_step, rebinds, match="did not move.*only rebinds")

    def uphill(params, loss_fn, lr):
        loss = loss_fn()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p += lr * p.grad
                p.grad = None
        return loss.item()

    fails(check.gd_step, uphill, match="moved uphill")

    def no_no_grad(params, loss_fn, lr):
        loss = loss_fn()
        loss.backward()
        for p in params:
            p -= lr * p.grad
            p.grad = None
        return loss.item()

    fails(check.gd_step, no_no_grad, match="with torch.no_grad")

    def zero_first_without_none_check(params, loss_fn, lr):
        for p in params:
            p.grad.zero_()
        return gd_reference(params, loss_fn, lr)

    fails(check.gd_step, zero_first_without_none_check, match="p.grad is None until the first backward")
    fails(check.gd_step, lambda params, loss_fn, lr: gd_reference(params, loss_fn, lr) and loss_fn(), match="expected a Python float")


# ---------------------------------------------------------------- manual_backward

def backward_reference(params, x, y):
    z1 = x @ params["w1"] + params["b1"]
    h = torch.relu(z1)
    y_hat = h @ params["w2"] + params["b2"]
    d_y_hat = 2 * (y_hat - y) / y_hat.numel()
    d_h = d_y_hat @ params["w2"].T
    d_z1 = d_h * (z1 > 0)
    return {"w1": x.T @ d_z1, "b1": d_z1.sum(dim=0), "w2": h.T @ d_y_hat, "b2": d_y_hat.sum(dim=0)}


def backward_variant(params, x, y, *, mask=lambda z1: z1 > 0, scale=None, bias_sum=lambda d: d.sum(dim=0), b2_reduce=None,
                     transpose_w2=False):
    z1 = x @ params["w1"] + params["b1"]
    h = torch.relu(z1)
    y_hat = h @ params["w2"] + params["b2"]
    d_y_hat = (y_hat - y) * (scale(y_hat) if scale else 2 / y_hat.numel())
    d_h = d_y_hat @ params["w2"].T
    d_z1 = d_h * mask(z1)
    d_w2 = d_y_hat.T @ h if transpose_w2 else h.T @ d_y_hat
    return {"w1": x.T @ d_z1, "b1": bias_sum(d_z1), "w2": d_w2, "b2": (b2_reduce or bias_sum)(d_y_hat)}


def test_manual_backward():
    assert check.manual_backward(backward_reference)

    def alternative(params, x, y):  # element by element for ReLU, einsum for the products, a tuple-free dict
        z1 = torch.addmm(params["b1"], x, params["w1"])
        h = z1.clamp(min=0)
        y_hat = torch.addmm(params["b2"], h, params["w2"])
        g = (y_hat - y) * (2.0 / (y.shape[0] * y.shape[1]))
        g_z1 = torch.where(z1 > 0, g @ params["w2"].T, torch.zeros_like(z1))
        return dict(w2=torch.einsum("nh,no->ho", h, g), b2=g.sum(0), w1=torch.einsum("ni,nh->ih", x, g_z1), b1=g_z1.sum(0))

    assert check.manual_backward(alternative)
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, mask=lambda z1: torch.ones_like(z1)),
          match="ReLU passes the gradient only where z1 > 0")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, mask=lambda z1: z1 >= 0), match="not \\(z1 >= 0\\)")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, scale=lambda y_hat: 2), match="you summed the squared errors")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, scale=lambda y_hat: 1 / y_hat.numel()), match="derivative of u² is 2u")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, scale=lambda y_hat: 2 / y_hat.shape[0]),
          match="not only the n rows")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, bias_sum=lambda d: d), match="sums over the batch")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, b2_reduce=lambda d: d.mean(dim=0)), match="times too small")
    fails(check.manual_backward, lambda p, x, y: backward_variant(p, x, y, transpose_w2=True), match="the weight's shape")
    fails(check.manual_backward, lambda p, x, y: tuple(backward_reference(p, x, y).values()), match="expected a dict")

    def with_autograd(params, x, y):
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        F.mse_loss(torch.relu(x @ leaves["w1"] + leaves["b1"]) @ leaves["w2"] + leaves["b2"], y).backward()
        return {k: v.grad for k, v in leaves.items()}

    fails(check.manual_backward, with_autograd, match="backpropagation by hand")


def backward_by_loops(params, x, y, *, dtype=None):
    """Backpropagation one example at a time, accumulating into buffers of `dtype` (None: the parameters' own)."""
    grads = {k: torch.zeros(v.shape, dtype=dtype or v.dtype) for k, v in params.items()}
    for x_i, y_i in zip(x, y):  # one row at a time: (d_in,) and (d_out,)
        z1 = x_i @ params["w1"] + params["b1"]
        h = torch.relu(z1)
        d_out = 2 * (h @ params["w2"] + params["b2"] - y_i) / y.numel()
        d_z1 = (params["w2"] @ d_out) * (z1 > 0)
        grads["w2"] += torch.outer(h, d_out)
        grads["b2"] += d_out
        grads["w1"] += torch.outer(x_i, d_z1)
        grads["b1"] += d_z1
    return grads


def test_manual_backward_dtypes_and_sizes_of_one():
    assert check.manual_backward(backward_by_loops)  # a loop over the rows, buffers of the parameters' dtype
    # torch.zeros(shape) is float32: float64 parameters get float32 gradients
    fails(check.manual_backward, lambda p, x, y: backward_by_loops(p, x, y, dtype=torch.float32),
          match="float64 parameters.*float64 expected, float32 out")

    def squeezed(params, x, y):  # .squeeze() to tidy the shapes: a size-1 axis (one output, one unit) disappears
        return {k: v.squeeze() for k, v in backward_reference(params, x, y).items()}

    fails(check.manual_backward, squeezed, match="expected shape")


# ---------------------------------------------------------------- mlp

class ReferenceMLP(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, out_features))

    def forward(self, x):
        return self.net(x)


class AlternativeMLP(nn.Module):  # layers as attributes, defined out of order, functional ReLU
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        self.out = nn.Linear(hidden, out_features)
        self.first = nn.Linear(in_features, hidden)
        self.second = nn.Linear(hidden, hidden)

    def forward(self, x):
        return self.out(F.relu(self.second(F.relu(self.first(x)))))


def make_mlp(*, activation=nn.ReLU, final=None, bias=True, plain_list=False, squeeze=False, one_hidden=False):
    class Wrong(nn.Module):
        def __init__(self, in_features, hidden, out_features):
            super().__init__()
            sizes = [in_features, hidden, out_features] if one_hidden else [in_features, hidden, hidden, out_features]
            layers = []
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers.append(nn.Linear(a, b, bias=bias))
                if i < len(sizes) - 2 and activation is not None:
                    layers.append(activation())
            if final is not None:
                layers.append(final())
            self.layers = layers if plain_list else nn.Sequential(*layers)

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x.squeeze() if squeeze else x

    return Wrong


def test_mlp():
    assert check.mlp(ReferenceMLP)
    assert check.mlp(AlternativeMLP)
    fails(check.mlp, make_mlp(activation=None), match="the model is linear")
    fails(check.mlp, make_mlp(final=nn.ReLU), match="never negative")
    fails(check.mlp, make_mlp(bias=False), match="no bias")
    fails(check.mlp, make_mlp(plain_list=True), match="plain Python list")
    fails(check.mlp, make_mlp(squeeze=True), match="batch of 1.*no squeeze")
    fails(check.mlp, make_mlp(one_hidden=True), match="three Linear layers")
    fails(check.mlp, make_mlp(activation=nn.Sigmoid), match="use ReLU")


# ---------------------------------------------------------------- parameter_formula

def test_parameter_formula():
    assert check.parameter_formula(lambda sizes: sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))
    assert check.parameter_formula(lambda sizes: sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(sizes) - 1)))
    fails(check.parameter_formula, lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])), match="weights only")
    fails(check.parameter_formula, lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes), match="input layer has no biases")
    fails(check.parameter_formula, lambda sizes: sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:])), match="per \\*output\\*")
    fails(check.parameter_formula, lambda sizes: float(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))), match="a count is a Python int")
    fails(check.parameter_formula, lambda sizes: sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 2)),
          match="sum over consecutive pairs")
    # NumPy: dot product of the consecutive sizes plus the outputs, converted back to an int
    assert check.parameter_formula(lambda sizes: int(np.dot(sizes[:-1], sizes[1:]) + np.sum(sizes[1:])))
    # biases counted for the hidden layers only (the first case with a hidden layer is caught)
    fails(check.parameter_formula, lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes[1:-1]),
          match="the output layer has biases too")
    # an int for each layer, but the total through NumPy's float mean: rounds nothing, yet a float
    fails(check.parameter_formula, lambda sizes: np.sum([a * b + b for a, b in zip(sizes[:-1], sizes[1:])], dtype=float),
          match="a count is a Python int")


# ---------------------------------------------------------------- train_step

def step_reference(model, optimizer, loss_fn, x, y):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def test_train_step():
    assert check.train_step(step_reference)

    def alternative(model, optimizer, loss_fn, x, y):  # zero at the end instead, with explicit train mode
        model.train()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return float(loss.detach())

    assert check.train_step(alternative)

    def forgot_zero_grad(model, optimizer, loss_fn, x, y):
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    fails(check.train_step, forgot_zero_grad, match="step 1 was right.*zero_grad")

    def forgot_step(model, optimizer, loss_fn, x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss.item()

    fails(check.train_step, forgot_step, match="call optimizer.step\\(\\) after loss.backward")

    def forgot_backward(model, optimizer, loss_fn, x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        optimizer.step()
        return loss.item()

    fails(check.train_step, forgot_backward, match="call loss.backward\\(\\)")

    def returns_tensor(model, optimizer, loss_fn, x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    fails(check.train_step, returns_tensor, match="return loss.item")

    def loss_after_step(model, optimizer, loss_fn, x, y):
        step_reference(model, optimizer, loss_fn, x, y)
        with torch.no_grad():
            return loss_fn(model(x), y).item()

    fails(check.train_step, loss_after_step, match="computed before optimizer.step")


# ---------------------------------------------------------------- accuracy

def accuracy_reference(logits, y):
    if logits.shape[1] == 1:
        predicted = (logits[:, 0] > 0).float()
    else:
        predicted = logits.argmax(dim=1)
    return (predicted == y.reshape(-1).to(predicted.dtype)).float().mean().item()


def test_accuracy():
    assert check.accuracy(accuracy_reference)

    def alternative(logits, y):
        if logits.shape[-1] == 1:
            predicted = (torch.sigmoid(logits) > 0.5).long().view(-1)
        else:
            predicted = torch.max(logits, dim=-1).indices
        return sum(int(p) == int(t) for p, t in zip(predicted, y.view(-1))) / len(predicted)

    assert check.accuracy(alternative)

    def sigmoid_twice(logits, y):
        if logits.shape[1] == 1:
            return ((torch.sigmoid(torch.sigmoid(logits[:, 0])) > 0.5).float() == y.reshape(-1)).float().mean().item()
        return accuracy_reference(logits, y)

    fails(check.accuracy, sigmoid_twice, match="sigmoid\\(logit\\) is already a probability")

    def threshold_half(logits, y):
        if logits.shape[1] == 1:
            return ((logits[:, 0] > 0.5).float() == y.reshape(-1)).float().mean().item()
        return accuracy_reference(logits, y)

    fails(check.accuracy, threshold_half, match="logits are not probabilities")

    def at_least_zero(logits, y):  # >= 0: a logit of exactly 0 counted as class 1
        if logits.shape[1] == 1:
            return ((logits[:, 0] >= 0).float() == y.reshape(-1).float()).float().mean().item()
        return accuracy_reference(logits, y)

    fails(check.accuracy, at_least_zero, match="logits exactly 0.*strictly")

    def numpy_accuracy(logits, y):  # another correct answer, in NumPy, returning np.float64
        scores, labels = logits.numpy(), y.numpy().reshape(-1)
        predicted = (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 else scores.argmax(axis=1)
        return (predicted == labels).mean()

    assert check.accuracy(numpy_accuracy)

    def wrong_axis(logits, y):
        if logits.shape[1] == 1:
            return accuracy_reference(logits, y)
        return (logits.argmax(dim=0) == y).float().mean().item()

    fails(check.accuracy, wrong_axis, match="argmax over the class axis|argmax over dim 1")

    def broadcasts(logits, y):
        predicted = (logits[:, 0] > 0).float() if logits.shape[1] == 1 else logits.argmax(dim=1)
        return (predicted == y).float().mean().item()

    fails(check.accuracy, broadcasts, match="broadcast to an \\(n, n\\) table")

    def count(logits, y):
        return accuracy_reference(logits, y) * len(y)

    fails(check.accuracy, count, match="not their number")

    def tensor(logits, y):
        return torch.tensor(accuracy_reference(logits, y))

    fails(check.accuracy, tensor, match="return a Python float")
