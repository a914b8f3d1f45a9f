"""Lab 02 checks: the reference and another correct answer pass; classic wrong answers fail with the right hint; a stub is 'not attempted'."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import Dataset

from dlpractice.checks import lab02 as check
from dlpractice.training import activations, checkpointing, gradient_flow, optimizers, schedules
from dlpractice.training.loop import ArrayDataset
from support.exercise_checks import fails, stub


@pytest.mark.parametrize("name", check.__all__)
def test_a_stub_is_not_attempted(name, capsys):
    answers = (stub, stub) if name == "checkpoint" else (stub,)
    assert getattr(check, name)(*answers) is False
    assert "not attempted" in capsys.readouterr().out


def test_a_stub_class_is_not_attempted():
    class TableDataset(Dataset):
        def __init__(self, x, y):
            raise NotImplementedError("exercise: write your answer here")

    assert check.table_dataset(TableDataset) is False


def test_the_checks_leave_the_notebooks_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.randn(3)
    torch.manual_seed(5)
    check.train_epoch(train_epoch_reference)
    check.momentum_step(optimizers.momentum_step)
    assert torch.equal(torch.randn(3), expected)


# ---------------------------------------------------------------- table_dataset

class ConvertsPerItem(Dataset):  # keeps the arrays, converts one row at a time
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, i):
        return torch.tensor(self.x[i], dtype=torch.float32), torch.tensor(int(self.y[i]))


def dataset_variant(*, features=lambda x: torch.from_numpy(x).float(), labels=lambda y: torch.from_numpy(y).long(),
                    length=lambda x: len(x), item=lambda t, i: t[i]):
    class Variant(Dataset):
        def __init__(self, x, y):
            self.x, self.y, self.n = features(x), labels(y), length(x)

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return item(self.x, i), item(self.y, i)

    return Variant


def test_table_dataset():
    assert check.table_dataset(ArrayDataset)
    assert check.table_dataset(ConvertsPerItem)
    fails(check.table_dataset, dataset_variant(features=torch.from_numpy), match="torch.from_numpy keeps NumPy's float64")
    fails(check.table_dataset, dataset_variant(labels=lambda y: torch.from_numpy(y).float()), match="int64 \\(long\\), not floats")
    fails(check.table_dataset, dataset_variant(labels=torch.from_numpy), match="not torch.int32")
    fails(check.table_dataset, dataset_variant(length=lambda x: x.shape[1]), match="number of rows \\(samples\\), not of features")
    fails(check.table_dataset, dataset_variant(item=lambda t, i: t[i:i + 1]), match="index one row with an int")
    fails(check.table_dataset, dataset_variant(features=lambda x: x), match="expected a torch.Tensor")
    # squeezing the rows: right until a table has one feature, whose rows become 0-d
    fails(check.table_dataset, dataset_variant(item=lambda t, i: t[i].squeeze() if t.dim() > 1 else t[i]),
          match="one feature.*index one row")


# ---------------------------------------------------------------- train_epoch

def train_epoch_reference(model, loader, loss_fn, optimizer):
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


def epoch_variant(*, zero_grad=True, train_mode=True, step_each_batch=True, result="mean"):
    def answer(model, loader, loss_fn, optimizer):
        if train_mode:
            model.train()
        losses = []
        for x, y in loader:
            if zero_grad:
                optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            if step_each_batch:
                optimizer.step()
            losses.append((loss.item(), len(x)))
        if not step_each_batch:
            optimizer.step()
        return {"mean": sum(v * n for v, n in losses) / sum(n for _, n in losses),
                "mean of means": sum(v for v, _ in losses) / len(losses),
                "sum": sum(v for v, _ in losses),
                "last": losses[-1][0],
                "over the dataset": sum(v * n for v, n in losses) / len(loader.dataset),  # not the rows seen
                "tensor": torch.tensor(sum(v * n for v, n in losses) / sum(n for _, n in losses))}[result]

    return answer


def test_train_epoch():
    assert check.train_epoch(train_epoch_reference)

    def zero_after_step(model, loader, loss_fn, optimizer):  # the other order, and the library's version
        model.train()
        optimizer.zero_grad(set_to_none=True)
        total, rows = 0.0, 0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += float(loss.detach()) * x.shape[0]
            rows += x.shape[0]
        return total / rows

    assert check.train_epoch(zero_after_step)
    from dlpractice.training.loop import train_epoch
    assert check.train_epoch(train_epoch)
    fails(check.train_epoch, epoch_variant(zero_grad=False), match="call optimizer.zero_grad\\(\\) before each batch")
    fails(check.train_epoch, epoch_variant(train_mode=False), match="call model.train\\(\\) first")
    fails(check.train_epoch, epoch_variant(step_each_batch=False, zero_grad=False), match="one optimizer.step\\(\\) per batch")
    fails(check.train_epoch, epoch_variant(step_each_batch=False), match="one optimizer.step\\(\\) per batch")
    fails(check.train_epoch, epoch_variant(result="mean of means"), match="the last batch is smaller")
    fails(check.train_epoch, epoch_variant(result="sum"), match="not the sum over batches")
    fails(check.train_epoch, epoch_variant(result="last"), match="not the last batch's loss")
    fails(check.train_epoch, epoch_variant(result="tensor"), match="got a tensor")

    # right unless the loader drops its last batch
    fails(check.train_epoch, epoch_variant(result="over the dataset"),
          match="drop_last=True.*fewer than len\\(loader.dataset\\)")


# ---------------------------------------------------------------- momentum_step

def test_momentum_step():
    assert check.momentum_step(optimizers.momentum_step)

    def in_place(param, grad, velocity, lr, momentum):
        velocity.mul_(momentum).add_(grad)
        param.sub_(lr * velocity)
        return param, velocity

    assert check.momentum_step(in_place)
    fails(check.momentum_step, lambda p, g, v, lr, m: (p - lr * g, g), match="must accumulate past gradients")
    fails(check.momentum_step, lambda p, g, v, lr, m: (p - lr * (m * v + (1 - m) * g), m * v + (1 - m) * g),
          match="dampening is 0")
    fails(check.momentum_step, lambda p, g, v, lr, m: (p - (m * v + lr * g), m * v + lr * g),
          match="keep the learning rate out of the velocity")
    fails(check.momentum_step, lambda p, g, v, lr, m: (p - lr * v, m * v + g), match="update the velocity first")
    fails(check.momentum_step, lambda p, g, v, lr, m: (p + lr * (m * v + g), m * v + g), match="descend")
    fails(check.momentum_step, lambda p, g, v, lr, m: (p - lr * (g + m * (m * v + g)), m * v + g), match="Nesterov")
    fails(check.momentum_step, lambda p, g, v, lr, m: p - lr * (m * v + g), match="expected a pair")
    fails(check.momentum_step, lambda p, g, v, lr, m: optimizers.momentum_step(p, g, v, lr, m)[::-1], match="swapped")


def momentum_by_elements(param, grad, velocity, lr, momentum, *, keep_dtype=True):
    """Element by element in Python, rebuilt with torch.tensor: float32 unless told the input's dtype."""
    new_v = [momentum * v + g for v, g in zip(velocity.flatten().tolist(), grad.flatten().tolist())]
    new_p = [p - lr * v for p, v in zip(param.flatten().tolist(), new_v)]
    dtype = param.dtype if keep_dtype else None
    return (torch.tensor(new_p, dtype=dtype).reshape(param.shape), torch.tensor(new_v, dtype=dtype).reshape(param.shape))


