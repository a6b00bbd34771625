"""Launch Chromium through Playwright (async), open contexts, keep sign-in state and traces safely."""

from __future__ import annotations

import logging
import os
import time
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from connector.browser.locate import find_chromium
from connector.browser.trace_scrub import scrub_trace
from connector.errors import BrowserError
from connector.fileio import FILE_MODE, atomic_write_bytes, ensure_private_dir
from connector.logging import registered_secrets
from connector.settings import BrowserSettings

log = logging.getLogger(__name__)

LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class BrowserSession:
    """One Chromium per process: ``async with BrowserSession(settings) as b: ctx = await b.new_context()``."""

    def __init__(self, settings: BrowserSettings | None = None) -> None:
        self.settings = settings or BrowserSettings()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def __aenter__(self) -> BrowserSession:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start Playwright and launch Chromium headless with the quiet-network flags."""
        executable = find_chromium(self.settings.executable, headless=self.settings.headless)
        self._playwright = await async_playwright().start()
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=str(executable), headless=self.settings.headless, args=LAUNCH_ARGS
            )
        except Exception as exc:
            await self._playwright.stop()
            self._playwright = None
            raise BrowserError(f"Chromium at {executable} failed to start: {type(exc).__name__}") from exc
        log.debug("chromium %s started from %s", self._browser.version, executable)

    @property
    def browser(self) -> Browser:
        """The running Chromium."""
        if self._browser is None:
            raise BrowserError("browser session is not started")
        return self._browser

    @property
    def connected(self) -> bool:
        """False once Chromium is gone (killed, crashed, out of memory) or was never started."""
        return self._browser is not None and self._browser.is_connected()

    async def new_context(self, storage_state: Path | dict[str, Any] | None = None) -> BrowserContext:
        """A fresh context with downloads enabled, optionally restoring a saved sign-in (a file, or the
        state itself as the database store keeps it)."""
        restored: Any = str(storage_state) if isinstance(storage_state, Path) else storage_state
        context = await self.browser.new_context(
            accept_downloads=True,
            storage_state=restored or None,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(self.settings.navigation_timeout_s * 1000)
        return context

    async def close(self) -> None:
        """Close Chromium and Playwright."""
        if self._browser is not None:
            if self._browser.is_connected():  # a Chromium that died has nothing left to close
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None


def fresh_storage_state(path: Path, max_age_hours: float) -> Path | None:
    """Return ``path`` if it holds a saved sign-in younger than ``max_age_hours``; delete it if older."""
    if not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > max_age_hours * 3600:
        path.unlink(missing_ok=True)
        return None
    return path


async def save_storage_state(context: BrowserContext, path: Path) -> None:
    """Save the context's cookies and storage (credentials!) atomically with mode 0600."""
    state = await context.storage_state()
    import json

    atomic_write_bytes(path, json.dumps(state).encode())


_tracing: weakref.WeakSet[BrowserContext] = weakref.WeakSet()


async def start_trace(context: BrowserContext, mode: str = "full") -> None:
    """Start a Playwright trace; call only after sign-in so typed passwords are never captured.

    ``mode`` is the ``browser.trace`` setting: ``full`` (page snapshots and a screenshot filmstrip),
    ``snapshots`` (page snapshots and network only: what fixing a selector needs, for less CPU) or ``off``.
    """
    if mode == "off":
        return
    await context.tracing.start(screenshots=mode == "full", snapshots=True)
    _tracing.add(context)


async def stop_trace(context: BrowserContext, keep_as: Path | None) -> Path | None:
    """Stop tracing (if it runs); keep the trace (0600, data/traces) only when ``keep_as`` is given.

    A kept trace is first stripped of cookies, authorization and CSRF values and of request bodies
    (:mod:`connector.browser.trace_scrub`): it outlives the saved sign-in, so it must not hold it.
    """
    if context not in _tracing:
        return None
    _tracing.discard(context)
    if keep_as is None:
        await context.tracing.stop()
        return None
    ensure_private_dir(keep_as.parent)
    secrets = [str(cookie.get("value", "")) for cookie in await context.cookies()]
    raw = keep_as.with_name(f".{keep_as.name}.raw.part")  # swept by recovery if we die before the rename
    try:
        await context.tracing.stop(path=str(raw))
        os.chmod(raw, FILE_MODE)
        cleaned = scrub_trace(raw.read_bytes(), [*secrets, *registered_secrets()])
        atomic_write_bytes(keep_as, cleaned)
    finally:
        raw.unlink(missing_ok=True)
    return keep_as
