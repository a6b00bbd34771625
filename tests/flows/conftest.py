"""One Chromium per test session (through connector.browser), a fresh context per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import BrowserContext

from connector.browser import BrowserSession
from connector.errors import BrowserError
from tests.conftest import skip_or_fail


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[BrowserSession]:
    """The test session's only Chromium."""
    session = BrowserSession()
    try:
        await session.start()
    except BrowserError as exc:
        skip_or_fail(f"Chromium unavailable: {exc}")
    yield session
    await session.close()


@pytest.fixture
async def context(browser: BrowserSession) -> AsyncIterator[BrowserContext]:
    """A fresh browser context for one test."""
    ctx = await browser.new_context()
    yield ctx
    await ctx.close()
