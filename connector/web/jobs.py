"""Run a job now for an admin: in a background thread, one at a time per account and job, never in the
request. The run ledger records it like any other run."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from connector.jobs.registry import SCHEDULABLE
from connector.settings import ConnectorSettings

log = logging.getLogger(__name__)

Dispatch = Callable[[str, str, ConnectorSettings], None]


def dispatch(job: str, account: str, settings: ConnectorSettings) -> None:
    """Run one job (or ``all``, the daily cycle) for one account through the one dispatch `connector run`,
    the scheduler and the demo use: same ledger rows, retries and alerts."""
    from connector.ops.dispatch import dispatch as run_dispatched

    asyncio.run(run_dispatched(job, account, settings))


class JobRunner:
    """Starts jobs in daemon threads and remembers which are still running."""

    def __init__(self, settings: ConnectorSettings, run: Dispatch = dispatch) -> None:
        self.settings = settings
        self._run = run
        self._lock = threading.Lock()
        self._threads: dict[tuple[str, str], threading.Thread] = {}

    def start(self, account: str, job: str) -> bool:
        """Start ``job`` for ``account``; False when the same job is already running for it."""
        if job not in SCHEDULABLE or account not in self.settings.accounts:
            raise ValueError("unknown job or account")
        key = (account, job)
        with self._lock:
            thread = self._threads.get(key)
            if thread is not None and thread.is_alive():
                return False
            thread = threading.Thread(
                target=self._body, args=key, name=f"web-run-{account}-{job}", daemon=True
            )
            self._threads[key] = thread
            thread.start()
        return True

    def running(self) -> list[tuple[str, str]]:
        """(account, job) of the jobs started here that have not finished."""
        with self._lock:
            return sorted(key for key, thread in self._threads.items() if thread.is_alive())

    def join(self, timeout: float | None = None) -> None:
        """Wait for the jobs started here (tests, shutdown)."""
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)

    def _body(self, account: str, job: str) -> None:
        try:
            self._run(job, account, self.settings)
        except Exception as exc:  # the ledger has the run; never log a message that may carry PHI
            log.error("job %s for %s started from the dashboard failed: %s", job, account, type(exc).__name__)
