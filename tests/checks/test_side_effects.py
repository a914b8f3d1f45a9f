"""`checks.side_effects` through `attempt`: each property every answer is held to, with an answer that breaks it
(rejected, with a hint naming what it did, and the damage undone) and one that keeps it (accepted)."""

import numpy as np
import pytest
import torch
from torch import nn

from dlpractice.checks.core import CheckFailed, attempt


def rejected(fn, *args, match, **kwargs):
    with pytest.raises(CheckFailed, match=match):
        attempt(fn, *args, case="c", **kwargs)


def sort_in_place(y_pred):
    y_pred.sort()
    return y_pred


def test_an_input_changed_in_place_is_named():
    rejected(sort_in_place, np.array([3.0, 1.0, 2.0]), match="changed `y_pred` in place")
    rejected(lambda x: x.add_(1), torch.ones(3), match="changed `x` in place")
    rejected(lambda xs: xs[0].mul_(2), [torch.ones(2), torch.ones(2)], match="changed `xs` in place")
    rejected(lambda x: x.__setitem__(0, np.nan) or 0, np.ones(2), match="in place")  # NaN written in place
    assert attempt(lambda y_pred: np.sort(y_pred), np.array([3.0, 1.0]), case="c").tolist() == [1.0, 3.0]
    assert attempt(lambda x: x.add_(1), torch.ones(1), case="c", changes=(0,)).item() == 2.0  # allowed by the text


def test_a_changed_dtype_counts_as_a_change():
    rejected(lambda d: d.update(x=d["x"].float()) or 0, {"x": torch.ones(2, dtype=torch.float64)}, match="in place")


def test_gradient_tracking_switched_off_is_named_and_switched_back_on():
    def no_grad_forever(x):
        torch.set_grad_enabled(False)
        return x * 2

    rejected(no_grad_forever, torch.ones(2), match="changed gradient tracking")
    assert torch.is_grad_enabled()

    def properly(x):
        with torch.no_grad():
            return x * 2

    attempt(properly, torch.ones(2), case="c")


def test_a_default_dtype_changed_is_put_back():
    rejected(lambda: torch.set_default_dtype(torch.float64), match="the default dtype")
    assert torch.get_default_dtype() == torch.float32


def test_a_model_left_in_another_mode_is_named_but_a_mode_put_back_passes():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))

    def evaluate_and_forget(model, x):
        model.eval()
        return model(x)

    rejected(evaluate_and_forget, model, torch.ones(1, 2), match="left `model` .* in evaluation mode")

    def evaluate_politely(model, x):
        was_training = model.training
        model.eval()
        try:
            return model(x).detach()
        finally:
            model.train(was_training)

    attempt(evaluate_politely, model, torch.ones(1, 2), case="c")
    attempt(evaluate_and_forget, model.train(), torch.ones(1, 2), case="c", changes=(0,))  # a train step may


def test_weights_or_buffers_changed_by_a_reading_exercise_are_named():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    rejected(lambda model, x: model(x), model, torch.randn(4, 2), match="changed the weights .*batch-norm")


def test_a_hook_left_attached_is_removed_and_named_also_when_the_forward_pass_raises():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

    def leaky_hook(model, x):
        model[0].register_forward_hook(lambda module, inputs, output: None)
        return model(x)  # raises: x has the wrong width, and the hook stays behind

    rejected(leaky_hook, model, torch.ones(1, 3), match="left 1 hook.* attached to `model`.*finally")
    assert not model[0]._forward_hooks  # taken off again

    def tidy_hook(model, x):
        handle = model[0].register_forward_hook(lambda module, inputs, output: None)
        try:
            return model(x)
        finally:
            handle.remove()

    rejected(tidy_hook, model, torch.ones(1, 3), match="raised RuntimeError")  # its own error, no hook complaint


def test_plain_results_must_not_carry_autograd_history():
    w = torch.ones(2, requires_grad=True)
    rejected(lambda w: w * 2, w, plain=True, match="attached to the autograd graph")
    attempt(lambda w: (w * 2).detach(), w, case="c", plain=True)


def test_the_global_random_state_where_the_text_forbids_touching_it():
    torch.manual_seed(1)
    torch.rand(1)  # a state that reseeding with 0 changes, whatever ran before
    rejected(lambda: torch.manual_seed(0) and 0, keeps_rng=True, match="global random generator")
    rejected(lambda: np.random.rand(), keeps_rng=True, match="global random generator")
    attempt(lambda: np.random.default_rng(0).random(), case="c", keeps_rng=True)


def test_fresh_results_must_not_share_memory_with_an_input():
    x = torch.arange(6.0).reshape(2, 3)
    rejected(lambda x: x.t(), x, fresh=True, match="shares memory with `x`")
    rejected(lambda a: a, np.ones(3), fresh=True, match="shares memory")
    rejected(lambda a: torch.from_numpy(a), np.ones(3), fresh=True, match="shares memory")
    attempt(lambda x: x.t().clone(), x, case="c", fresh=True)
    assert attempt(lambda x: x.t(), x, case="c").shape == (3, 2)  # a view is fine unless the text says otherwise
