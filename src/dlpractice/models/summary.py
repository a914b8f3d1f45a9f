"""What each layer of a model does to the shape of its input: a table to read next to the model's definition."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from dlpractice.course.report import table


def layer_shapes(model: nn.Module, x: Tensor) -> list[tuple[str, tuple[int, ...], int]]:
    """(name, output shape without the batch axis, parameters) of each leaf layer, in the order they run on x."""
    rows: list[tuple[str, tuple[int, ...], int]] = []

    def record(name: str):
        def hook(module: nn.Module, inputs: tuple, output: Tensor) -> None:
            rows.append((f"{name} ({type(module).__name__})", tuple(output.shape[1:]),
                         sum(p.numel() for p in module.parameters())))
        return hook

    leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
    hooks = [m.register_forward_hook(record(name)) for name, m in leaves]
    was_training = model.training
    try:
        with torch.no_grad():
            model.eval()(x)  # eval: batch norm must not update its running statistics here
    finally:
        model.train(was_training)
        for handle in hooks:
            handle.remove()
    return rows


def layer_table(model: nn.Module, x: Tensor) -> str:
    """`layer_shapes` as a Markdown table, the input first."""
    rows = [("input", tuple(x.shape[1:]), "")]
    for name, shape, params in layer_shapes(model, x):
        rows.append((name, shape, f"{params:,}"))
    return table(("layer", "output shape", "parameters"), rows)
