"""The run ledger lifecycle, one for every job: open a row, beat while running, close it with the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from connector import store
from connector.errors import ConnectorError, StorageError
from connector.jobs.context import RunResult
from connector.ops.recovery import recover
from connector.settings import ConnectorSettings, PortalAccount
from connector.store import RunOutcome as Outcome

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0


class Ledger:
    """One run's row in the ledger: opened by :meth:`open`, closed by :meth:`finish` (exactly once)."""

    def __init__(self, engine: Engine, run_id: int, result: RunResult) -> None:
        self.engine = engine
        self.factory: sessionmaker[Session] = store.session_factory(engine)
        self.run_id = run_id
        self.result = result

    @classmethod
    def open(
        cls, settings: ConnectorSettings, job: str, name: str, account: PortalAccount
    ) -> Ledger | RunResult:
        """Recover after any crash, then start the run's row; a FAILED result (no row) when the database
        cannot be used."""
        try:
            store.ensure_schema(settings.database_url)
            recover(settings.database_url, settings.data_dir)  # runs of dead processes, half-done uploads
            engine = store.make_engine(settings.database_url)
            factory = store.session_factory(engine)
            with factory.begin() as session:
                account_id = store.upsert_account(
                    session,
                    name,
                    practice_name=account.practice_name,
                    portal_kind=account.portal,
                    base_url=account.base_url,
                )
                run_id = store.start_run(session, job, account_id)
        except (ConnectorError, OSError) as exc:
            problem = (
                exc if isinstance(exc, ConnectorError) else StorageError(f"database: {type(exc).__name__}")
            )
            failed = RunResult(None, job, name, Outcome.RUNNING.value)
            failed.finish(Outcome.FAILED, problem)
            return failed
        return cls(engine, run_id, RunResult(run_id, job, name, Outcome.RUNNING.value))

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
        """Close the row with the result's outcome, counts, error (class name and message) and artifacts."""
        result = self.result
        with self.factory.begin() as session:
            error = (result.error_class, result.error_message or "") if result.error_class else None
            store.finish_run(
                session, self.run_id, Outcome(result.outcome), result.counts, error, result.artifacts
            )
        return result

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
