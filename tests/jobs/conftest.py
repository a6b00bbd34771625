"""Jobs test fixtures: the shared sandbox without its announcement modal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def sbx(sandbox_fresh: Any) -> Iterator[Any]:
    """The freshly reset shared sandbox, announcement modal off; payments a test changes are restored."""
    sandbox_fresh.set_fault("announcement", 0)
    cache: dict[tuple[str, str], Any] = sandbox_fresh.app.state.file_cache
    payments = list(sandbox_fresh.data.payments)
    yield sandbox_fresh
    sandbox_fresh.data.payments[:] = payments
    cache.clear()
