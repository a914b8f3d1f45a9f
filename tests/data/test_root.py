"""Where datasets live, and whether they may be downloaded."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from dlpractice import data


def test_data_root_prefers_the_argument_then_the_environment_then_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert data.data_root() == Path(platformdirs.user_cache_dir("dlpractice"))
    monkeypatch.setenv("DLPRACTICE_DATA", str(tmp_path / "from_env"))
    assert data.data_root() == tmp_path / "from_env"
    assert data.data_root(tmp_path / "explicit") == tmp_path / "explicit"


def test_downloads_are_off_when_the_environment_says_offline_even_if_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not data.downloads_allowed(True)
    monkeypatch.delenv("DLPRACTICE_OFFLINE")
    assert data.downloads_allowed(True)
    assert not data.downloads_allowed(False)
