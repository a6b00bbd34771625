"""One Chromium for a whole process (a fleet worker): each running job gets its own context in it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator

from connector.browser.session import BrowserSession
from connector.settings import BrowserSettings

log = logging.getLogger(__name__)


class SharedBrowser:
    """A Chromium started on first use and started again when it died; closed by :meth:`close`."""

    def __init__(self, settings: BrowserSettings) -> None:
        self.settings = settings
        self._session: BrowserSession | None = None
        self._lock = asyncio.Lock()
        self.launches = 0

    async def get(self) -> BrowserSession:
        """The running Chromium (launched now if there is none or it died)."""
        async with self._lock:
            if self._session is not None and not self._session.connected:
                log.warning("the worker's Chromium is gone; starting a new one")
                await self._session.close()
                self._session = None
            if self._session is None:
                session = BrowserSession(self.settings)
                await session.start()
                self._session, self.launches = session, self.launches + 1
            return self._session

    async def close(self) -> None:
        """Close Chromium (at the worker's end)."""
        async with self._lock:
            if self._session is not None:
                await self._session.close()
                self._session = None


SHARED: contextvars.ContextVar[SharedBrowser | None] = contextvars.ContextVar("shared_browser", default=None)
"""Set by a fleet worker: its jobs use this Chromium instead of launching their own."""


@contextlib.asynccontextmanager
async def browser_for(settings: BrowserSettings) -> AsyncIterator[BrowserSession]:
    """The process's shared Chromium when a worker set one (left running), else a Chromium of our own."""
    shared = SHARED.get()
    if shared is not None:
        yield await shared.get()
        return
    async with BrowserSession(settings) as own:
        yield own
