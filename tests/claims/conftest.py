"""Claims pipeline fixtures: a private SQLite store for control numbers."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite database for one test (control numbers start from scratch)."""
    return f"sqlite:///{tmp_path / 'connector.db'}"
