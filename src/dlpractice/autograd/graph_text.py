"""A text picture of autograd's computational graph, for machines without torchviz or Graphviz (lab 01).

Every tensor computed from tensors that require grad remembers the operation that made it in
`grad_fn`; each such node lists its inputs' nodes in `next_functions`. Walking them from the loss
down to the leaves (`AccumulateGrad` nodes, which write into `leaf.grad`) is exactly the path that
`loss.backward()` follows.
"""

from __future__ import annotations

import importlib.util
import shutil
from typing import Any

from torch import Tensor


def torchviz_available() -> bool:
    """True when torchviz is installed and Graphviz's `dot` program is on PATH (torchviz needs both)."""
    return importlib.util.find_spec("torchviz") is not None and shutil.which("dot") is not None


def render(output: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """The backward graph of `output` as an indented tree, one node per line, from `output` to the leaves.

    `names` maps a name to a leaf tensor (as torchviz's `make_dot(params=...)` does) so that leaves
    read `w1 (3, 16)` rather than `leaf (3, 16)`. A node reached a second time (a value used twice) is
    written again with "(see above)" and not expanded, so the picture stays as small as the graph.
    """
    if output.grad_fn is None:
        if output.requires_grad:
            return f"leaf tensor {tuple(output.shape)}: nothing has been computed from it, so there is no graph yet"
        return ("no graph: this tensor does not require grad (was it computed under torch.no_grad(), "
                "after .detach(), or only from tensors without requires_grad=True?)")
    label_of = {id(tensor): name for name, tensor in (names or {}).items()}
    lines = [label(output.grad_fn, label_of)]
    seen = {output.grad_fn}

    def walk(node: Any, prefix: str) -> None:
        children = [child for child, _ in getattr(node, "next_functions", ()) if child is not None]
        for i, child in enumerate(children):
            last = i == len(children) - 1
            repeated = child in seen
            lines.append(prefix + ("└─ " if last else "├─ ") + label(child, label_of) + ("  (see above)" if repeated else ""))
            if not repeated:
                seen.add(child)
                walk(child, prefix + ("   " if last else "│  "))

    walk(output.grad_fn, "")
    return "\n".join(lines)


def label(node: Any, label_of: dict[int, str]) -> str:
    """`MulBackward0` for an operation; `name (shape) → name.grad` for a leaf."""
    variable = getattr(node, "variable", None)  # only AccumulateGrad nodes have one: the leaf tensor
    if variable is None:
        return type(node).__name__
    name = label_of.get(id(variable), "leaf")
    return f"{name} {tuple(variable.shape)} → {name}.grad"
