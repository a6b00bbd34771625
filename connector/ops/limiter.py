"""The local executor's limits: at most ``max_sessions`` browser sessions at once, one job per account."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator


class SessionLimiter:
    """An asyncio semaphore of ``max_sessions`` and a lock per account, for one event loop.

    The account's lock is taken first, so a job waiting for its account holds no session slot.
    """

    def __init__(self, max_sessions: int) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self.max_sessions = max_sessions
        self._slots = asyncio.Semaphore(max_sessions)
        self._accounts: dict[str, asyncio.Lock] = {}
        self.active: set[str] = set()
        self.peak = 0

    @contextlib.asynccontextmanager
    async def session(self, account: str) -> AsyncIterator[None]:
        """Hold the account (no other job of it runs) and one of the session slots while the body runs."""
        lock = self._accounts.setdefault(account, asyncio.Lock())
        async with lock, self._slots:
            self.active.add(account)
            self.peak = max(self.peak, len(self.active))
            try:
                yield
            finally:
                self.active.discard(account)


_PER_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SessionLimiter] = weakref.WeakKeyDictionary()


def local_limiter(max_sessions: int) -> SessionLimiter:
    """This event loop's limiter (every dispatch of the process shares it; made with the first size asked)."""
    loop = asyncio.get_running_loop()
    limiter = _PER_LOOP.get(loop)
    if limiter is None:
        limiter = _PER_LOOP[loop] = SessionLimiter(max_sessions)
    return limiter
