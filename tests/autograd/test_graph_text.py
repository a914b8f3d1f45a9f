"""The text picture of autograd's graph (used in notebook 01 when torchviz or Graphviz is missing)."""

import torch

from dlpractice.autograd import graph_text


def test_a_small_graph_reads_from_the_output_down_to_named_leaves():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    out = (a * b).sum()
    assert graph_text.render(out, {"a": a, "b": b}) == (
        "SumBackward0\n"
        "└─ MulBackward0\n"
        "   ├─ a () → a.grad\n"
        "   └─ b (2,) → b.grad"
    )


def test_a_value_used_twice_is_expanded_once_and_unnamed_leaves_say_leaf():
    a = torch.tensor(3.0, requires_grad=True)
    c = torch.tensor(1.0)  # no requires_grad: not part of the graph
    h = a * a
    out = h + h * c
    lines = graph_text.render(out).splitlines()
    assert lines[0] == "AddBackward0"
    assert sum("MulBackward0" in line and "(see above)" not in line for line in lines) == 2  # h, and h * c
    assert sum("(see above)" in line for line in lines) >= 1
    assert all("leaf () → leaf.grad" in line for line in lines if "leaf" in line)


def test_tensors_without_a_graph_say_why():
    leaf = torch.ones(2, requires_grad=True)
    assert "no graph yet" in graph_text.render(leaf)
    with torch.no_grad():
        assert "does not require grad" in graph_text.render(leaf * 2)
    assert "does not require grad" in graph_text.render(torch.ones(2) * 2)


def test_torchviz_available_is_a_bool():
    assert graph_text.torchviz_available() in (True, False)
