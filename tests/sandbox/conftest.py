"""Fixtures for the sandbox tests: plain and signed-in (`signed`) httpx clients on the reset portal."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector.sandbox.server import SandboxServer
from tests.sandbox.helpers import sign_in


@pytest.fixture
def client(sandbox_fresh: SandboxServer) -> Iterator[httpx.Client]:
    """A plain client on the freshly reset sandbox (not signed in)."""
    with httpx.Client(base_url=sandbox_fresh.base_url, timeout=10) as plain:
        yield plain


@pytest.fixture
def signed(sandbox_fresh: SandboxServer) -> Iterator[httpx.Client]:
    """A client signed in to the freshly reset sandbox (announcement off)."""
    sandbox_fresh.set_fault("announcement", 0)
    with httpx.Client(base_url=sandbox_fresh.base_url, timeout=10) as signed:
        done = sign_in(signed, sandbox_fresh)
        assert done.status_code == 303 and done.headers["location"] == "/dashboard"
        yield signed