def test_momentum_step_keeps_dtype_and_shape():
    assert check.momentum_step(momentum_by_elements)  # a loop over the numbers, the input's dtype kept
    # NumPy in float64 throughout, back to torch with from_numpy: the dtype follows the input
    assert check.momentum_step(lambda p, g, v, lr, m: (lambda nv: (torch.from_numpy(p.numpy() - lr * nv), torch.from_numpy(nv)))(
        m * v.numpy() + g.numpy()))
    fails(check.momentum_step, lambda p, g, v, lr, m: momentum_by_elements(p, g, v, lr, m, keep_dtype=False),
          match="float64, shape \\(4, 1\\).*float64 expected, float32 out")
    fails(check.momentum_step, lambda p, g, v, lr, m: tuple(t.squeeze() for t in optimizers.momentum_step(p, g, v, lr, m)),
          match="no squeeze")


# ---------------------------------------------------------------- cosine_lr

def test_cosine_lr():
    assert check.cosine_lr(schedules.cosine_lr)

    def alternative(step, total_steps, base_lr, min_lr):  # the sine form: sin² of half the angle
        return min_lr + (base_lr - min_lr) * (1 - math.sin(math.pi * step / (2 * total_steps)) ** 2)

    assert check.cosine_lr(alternative)

    def cosine(t, n, b, lo):
        return lo + (b - lo) * (1 + math.cos(math.pi * t / n)) / 2

    fails(check.cosine_lr, lambda t, n, b, lo: cosine(t + 1, n, b, lo), match="step 0 must give base_lr")
    fails(check.cosine_lr, lambda t, n, b, lo: cosine(t, max(n - 1, 1), b, lo), match="not total_steps - 1")
    fails(check.cosine_lr, lambda t, n, b, lo: cosine(t, n, b, 0.0), match="down to min_lr, not to 0")
    fails(check.cosine_lr, lambda t, n, b, lo: lo + (b - lo) * math.cos(math.pi * t / n), match="goes from 1 to -1")
    fails(check.cosine_lr, lambda t, n, b, lo: b - (b - lo) * t / n, match="linear decay")
    fails(check.cosine_lr, lambda t, n, b, lo: torch.tensor(cosine(t, n, b, lo)), match="Python float")
    # the formula right, computed in torch on a float32 tensor: about 1 % off near the end of 1000 steps to min_lr 0
    fails(check.cosine_lr, lambda t, n, b, lo: (lo + (b - lo) * (1 + torch.cos(torch.tensor(math.pi * t / n))) / 2).item(),
          match="total_steps=1000.*float32 precision")
    # NumPy, a whole schedule at once in float64, then the step's entry: right
    assert check.cosine_lr(lambda t, n, b, lo: float((lo + (b - lo) * (1 + np.cos(np.linspace(0, np.pi, n + 1))) / 2)[t]))


