"""Lab 04 checks: the reference and another correct answer pass; classic wrong answers fail with the right hint; a stub is 'not attempted'."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from lightning.pytorch.callbacks import EarlyStopping as LightningEarlyStopping
from torch import nn
from torchvision.transforms import v2

from dlpractice.checks import lab04 as check
from dlpractice.training import regularizers
from dlpractice.vision.augmentation import random_shift
from support.exercise_checks import fails


def test_a_stub_class_is_not_attempted():
    class EarlyStopping:
        def __init__(self, patience):
            raise NotImplementedError("exercise: write your answer here")

    assert check.early_stopping(EarlyStopping) is False


def test_checks_leave_the_notebooks_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.randn(3)
    torch.manual_seed(5)
    check.dropout(lambda x, p, training: regularizers.dropout(x, p, training))
    check.random_shift(random_shift)
    assert torch.equal(torch.randn(3), expected)


# ---------------------------------------------------------------- dropout

def test_dropout():
    assert check.dropout(lambda x, p, training: regularizers.dropout(x, p, training))
    assert check.dropout(lambda x, p, training: F.dropout(x, p, training))  # PyTorch's own

    def bernoulli_keep(x, p, training):
        if not training:
            return x
        if p == 1:
            return x * 0
        return x * torch.bernoulli(torch.full_like(x, 1 - p)) / (1 - p)

    assert check.dropout(bernoulli_keep)

    def numpy_float64_inside(x, p, training):  # another correct answer: NumPy arithmetic in float64 inside
        if not training or p == 0:
            return x.clone()
        keep = torch.from_numpy(torch.rand(x.shape, dtype=torch.float64).numpy() >= p)
        return torch.where(keep, x.double() / (1 - p), 0.0).to(x.dtype) if p < 1 else torch.zeros_like(x)

    assert check.dropout(numpy_float64_inside)

    def nan_at_one(x, p, training):  # x * 0 / 0 at p = 1
        return x * (torch.rand_like(x) >= p) / (1 - p) if training else x

    fails(check.dropout, nan_at_one, match="p=1.*got nan")

    def fixed_count_per_row(x, p, training):  # exactly round(p * n) entries of every row: right on average only
        if not training or p in (0, 1) or x.dim() < 2:
            return regularizers.dropout(x, p, training)
        flat = x.flatten(1)
        order = torch.rand_like(flat).argsort(dim=1)
        keep = order >= round(p * flat.shape[1])
        return (flat * keep / (1 - p)).reshape(x.shape)

    fails(check.dropout, fixed_count_per_row, match="too even")
    fails(check.dropout, lambda x, p, training: regularizers.dropout(x.float(), p, training),
          match="float64 expected, float32 out")

    def mask(x, p):
        return (torch.rand_like(x) >= p).float()

    fails(check.dropout, lambda x, p, training: x * mask(x, p) if training else x, match="kept entries are unchanged")
    fails(check.dropout, lambda x, p, training: x * mask(x, p) / (1 - p), match="dropped entries in evaluation mode")
    fails(check.dropout, lambda x, p, training: x * mask(x, p) / p if training else x, match="divided by p")
    fails(check.dropout, lambda x, p, training: x * mask(x, p) * p if training else x, match="multiplied by p")
    fails(check.dropout, lambda x, p, training: x * (torch.rand_like(x) < p) / (1 - p) if training else x,
          match="probability of dropping an entry, not of keeping")
    fails(check.dropout, lambda x, p, training: x * mask(x, p) / (1 - p) if training else x * (1 - p),
          match="return x unchanged")

    def whole_rows(x, p, training):
        if not training:
            return x
        return x * (torch.rand(x.shape[0], *[1] * (x.dim() - 1)) >= p) / (1 - p)

    fails(check.dropout, whole_rows, match="whole rows")

    def in_place(x, p, training):
        if training:
            x[torch.rand_like(x) < p] = 0
            x /= 1 - p
        return x

    fails(check.dropout, in_place, match="changed `x` in place")

    def reseeded(x, p, training):
        torch.manual_seed(0)
        return regularizers.dropout(x, p, training)

    fails(check.dropout, reseeded, match="the same mask on every call")

    def private_generator(x, p, training):  # a generator of its own, seeded once: the same mask every call
        gen = torch.Generator().manual_seed(1234)
        if not training or p in (0, 1):
            return regularizers.dropout(x, p, training)
        return x * (torch.rand(x.shape, generator=gen) >= p) / (1 - p)

    fails(check.dropout, private_generator, match="the same mask on every call")

    def generator_made_once(x, p, training, gen=torch.Generator().manual_seed(0)):  # fresh masks, deaf to the seed
        if not training or p in (0, 1):
            return regularizers.dropout(x, p, training)
        return x * (torch.rand(x.shape, generator=gen) >= p) / (1 - p)

    fails(check.dropout, generator_made_once, match="the same torch.manual_seed gave different masks")

    def exactly_p_of_the_entries(x, p, training):  # round(p · n) entries every call: right on average only
        if not training or p in (0, 1):
            return regularizers.dropout(x, p, training)
        dropped = torch.randperm(x.numel())[:round(p * x.numel())]
        keep = torch.ones(x.numel())
        keep[dropped] = 0
        return x * keep.reshape(x.shape) / (1 - p)

    fails(check.dropout, exactly_p_of_the_entries, match="too even")
    fails(check.dropout, lambda x, p, training: regularizers.dropout(x, p, training).detach(), match="cut off from the graph")


def test_library_dropout_matches_nn_dropout_statistically():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(400, 500, generator=gen) + 0.5
    for p in (0.1, 0.5, 0.9):
        mine = regularizers.dropout(x, p, True, generator=gen)
        theirs = nn.Dropout(p).train()(x)
        for out in (mine, theirs):
            assert (out == 0).float().mean().item() == pytest.approx(p, abs=0.01)
            assert out.mean().item() == pytest.approx(x.mean().item(), rel=0.02)
            assert torch.allclose(out[out != 0], (x / (1 - p))[out != 0])
    assert regularizers.dropout(x, 0.5, False) is x
    assert torch.equal(nn.Dropout(0.5).eval()(x), x)
    assert torch.equal(regularizers.dropout(x, 1.0, True), torch.zeros_like(x))  # nn.Dropout(1.0) too, never NaN
    assert torch.equal(nn.Dropout(1.0).train()(x), torch.zeros_like(x))
    with pytest.raises(ValueError, match="p must be in"):
        regularizers.dropout(x, 1.5, True)


# ---------------------------------------------------------------- batch normalisation

def reference_bn(x, gamma, beta, running_mean, running_var, momentum, eps):
    return regularizers.batch_norm_train(x, gamma, beta, running_mean, running_var, momentum, eps)


def test_batch_norm_train():
    assert check.batch_norm_train(reference_bn)

    def float32_inside(x, gamma, beta, running_mean, running_var, momentum, eps):  # cast back, but 7 digits lost
        y, mean, var = reference_bn(x.float(), gamma.float(), beta.float(), running_mean.float(), running_var.float(),
                                    momentum, eps)
        return y.to(x.dtype), mean.to(x.dtype), var.to(x.dtype)

    fails(check.batch_norm_train, float32_inside, match="float64, batch of 8")

    def with_functional(x, gamma, beta, running_mean, running_var, momentum, eps):
        # F.batch_norm updates the running statistics in place
        y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum=momentum, eps=eps)
        return y, running_mean, running_var

    assert check.batch_norm_train(with_functional)

    def by_hand(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, unbiased_norm=False, use_eps=True,
                dim=0, keras=False, biased_running=False):
        mean = x.mean(dim=dim, keepdim=True)
        var = x.var(dim=dim, keepdim=True, correction=1 if unbiased_norm else 0)
        y = gamma * (x - mean) / torch.sqrt(var + (eps if use_eps else 0)) + beta
        batch_mean, batch_var = x.mean(dim=0), x.var(dim=0, correction=0 if biased_running else 1)
        w_new = 1 - momentum if keras else momentum
        return y, (1 - w_new) * running_mean + w_new * batch_mean, (1 - w_new) * running_var + w_new * batch_var

    assert check.batch_norm_train(by_hand)
    fails(check.batch_norm_train, lambda *a: by_hand(*a, unbiased_norm=True), match="unbiased variance")
    fails(check.batch_norm_train, lambda *a: by_hand(*a, use_eps=False), match="eps is missing")
    fails(check.batch_norm_train, lambda *a: by_hand(*a, dim=1), match="normalised each row")
    fails(check.batch_norm_train, lambda *a: by_hand(*a, keras=True), match="weight of the \\*new\\* batch")
    fails(check.batch_norm_train, lambda *a: by_hand(*a, biased_running=True), match="running variance uses the unbiased")

    def no_affine(x, gamma, beta, *rest):
        y, m, v = by_hand(x, gamma, beta, *rest)
        return (y - beta) / gamma, m, v

    fails(check.batch_norm_train, no_affine, match="scale by gamma and shift by beta")
    fails(check.batch_norm_train, lambda x, g, b, m, v, *rest: (by_hand(x, g, b, m, v, *rest)[0], m, v),
          match="running mean did not change")


@pytest.mark.parametrize("n, d, momentum, eps", [(4, 3, 0.1, 1e-5), (32, 16, 0.01, 1e-3), (2, 5, 0.5, 0.1)])
def test_batch_norm_by_hand_matches_nn_batchnorm1d_in_both_modes(n, d, momentum, eps):
    gen = torch.Generator().manual_seed(n)
    x = 3 * torch.randn(n, d, generator=gen) + 1
    bn = nn.BatchNorm1d(d, momentum=momentum, eps=eps)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(d, generator=gen))
        bn.bias.copy_(torch.randn(d, generator=gen))
    mean0, var0 = bn.running_mean.clone(), bn.running_var.clone()
    y, mean, var = regularizers.batch_norm_train(x, bn.weight, bn.bias, mean0, var0, momentum, eps)
    assert torch.allclose(y, bn.train()(x), atol=1e-5)
    assert torch.allclose(mean, bn.running_mean, atol=1e-6) and torch.allclose(var, bn.running_var, atol=1e-6)
    evaluated = regularizers.batch_norm_eval(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, eps)
    assert torch.allclose(evaluated, bn.eval()(x), atol=1e-5)
    assert not torch.allclose(evaluated, y, atol=1e-2)  # train and eval mode really differ
    with pytest.raises(ValueError, match="at least 2"):
        regularizers.batch_norm_train(x[:1], bn.weight, bn.bias, mean0, var0)


# ---------------------------------------------------------------- weight decay

def test_l2_penalty():
    assert check.l2_penalty(regularizers.l2_penalty)
    assert check.l2_penalty(lambda model, wd: 0.5 * wd * torch.cat([p.flatten() for p in model.parameters()]).pow(2).sum())
    fails(check.l2_penalty, lambda model, wd: wd * sum((p**2).sum() for p in model.parameters()), match="twice the right value")
    fails(check.l2_penalty, lambda model, wd: wd / 2 * sum((p**2).sum() for n, p in model.named_parameters() if "bias" not in n),
          match="biases")
    fails(check.l2_penalty, lambda model, wd: wd / 2 * sum(p.norm() for p in model.parameters()), match="square the norms")
    fails(check.l2_penalty, lambda model, wd: regularizers.l2_penalty(model, wd).item(), match="a Python number carries no gradient")
    fails(check.l2_penalty, lambda model, wd: regularizers.l2_penalty(model, wd).detach(), match="no gradient flows")

    def top_level_only(model, wd):  # model.children() misses layers nested inside a Sequential
        layers = [model] if not list(model.children()) else list(model.children())
        return wd / 2 * sum((p ** 2).sum() for m in layers for p in m.parameters(recurse=False))

    fails(check.l2_penalty, top_level_only, match="nested")

    def loop_in_float64(model, wd):  # another correct answer: a loop, each term in float64, back to the model's dtype
        total = torch.zeros((), dtype=torch.float64)
        for p in model.parameters():
            total = total + (p.double() ** 2).sum()
        return (wd / 2 * total).float()

    assert check.l2_penalty(loop_in_float64)


def test_l2_penalty_with_sgd_is_weight_decay_but_with_adam_it_is_not_adamw():
    torch.manual_seed(0)
    x, y = torch.randn(16, 4), torch.randn(16, 1)
    results = {}
    for name, make, penalised in [("sgd+l2", lambda p: torch.optim.SGD(p, lr=0.1), True),
                                  ("sgd(wd)", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.1), False),
                                  ("adam+l2", lambda p: torch.optim.Adam(p, lr=0.1), True),
                                  ("adam(wd)", lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.1), False),
                                  ("adamw", lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1), False)]:
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        optimizer = make(model.parameters())
        for _ in range(5):
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y) + (regularizers.l2_penalty(model, 0.1) if penalised else 0)
            loss.backward()
            optimizer.step()
        results[name] = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert torch.allclose(results["sgd+l2"], results["sgd(wd)"], atol=1e-6)
    assert torch.allclose(results["adam+l2"], results["adam(wd)"], atol=1e-6)  # Adam's weight_decay is the L2 term
    assert not torch.allclose(results["adam+l2"], results["adamw"], atol=1e-3)  # AdamW's decay is decoupled


# ---------------------------------------------------------------- augmentation

def test_random_shift():
    assert check.random_shift(random_shift)

    def torchvision_crop(images, max_shift):  # the library, image by image
        crop = v2.RandomCrop(tuple(images.shape[-2:]), padding=max_shift)
        return torch.stack([crop(image) for image in images])

    assert check.random_shift(torchvision_crop)

    def loop(images, s, same_for_all=False, high=None, roll=False, only_dx=False, tied=False):
        out = torch.empty_like(images)
        h, w = images.shape[-2:]
        padded = F.pad(images, (s, s, s, s))
        shared = torch.randint(0, 2 * s + 1, (2,))
        for i in range(len(images)):
            dy, dx = shared if same_for_all else torch.randint(0, high or 2 * s + 1, (2,))
            dy = s if only_dx else (dx if tied else dy)
            out[i] = torch.roll(images[i], (int(dy) - s, int(dx) - s), dims=(-2, -1)) if roll else padded[i, :, dy:dy + h, dx:dx + w]
        return out

    assert check.random_shift(loop)
    fails(check.random_shift, lambda images, s: loop(images, s, roll=True), match="torch.roll wraps")
    fails(check.random_shift, lambda images, s: loop(images, s, same_for_all=True), match="moved the same way")
    fails(check.random_shift, lambda images, s: loop(images, s, high=2 * s), match="upper bound is excluded")
    fails(check.random_shift, lambda images, s: loop(images, s, only_dx=True), match="no image moved vertically")
    fails(check.random_shift, lambda images, s: loop(images, s, tied=True), match="independently")
    fails(check.random_shift, lambda images, s: F.pad(images, (s, s, s, s)), match="keep the shape")

    def mirrored(images, s):  # dx = -dy: each axis uniform on its own, the pairs are not
        out = torch.empty_like(images)
        h, w = images.shape[-2:]
        padded = F.pad(images, (s, s, s, s))
        for i in range(len(images)):
            dy = int(torch.randint(0, 2 * s + 1, ()))
            out[i] = padded[i, :, dy:dy + h, 2 * s - dy:2 * s - dy + w]
        return out

    fails(check.random_shift, mirrored, match="shift pairs are not equally likely")

    def skewed(images, s):  # shifts of 0 three times as likely as the others
        out = torch.empty_like(images)
        h, w = images.shape[-2:]
        padded = F.pad(images, (s, s, s, s))
        choices = torch.tensor(list(range(2 * s + 1)) + [s, s])
        for i in range(len(images)):
            dy, dx = (int(choices[torch.randint(len(choices), ())]) for _ in range(2))
            out[i] = padded[i, :, dy:dy + h, dx:dx + w]
        return out

    fails(check.random_shift, skewed, match="shifts are not equally likely")

    def private_seed(images, s):  # a generator of its own, seeded inside: the same shifts at every call
        return random_shift(images, s, torch.Generator().manual_seed(7))

    fails(check.random_shift, private_seed, match="the same shifts on every call")


def test_random_shift_gives_the_same_images_as_torchvision_random_crop():
    images = torch.rand(300, 1, 6, 6) + 0.1
    mine = random_shift(images, 2, torch.Generator().manual_seed(0))
    crop = v2.RandomCrop((6, 6), padding=2)
    torch.manual_seed(0)
    theirs = torch.stack([crop(image) for image in images])
    for out in (mine, theirs):
        dy, dx = check.shifts_of(out, images, 2)
        assert set(dy.tolist()) == set(dx.tolist()) == {-2, -1, 0, 1, 2}
    assert torch.equal(random_shift(images, 0), images)


# ---------------------------------------------------------------- early stopping

class Reference:
    def __init__(self, patience):
        self.patience, self.best, self.wait = patience, math.inf, 0

    def step(self, val_loss):
        if val_loss < self.best:
            self.best, self.wait = val_loss, 0
        else:
            self.wait += 1
        return self.wait >= self.patience


def test_early_stopping():
    assert check.early_stopping(Reference)

    class WithHistory:
        def __init__(self, patience):
            self.patience, self.losses = patience, []

        def step(self, val_loss):
            self.losses.append(val_loss)
            best = self.losses.index(min(self.losses))  # the first epoch with the lowest loss
            return len(self.losses) - 1 - best >= self.patience

    assert check.early_stopping(WithHistory)

    class NumpyAnswer(Reference):  # another correct answer: np.bool_, as a NumPy comparison gives
        def step(self, val_loss):
            return np.bool_(super().step(val_loss))

    assert check.early_stopping(NumpyAnswer)

    class Variant(Reference):
        strict, reset, vs_best, extra = True, True, True, 0

        def __init__(self, patience):
            super().__init__(patience)
            self.previous = math.inf

        def step(self, val_loss):
            reference = self.best if self.vs_best else self.previous
            if val_loss < reference or (not self.strict and val_loss <= reference):
                self.best, self.wait = min(self.best, val_loss), 0 if self.reset else self.wait
            else:
                self.wait += 1
            self.previous = val_loss
            return self.wait > self.patience if self.extra else self.wait >= self.patience

    fails(check.early_stopping, type("Late", (Variant,), {"extra": 1}), match="one epoch late")
    fails(check.early_stopping, type("Ties", (Variant,), {"strict": False}), match="equal to the best is no improvement")
    fails(check.early_stopping, type("NoReset", (Variant,), {"reset": False}), match="reset the count")
    fails(check.early_stopping, type("Previous", (Variant,), {"vs_best": False}), match="not with the previous epoch")

    class ReturnsNone(Reference):
        def step(self, val_loss):
            super().step(val_loss)

    fails(check.early_stopping, ReturnsNone, match="expected True or False")


@pytest.mark.parametrize("case, losses, patience", check.STOPPING_CASES, ids=[c[0] for c in check.STOPPING_CASES])
def test_the_checks_stopping_rule_is_lightnings(case, losses, patience):
    lightning = LightningEarlyStopping(monitor="val_loss", mode="min", patience=patience)
    stopped = None
    for epoch, loss in enumerate(losses):
        if lightning._evaluate_stopping_criteria(torch.tensor(loss, dtype=torch.float64))[0]:
            stopped = epoch
            break
    assert stopped == check.stop_epoch(losses, patience)
