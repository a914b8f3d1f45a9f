"""Fixtures of the explanation tests: one thread per test module, and a small CNN trained once on sklearn's digits
(shared by every module that needs a trained model; no test changes it)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from support.explain_models import TinyCNN, one_thread


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    """Every test here runs with one intra-op thread (see explain_models.one_thread)."""
    with one_thread():
        yield


@pytest.fixture(scope="session")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's 1,797 digits as images (N, 1, 8, 8) in [0, 1] and labels."""
    data = load_digits()
    return torch.tensor(data.images / 16.0, dtype=torch.float32).unsqueeze(1), torch.tensor(data.target)


@pytest.fixture(scope="session")
def trained(digits: tuple[torch.Tensor, torch.Tensor]) -> TinyCNN:
    """A TinyCNN trained for 8 epochs on the digits (over 90% training accuracy; about 2 s), in evaluation mode."""
    images, labels = digits
    torch.manual_seed(0)
    model = TinyCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    with one_thread():  # as in the tests (a session fixture is built before single_thread)
        for _ in range(8):
            for batch in torch.randperm(len(images)).split(128):
                optimizer.zero_grad()
                F.cross_entropy(model(images[batch]), labels[batch]).backward()
                optimizer.step()
    model.eval()
    model.zero_grad(set_to_none=True)
    with torch.no_grad():
        accuracy = (model(images).argmax(1) == labels).float().mean().item()
    assert accuracy > 0.9, accuracy
    return model
