"""The run ledger lifecycle, one for every job: open a row, beat while running, close it with the result."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from connector import store
from connector.diskspace import disk_full, is_disk_full
from connector.errors import ConnectorError, StorageError
from connector.jobs.context import RunResult
from connector.ops.recovery import recover
from connector.settings import ConnectorSettings, PortalAccount
from connector.store import RunOutcome as Outcome

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0

QUEUE_JOB: contextvars.ContextVar[int | None] = contextvars.ContextVar("queue_job", default=None)
"""The fleet queue job running in this task (set by the fleet worker); its runs carry the job's id."""


_UNCLOSED: dict[tuple[str, int], RunResult] = {}
"""Runs whose row could not be closed (disk full), closed by this process's next run; a run of another
process closes them as interrupted instead (their process is gone)."""


def _close_unclosed(database_url: str, factory: sessionmaker[Session]) -> None:
    """Close the rows this process could not close earlier, with what happened (DiskFull)."""
    for key in [k for k in _UNCLOSED if k[0] == database_url]:
        result = _UNCLOSED[key]
        error = (result.error_class or "DiskFull", result.error_message or "")
        with factory.begin() as session:
            store.finish_run(session, key[1], Outcome.FAILED, result.counts, error, result.artifacts)
        del _UNCLOSED[key]  # only once written: still full, it stays for the next try
        log.info("run %s closed in the ledger now: %s", key[1], error[0])


class Ledger:
    """One run's row in the ledger: opened by :meth:`open`, closed by :meth:`finish` (exactly once)."""

    def __init__(self, engine: Engine, run_id: int, result: RunResult, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.factory: sessionmaker[Session] = store.session_factory(engine)
        self.run_id = run_id
        self.result = result
        self.database_url = ""

    @classmethod
    def open(
        cls, settings: ConnectorSettings, job: str, name: str, account: PortalAccount
    ) -> Ledger | RunResult:
        """Recover after any crash, then start the run's row; a FAILED result (no row) when the database
        cannot be used."""
        try:
            store.ensure_schema(settings.database_url)
            # runs of dead processes, half-done uploads, stale temp files, expired traces
            recover(settings.database_url, settings.data_dir, settings.trace_retention_days)
            engine = store.make_engine(settings.database_url)
            factory = store.session_factory(engine)
            _close_unclosed(settings.database_url, factory)
            with factory.begin() as session:
                account_id = store.upsert_account(
                    session,
                    name,
                    practice_name=account.practice_name,
                    portal_kind=account.portal,
                    base_url=account.base_url,
                )
                run_id = store.start_run(session, job, account_id, queue_job_id=QUEUE_JOB.get())
        except Exception as exc:
            if not isinstance(exc, ConnectorError | OSError) and not is_disk_full(exc):
                raise
            problem: ConnectorError
            if is_disk_full(exc):  # no room even for the ledger row: one line, no traceback
                problem = disk_full(settings.data_dir)
            elif isinstance(exc, ConnectorError):
                problem = exc
            else:
                problem = StorageError(f"database: {type(exc).__name__}")
            failed = RunResult(None, job, name, Outcome.RUNNING.value)
            failed.finish(Outcome.FAILED, problem)
            return failed
        ledger = cls(engine, run_id, RunResult(run_id, job, name, Outcome.RUNNING.value), settings.data_dir)
        ledger.database_url = settings.database_url
        return ledger

    @contextlib.asynccontextmanager
    async def heartbeat(self) -> AsyncIterator[None]:
        """Beat every HEARTBEAT_S while the body runs, so a dead process's run can be told from a slow one."""
        beat = asyncio.create_task(self._beat())
        try:
            yield
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                with self.factory.begin() as session:
                    store.heartbeat(session, self.run_id)
            except Exception as exc:  # a busy or restarting database must not end the run; try again later
                log.warning("heartbeat of run %s not written: %s", self.run_id, type(exc).__name__)

    def finish(self) -> RunResult:
        """Close the row with the result's outcome, counts, error (class name and message) and artifacts.

        With the disk full the row cannot be written: the result says DiskFull in one line and the row is
        closed as interrupted at the next start (no traceback, nothing half-written).
        """
        result = self.result
        try:
            with self.factory.begin() as session:
                error = (result.error_class, result.error_message or "") if result.error_class else None
                store.finish_run(
                    session, self.run_id, Outcome(result.outcome), result.counts, error, result.artifacts
                )
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            result.finish(Outcome.FAILED, disk_full(self.data_dir))
            _UNCLOSED[(self.database_url, self.run_id)] = result
            log.error(
                "run %s could not be closed in the ledger: %s (closed as interrupted at the next start)",
                self.run_id,
                result.error_message,
            )
        return result

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
