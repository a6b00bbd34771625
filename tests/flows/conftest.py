"""A PortalPage on the shared sandbox, in each UI variant (the session's Chromium is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext
from pydantic import SecretStr

from connector.browser import TotpSource
from connector.selectormap import load_map
from flows.portal import PortalPage
from flows.signin import sign_in


@dataclass
class Portal:
    """A PortalPage on the shared sandbox plus what tests need around it."""

    page: PortalPage
    sandbox: Any
    variant: str
    screenshots: Path

    async def sign_in(self, totp: TotpSource | None = None) -> None:
        """Sign in with the sandbox's credentials (a fresh TotpSource: reset() cleared used codes)."""
        source = totp or TotpSource(self.sandbox.totp_secret)
        await sign_in(self.page, self.sandbox.username, SecretStr(self.sandbox.password), source)


@pytest.fixture(params=["v1", "v2"])
def variant(request: pytest.FixtureRequest) -> str:
    """Run the test on both UI variants (v2 must pass by selector map alone)."""
    return str(request.param)


@pytest.fixture
async def portal(
    sandbox_fresh: Any, context: BrowserContext, variant: str, tmp_path: Path
) -> AsyncIterator[Portal]:
    """A fresh page on the reset sandbox in the requested UI variant (announcement off unless set)."""
    sandbox_fresh.set_variant(variant)
    sandbox_fresh.set_fault("announcement", 0)
    page = await context.new_page()
    shots = tmp_path / "screenshots"
    smap = load_map(f"sandbox-{variant}")
    yield Portal(
        PortalPage(context, page, smap, sandbox_fresh.base_url, shots), sandbox_fresh, variant, shots
    )