# ---------------------------------------------------------------- derivative

def test_derivative():
    assert check.derivative(activations.derivative)

    def keeps_a_graph(f, x):  # create_graph=True: the derivatives carry autograd history of their own
        leaf = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(leaf).sum(), leaf, create_graph=True)
        return grad

    fails(check.derivative, keeps_a_graph, match="attached to the autograd graph")
    fails(check.derivative, lambda f, x: activations.derivative(f, x.float()), match="float64 expected, float32 out")

    def with_backward(f, x):
        leaf = x.detach().clone().requires_grad_(True)
        f(leaf).sum().backward()
        return leaf.grad

    assert check.derivative(with_backward)

    def with_mean(f, x):
        leaf = x.detach().clone().requires_grad_(True)
        f(leaf).mean().backward()
        return leaf.grad

    fails(check.derivative, with_mean, match="times too small.*not of the mean")

    def no_sum(f, x):
        leaf = x.detach().clone().requires_grad_(True)
        f(leaf).backward()
        return leaf.grad

    fails(check.derivative, no_sum, match="backward\\(\\) needs a scalar")

    def on_the_input(f, x):
        x.requires_grad_(True)
        f(x).sum().backward()
        return x.grad

    fails(check.derivative, on_the_input, match="changed the caller's x")
    fails(check.derivative, lambda f, x: f(x), match="you returned f\\(x\\)")
    fails(check.derivative, lambda f, x: (f(x + 1e-3) - f(x)) / 1e-3, match="finite differences")


# ---------------------------------------------------------------- layer_gradient_norms

def test_layer_gradient_norms():
    assert check.layer_gradient_norms(gradient_flow.layer_gradient_norms)

    def by_name(model):  # 2-D parameters named "...weight": the Linear weights here
        return [float(p.grad.pow(2).sum().sqrt()) for name, p in model.named_parameters() if name.endswith("weight") and p.dim() == 2]

    assert check.layer_gradient_norms(by_name)
    linears = lambda model: [m for m in model.modules() if isinstance(m, nn.Linear)]  # noqa: E731
    fails(check.layer_gradient_norms, lambda model: [m.weight.grad.norm().item() ** 2 for m in linears(model)], match="squared norms")
    # exact type instead of isinstance: a subclass of nn.Linear is missed
    fails(check.layer_gradient_norms, lambda model: [m.weight.grad.norm().item() for m in model.modules() if type(m) is nn.Linear],
          match="subclass of nn.Linear")

    def sorted_by_name(model):  # "10" < "2" as text
        named = sorted((name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear))
        return [m.weight.grad.norm().item() for _, m in named]

    fails(check.layer_gradient_norms, sorted_by_name, match="sorting names as text")
    assert check.layer_gradient_norms(lambda model: [float(np.linalg.norm(m.weight.grad.numpy())) for m in linears(model)])
    fails(check.layer_gradient_norms, lambda model: [m.weight.norm().item() for m in linears(model)], match="norms of the weights")
    fails(check.layer_gradient_norms, lambda model: [m.weight.grad.norm().item() for m in linears(model)][::-1], match="reverse order")
    fails(check.layer_gradient_norms, lambda model: [m.weight.grad.norm() for m in linears(model)], match="holds tensors")
    fails(check.layer_gradient_norms, lambda model: [p.grad.norm().item() for p in model.parameters()], match="not one per parameter tensor")
    fails(check.layer_gradient_norms, lambda model: [m.weight.grad.norm().item() for m in model.children() if isinstance(m, nn.Linear)],
          match="model.children\\(\\) only the top level")
    fails(check.layer_gradient_norms, lambda model: [math.hypot(m.weight.grad.norm().item(), m.bias.grad.norm().item()) if m.bias is not None
                                                     else m.weight.grad.norm().item() for m in linears(model)], match="without the bias")


