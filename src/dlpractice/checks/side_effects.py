"""What an answer must leave alone: its inputs, PyTorch's global state, the models it is given, and the memory of what
it returns.

`checks.core.attempt` calls every answer inside `watched`, so every check of every lab gets these properties without
listing mistakes: an answer that sorts `y_pred` in place, returns a view of its input, switches gradient tracking off
with `torch.set_grad_enabled(False)`, leaves a model in eval mode or a hook attached (also when it raises), or
returns a tensor still attached to the autograd graph where plain values are asked for, fails with a hint that
names what it did. Whatever it left behind is put back first, so that the rest of the notebook runs as before.

A check says what its exercise may change (`changes=`: a model it trains, an optimizer it steps) and what else the
text asks (`plain=True`: results without autograd history; `keeps_rng=True`: the global random state untouched;
`fresh=True`: a result that shares no memory with the inputs).
NumPy-only answers never pay for torch: tensors are looked for only when torch is already imported.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


class SideEffect(AssertionError):
    """What an answer did that it should not have (raised by `watched`, turned into a CheckFailed by `attempt`)."""


def torch_if_loaded() -> Any:
    return sys.modules.get("torch")


def is_tensor(value: Any) -> bool:
    torch = torch_if_loaded()
    return torch is not None and isinstance(value, torch.Tensor)


def is_module(value: Any) -> bool:
    torch = torch_if_loaded()
    return torch is not None and isinstance(value, torch.nn.Module)


def leaves(value: Any) -> Iterator[Any]:
    """The arrays and tensors in a value, looking inside lists, tuples and dicts."""
    if isinstance(value, np.ndarray) or is_tensor(value):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)


def copy_of(value: Any) -> Any:
    """A copy of the arrays and tensors in `value` (same structure) to compare with after the call."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if is_tensor(value):
        return value.detach().clone()
    if isinstance(value, (list, tuple)):
        return [copy_of(item) for item in value]
    if isinstance(value, dict):
        return {k: copy_of(item) for k, item in value.items()}
    return None


def same(before: Any, after: Any) -> bool:
    """Same arrays and tensors as the copy: dtype, shape and values (NaN equal to NaN)."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.dtype == after.dtype and before.shape == after.shape
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    if is_tensor(before):
        torch = torch_if_loaded()
        return (is_tensor(after) and before.dtype == after.dtype and before.shape == after.shape
                and bool(torch.equal(torch.nan_to_num(before), torch.nan_to_num(after.detach())))
                if before.is_floating_point() else
                is_tensor(after) and before.dtype == after.dtype and bool(torch.equal(before, after.detach())))
    if isinstance(before, list):
        return isinstance(after, (list, tuple)) and len(before) == len(after) and all(map(same, before, after))
    if isinstance(before, dict):
        return (isinstance(after, dict) and before.keys() == after.keys()
                and all(same(before[k], after[k]) for k in before))
    return True


def shares_memory(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return bool(np.shares_memory(a, b))
    if is_tensor(a) and is_tensor(b):
        if a.numel() == 0 or b.numel() == 0 or a.device != b.device:
            return False
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    if is_tensor(a) != is_tensor(b):  # torch.from_numpy / .numpy() share memory with the other kind
        array, tensor = (a, b) if isinstance(a, np.ndarray) else (b, a)
        return (isinstance(array, np.ndarray) and tensor.device.type == "cpu"
                and bool(np.shares_memory(array, tensor.detach().numpy())))
    return False


@dataclass
class ModuleState:
    """What a model an answer is given (but does not train) must look like afterwards."""

    modes: list[bool]
    weights: dict[str, Any]
    hooks: list[set[int]] = field(default_factory=list)

    @classmethod
    def of(cls, model: Any) -> ModuleState:
        return cls(
            modes=[m.training for m in model.modules()],
            weights={k: v.detach().clone() for k, v in model.state_dict().items()},
            hooks=hooks_of(model),
        )


def hooks_of(model: Any) -> list[set[int]]:
    return [set(getattr(m, name, {})) for m in model.modules() for name in HOOK_DICTS]


def remove_new_hooks(model: Any, before: list[set[int]]) -> int:
    """Detach the hooks added since `before`; returns how many there were."""
    removed = 0
    pairs = [(m, name) for m in model.modules() for name in HOOK_DICTS]
    for (module, name), old in zip(pairs, before):
        hooks = getattr(module, name, None)
        if hooks is None:
            continue
        for key in [k for k in hooks if k not in old]:
            del hooks[key]
            removed += 1
    return removed


def global_state() -> dict[str, Any]:
    torch = torch_if_loaded()
    if torch is None:
        return {}
    return {
        "gradient tracking": torch.is_grad_enabled(),
        "the default dtype": torch.get_default_dtype(),
        "deterministic algorithms": torch.are_deterministic_algorithms_enabled(),
    }


def restore(state: dict[str, Any]) -> None:
    torch = torch_if_loaded()
    if not state:
        return
    torch.set_grad_enabled(state["gradient tracking"])
    torch.set_default_dtype(state["the default dtype"])
    torch.use_deterministic_algorithms(state["deterministic algorithms"])


def random_state() -> tuple[Any, Any]:
    """NumPy's legacy global generator (its key array, position and cached Gaussian) and torch's CPU generator."""
    torch = torch_if_loaded()
    _, key, position, has_gauss, gauss = np.random.get_state()
    return (key.copy(), position, has_gauss, gauss), (torch.get_rng_state() if torch is not None else None)


def argument_names(fn: Callable, args: tuple, kwargs: dict) -> dict[Any, str]:
    """Position or keyword -> the name the student's function gives it (`argument 2` if it cannot be read)."""
    names: dict[Any, str] = {i: f"argument {i + 1}" for i in range(len(args))}
    names.update({k: k for k in kwargs})
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return names
    for i, parameter in enumerate(parameters[: len(args)]):
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            names[i] = parameter.name
    return names


