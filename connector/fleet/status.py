"""What `connector status` shows in fleet mode: workers alive, jobs per account and state, oldest waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from connector import store
from connector.fleet.queue import TASK, ensure_queue_schema, make_app
from connector.settings import ConnectorSettings

WORKER_LEASE_PREFIX = "worker:"
"""Each worker keeps a lease ``worker:<host>:<pid>`` fresh while alive."""
STATES = ("todo", "doing", "failed")
"""procrastinate's job states shown, as waiting / running / failed."""


@dataclass(frozen=True)
class WorkerSeen:
    """A worker and its last sign of life (its lease is renewed at every look for stalled jobs)."""

    name: str
    started: dt.datetime
    last_heartbeat: dt.datetime
    alive: bool


@dataclass
class FleetStatus:
    """The fleet at a glance."""

    workers: list[WorkerSeen] = field(default_factory=list)
    per_account: dict[str, Counter[str]] = field(default_factory=dict)
    """account -> counts of waiting, running, failed, stalled."""
    oldest_waiting: tuple[str, str, str] | None = None
    """(account, job, queued at) of the job waiting longest."""


def _workers(settings: ConnectorSettings) -> list[WorkerSeen]:
    ttl = dt.timedelta(seconds=settings.fleet.stall_seconds)
    now = store.utcnow()
    with store.open_session(settings.database_url) as session:
        leases = store.leases_starting(session, WORKER_LEASE_PREFIX)
        return [
            WorkerSeen(
                lease.name.removeprefix(WORKER_LEASE_PREFIX),
                lease.acquired_at,
                lease.expires_at - ttl,
                lease.expires_at > now,
            )
            for lease in leases
        ]


async def fleet_status(settings: ConnectorSettings) -> FleetStatus:
    """Read the queue through procrastinate's job manager and the workers' leases."""
    status = FleetStatus(workers=await asyncio.to_thread(_workers, settings))
    app = make_app(settings)
    labels = {"todo": "waiting", "doing": "running", "failed": "failed"}
    async with app.open_async():
        await ensure_queue_schema(app)
        manager = app.job_manager
        waiting: list[tuple[str, str, str]] = []
        for state in STATES:
            for job in await manager.list_jobs_async(task=TASK, status=state, queue=settings.fleet.queue):
                account = str(job.task_kwargs.get("account", "?"))
                status.per_account.setdefault(account, Counter())[labels[state]] += 1
                if state == "todo":
                    queued = str(job.task_kwargs.get("queued_at", ""))
                    waiting.append((queued, account, str(job.task_kwargs.get("job", "?"))))
        stalled = await manager.get_stalled_jobs(
            queue=settings.fleet.queue, seconds_since_heartbeat=settings.fleet.stall_seconds
        )
        for job in stalled:
            account = str(job.task_kwargs.get("account", "?"))
            status.per_account.setdefault(account, Counter())["stalled"] += 1
    if waiting:
        queued, account, job_name = min(waiting)
        status.oldest_waiting = (account, job_name, queued)
    return status