# ---------------------------------------------------------------- checkpoint

def save_variant(*, optimizer_state=True, scheduler_state=True, whole_model=False):
    def save(path, model, optimizer, scheduler, epoch):
        torch.save({"model": model if whole_model else model.state_dict(),
                    "optimizer": optimizer.state_dict() if optimizer_state else None,
                    "scheduler": scheduler.state_dict() if scheduler_state else None, "epoch": epoch}, path)

    return save


def load_variant(*, epoch_offset=0, weights_only=True):
    def load(path, model, optimizer, scheduler):
        saved = torch.load(path, weights_only=weights_only)
        model.load_state_dict(saved["model"])
        if saved["optimizer"] is not None:
            optimizer.load_state_dict(saved["optimizer"])
        if saved["scheduler"] is not None:
            scheduler.load_state_dict(saved["scheduler"])
        return saved["epoch"] + epoch_offset

    return load


def test_checkpoint():
    assert check.checkpoint(checkpointing.save_checkpoint, checkpointing.load_checkpoint)
    assert check.checkpoint(save_variant(), load_variant())
    fails(check.checkpoint, save_variant(optimizer_state=False), load_variant(), match="optimizer's state .* was not restored")
    fails(check.checkpoint, save_variant(scheduler_state=False), load_variant(), match="scheduler's state was not restored")
    fails(check.checkpoint, save_variant(whole_model=True), load_variant(weights_only=False), match="does not load with .*weights_only=True")
    fails(check.checkpoint, save_variant(), load_variant(weights_only=False), match="weights_only=False\\) unpickles anything")
    fails(check.checkpoint, save_variant(), load_variant(epoch_offset=1), match="return the epoch stored")

    def keeps_it_in_memory(path, model, optimizer, scheduler, epoch):  # the file is written, but load reads a global
        memory.update(model=model.state_dict(), optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(), epoch=epoch)
        torch.save({}, path)

    def loads_from_memory(path, model, optimizer, scheduler):
        model.load_state_dict(memory["model"])
        optimizer.load_state_dict(memory["optimizer"])
        scheduler.load_state_dict(memory["scheduler"])
        return memory["epoch"]

    memory = {}
    fails(check.checkpoint, keeps_it_in_memory, loads_from_memory, match="model's weights or buffers differ from those saved")


def test_checkpoint_buffers_and_the_epoch():
    def parameters_only(path, model, optimizer, scheduler, epoch):  # the parameters, not batch norm's buffers
        torch.save({"model": {name: p.detach() for name, p in model.named_parameters()},
                    "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "epoch": epoch}, path)

    def load_what_is_there(path, model, optimizer, scheduler):
        saved = torch.load(path, weights_only=True)
        model.load_state_dict(saved["model"], strict=False)  # strict=False: the buffers are missing
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        return saved["epoch"]

    fails(check.checkpoint, parameters_only, load_what_is_there, match="batch norm.*weights or buffers differ")

    def epoch_as_tensor(path, model, optimizer, scheduler, epoch):  # "weights_only wants tensors": it does not
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(), "epoch": torch.tensor(epoch)}, path)

    fails(check.checkpoint, epoch_as_tensor, load_variant(), match="the epoch came back as a tensor")

    def save_in_parts(path, model, optimizer, scheduler, epoch):  # a flat dict of the three states, the epoch aside
        state = {f"model.{k}": v for k, v in model.state_dict().items()}
        torch.save({"model_state": state, "opt": optimizer.state_dict(), "sched": scheduler.state_dict(),
                    "epochs_done": int(epoch)}, path)

    def load_in_parts(path, model, optimizer, scheduler):
        saved = torch.load(path, weights_only=True)
        model.load_state_dict({k.removeprefix("model."): v for k, v in saved["model_state"].items()})
        optimizer.load_state_dict(saved["opt"])
        scheduler.load_state_dict(saved["sched"])
        return saved["epochs_done"]

    assert check.checkpoint(save_in_parts, load_in_parts)
