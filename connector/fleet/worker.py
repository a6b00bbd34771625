"""`connector worker`: run queued jobs N at once in one Chromium (a context per job); recover stalled jobs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

import procrastinate
from procrastinate.job_context import JobContext as QueueJobContext

from connector import store
from connector.browser.shared import SHARED, SharedBrowser
from connector.filestore import check_fleet_settings
from connector.fleet.queue import TASK, defer, ensure_queue_schema, make_app
from connector.fleet.status import WORKER_LEASE_PREFIX
from connector.jobs.ledger import QUEUE_JOB
from connector.ops.dispatch import dispatch
from connector.ops.limiter import SessionLimiter
from connector.ops.recovery import recover
from connector.ops.scheduler import after_maintenance
from connector.settings import ConnectorSettings, load_settings

log = logging.getLogger(__name__)


class FleetWorker:
    """One worker process: procrastinate's worker on our queue, a shared Chromium, a stalled-job watch.

    SIGTERM/SIGINT: no new job is taken; running cycles finish their current step and end.
    """

    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        concurrency: int = 2,
        queues: list[str] | None = None,
        load: Callable[[], ConnectorSettings] = load_settings,
    ) -> None:
        check_fleet_settings(settings)  # PostgreSQL, the database file store and its key, or a ConfigError
        self.settings = settings
        self.concurrency = concurrency
        self.queues = queues or [settings.fleet.queue]
        self.app: procrastinate.App = make_app(settings)  # ConfigError on SQLite, before anything starts
        self.limiter = SessionLimiter(concurrency)
        self.browser = SharedBrowser(settings.browser)
        self.stop_event = asyncio.Event()
        self.name = f"{WORKER_LEASE_PREFIX}{socket.gethostname()}:{os.getpid()}"
        self._load = load
        self.app.task(name=TASK, pass_context=True, retry=settings.fleet.retries)(self._run)

    def should_stop(self) -> bool:
        """True once SIGTERM/SIGINT arrived (a running cycle checks it between its jobs)."""
        return self.stop_event.is_set()

    async def _run(self, context: QueueJobContext, job: str, account: str, queued_at: str = "") -> None:
        """The task: one job (or the cycle) of one account, through the common dispatch."""
        QUEUE_JOB.set(context.job.id)
        log.info("queue job %s: %s for %s (queued %s)", context.job.id, job, account, queued_at)
        outcome = await dispatch(
            job, account, self._load(), should_stop=self.should_stop, limiter=self.limiter
        )
        log.info("queue job %s done: %s for %s, ok=%s", context.job.id, job, account, outcome.ok)
        if outcome.skipped_until:
            when = after_maintenance(outcome.skipped_until)
            if when is not None:
                await defer(self.app, self.settings, job, account, schedule_at=when)

    async def recover_stalled(self) -> list[int]:
        """Jobs whose worker stopped beating: their ledger runs closed INTERRUPTED, the jobs queued again."""
        fleet = self.settings.fleet
        stalled = await self.app.job_manager.get_stalled_jobs(
            queue=None if len(self.queues) != 1 else self.queues[0],
            seconds_since_heartbeat=fleet.stall_seconds,
        )
        retried = []
        for job in stalled:
            assert job.id is not None
            closed = await asyncio.to_thread(self._interrupt_runs, job.id)
            try:
                await self.app.job_manager.retry_job(job)
            except Exception as exc:  # another worker retried it first
                log.info("stalled queue job %s not retried here: %s", job.id, type(exc).__name__)
                continue
            log.warning(
                "queue job %s (%s) stalled: its worker stopped; runs %s interrupted, queued again",
                job.id, job.task_kwargs.get("account"), closed,
            )  # fmt: skip
            retried.append(job.id)
        return retried

    def _interrupt_runs(self, queue_job_id: int) -> list[int]:
        with store.open_session(self.settings.database_url) as session, session.begin():
            return store.interrupt_queue_job_runs(
                session, [queue_job_id], "the worker running this job stopped (no heartbeat)"
            )

    async def _watch(self) -> None:
        """Every few seconds: stalled jobs back in the queue, this worker's lease renewed."""
        ttl = dt.timedelta(seconds=self.settings.fleet.stall_seconds)
        while not self.should_stop():
            await asyncio.to_thread(self._beat, ttl)
            try:
                await self.recover_stalled()
            except Exception as exc:
                log.warning("looking for stalled jobs failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), self.settings.fleet.stall_check_seconds)

    def _beat(self, ttl: dt.timedelta) -> None:
        with store.open_session(self.settings.database_url) as session, session.begin():
            store.acquire_lease(session, self.name, self.name, ttl)

    def _leave(self) -> None:
        with store.open_session(self.settings.database_url) as session, session.begin():
            store.release_lease(session, self.name, self.name)

    async def serve(self) -> None:
        """Run until SIGTERM/SIGINT: take jobs from the queue(s), N at once."""
        fleet = self.settings.fleet
        await asyncio.to_thread(store.ensure_schema, self.settings.database_url)
        await asyncio.to_thread(
            recover, self.settings.database_url, self.settings.data_dir, self.settings.trace_retention_days
        )
        SHARED.set(self.browser)
        async with self.app.open_async():
            await ensure_queue_schema(self.app)
            options: dict[str, Any] = {
                "queues": self.queues,
                "concurrency": self.concurrency,
                "install_signal_handlers": False,
                "update_heartbeat_interval": fleet.heartbeat_seconds,
                "stalled_worker_timeout": fleet.stall_seconds,
                "fetch_job_polling_interval": fleet.poll_seconds,
                "shutdown_graceful_timeout": fleet.graceful_stop_seconds,
                "name": self.name,
            }
            worker = asyncio.create_task(self.app.run_worker_async(**options))
            watch = asyncio.create_task(self._watch())

            def stop() -> None:
                if not self.stop_event.is_set():
                    log.info("stopping: running jobs finish their current step; no new job is taken")
                    self.stop_event.set()
                    worker.cancel()  # procrastinate: graceful, it waits for the running jobs

            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop)
            log.info("worker %s on queue(s) %s, %d job(s) at once", self.name, self.queues, self.concurrency)
            try:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            finally:
                self.stop_event.set()
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
                await self.browser.close()
                await asyncio.to_thread(self._leave)


async def serve(settings: ConnectorSettings, *, concurrency: int, queues: list[str] | None) -> None:
    """Run one worker until stopped (what `connector worker` calls)."""
    await FleetWorker(settings, concurrency=concurrency, queues=queues).serve()
