"""Every data test runs offline."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test here runs offline and ignores the user's $DLPRACTICE_DATA, so nothing is fetched or read from elsewhere."""
    monkeypatch.setenv("DLPRACTICE_OFFLINE", "1")
    monkeypatch.delenv("DLPRACTICE_DATA", raising=False)