@contextmanager
def watched(fn: Callable, args: tuple, kwargs: dict, changes: tuple = (), keeps_rng: bool = False,
            fresh: bool = False) -> Iterator[list]:
    """Run the body (the call of `fn(*args, **kwargs)`), then raise SideEffect naming the first thing it changed.

    Checked also when the body raises: a hook left behind by a forward pass that failed is still left behind.
    Yields a list the caller appends the answer's result to; with `fresh=True` no array or tensor in it may share
    memory with an input (where the text asks for a new tensor: a view such as `x.permute(...)` is often right).
    """
    names = argument_names(fn, args, kwargs)
    given = {**dict(enumerate(args)), **kwargs}
    copies = {key: copy_of(value) for key, value in given.items() if key not in changes and not is_module(value)}
    models = {key: ModuleState.of(value) for key, value in given.items() if is_module(value)}
    state, rng = global_state(), random_state() if keeps_rng else None
    result: list = []
    problem = None
    try:
        yield result
    finally:
        now = global_state()
        for what, value in state.items():
            if now[what] != value and problem is None:
                problem = (f"your code changed {what} ({value} before, {now[what]} after) and left it so; "
                           "change it only inside a `with` block (e.g. `with torch.no_grad():`)")
        restore(state)
        for key, before in models.items():
            removed = remove_new_hooks(given[key], before.hooks)
            if removed and problem is None:
                problem = (f"your code left {removed} hook(s) attached to `{names[key]}`; remove each with its "
                           "handle (`handle.remove()`), in a `finally:` block so that it also happens on an error")
        if rng is not None and problem is None:
            after = random_state()
            numpy_moved = not np.array_equal(rng[0][0], after[0][0]) or rng[0][1:] != after[0][1:]
            if numpy_moved or (rng[1] is not None and not rng[1].equal(after[1])):
                problem = "your code used or reseeded the global random generator; this exercise must leave it alone"
        if problem is not None:
            raise SideEffect(problem)
    for key, before in copies.items():
        if not same(before, given[key]):
            raise SideEffect(f"your answer changed `{names[key]}` in place; leave its inputs as they are (work on a "
                             "copy: `.clone()` for a tensor, `.copy()` for an array, or use out-of-place operations)")
    for key, before in models.items():
        model = given[key]
        if key not in changes:
            modes = [m.training for m in model.modules()]
            if modes != before.modes:
                changed = next(now for now, then in zip(modes, before.modes) if now != then)
                mode = "training" if changed else "evaluation"
                raise SideEffect(f"your answer left `{names[key]}` (or one of its layers) in {mode} mode; put it back "
                                 "in the mode it had (`was_training = model.training` ... `model.train(was_training)`)")
            weights = model.state_dict()
            if any(not same(v, weights.get(k)) for k, v in before.weights.items()):
                raise SideEffect(f"your answer changed the weights (or buffers, such as batch-norm statistics) of "
                                 f"`{names[key]}`; this exercise only reads the model")
    for output in (leaf for value in result for leaf in leaves(value) if fresh):
        for key, value in given.items():
            if key not in changes and any(shares_memory(output, arg) for arg in leaves(value)):
                raise SideEffect(f"your result shares memory with `{names[key]}` (it is a view of it, or the same "
                                 "object): return a new tensor or array (`.clone()`, `.copy()`)")


def attached(result: Any) -> bool:
    """True if a tensor in the result still carries autograd history (requires_grad)."""
    return any(is_tensor(leaf) and leaf.requires_grad for leaf in leaves(result))
