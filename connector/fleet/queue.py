"""The queue itself: the procrastinate app on the connector's PostgreSQL database, its schema, deferring."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import procrastinate
from procrastinate import exceptions as queue_errors
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connector.errors import ConfigError
from connector.settings import ConnectorSettings

log = logging.getLogger(__name__)

TASK = "connector.run"
"""The one task of the queue: run a registered job (or ``all``) for one account."""


def require_queue_database(settings: ConnectorSettings) -> str:
    """The libpq address of the database for the queue; ConfigError naming the settings when it is not
    PostgreSQL (``executor = "queue"`` needs it: the queue, its locks and heartbeats live there)."""
    url = settings.database_url
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("CONNECTOR_DATABASE_URL is not a database URL") from None
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(
            f'CONNECTOR_EXECUTOR="queue" needs PostgreSQL, but CONNECTOR_DATABASE_URL is '
            f"{parsed.get_backend_name()}: set CONNECTOR_DATABASE_URL=postgresql+psycopg://user@host/db, "
            'or CONNECTOR_EXECUTOR="local" to run the jobs in the scheduler'
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(settings: ConnectorSettings) -> procrastinate.App:
    """The procrastinate app on the connector's database (PostgreSQL; ConfigError otherwise)."""
    conninfo = require_queue_database(settings)
    return procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo, kwargs={"application_name": "connector"})
    )


async def ensure_queue_schema(app: procrastinate.App) -> bool:
    """Create procrastinate's schema once (its documented schema API); True when it was created now."""
    if await app.job_manager.check_connection_async():
        return False
    try:
        await app.schema_manager.apply_schema_async()
    except Exception:
        if await app.job_manager.check_connection_async():  # another process created it meanwhile
            return False
        raise
    log.info("created the job queue's tables")
    return True


def session_lock(base_url: str, username: str) -> str:
    """The lock of one portal user: no two jobs signed in as the same user run at once, fleet-wide."""
    digest = hashlib.sha256(f"{base_url.rstrip('/')}\n{username}".encode()).hexdigest()[:20]
    return f"portal-user:{digest}"


def queueing_lock(account: str, job: str) -> str:
    """At most one waiting copy of an account's job: a slow morning never piles up copies."""
    return f"{account}:{job}"


async def defer(
    app: procrastinate.App,
    settings: ConnectorSettings,
    job: str,
    account: str,
    *,
    schedule_at: dt.datetime | None = None,
) -> int | None:
    """Put the account's job on the queue (now, or to run at ``schedule_at``); None when a copy is already
    waiting (nothing added)."""
    name, acct = settings.account(account)
    deferrer = app.configure_task(
        TASK,
        queue=settings.fleet.queue,
        lock=session_lock(acct.base_url, acct.username),
        queueing_lock=queueing_lock(name, job),
        schedule_at=schedule_at,
    )
    queued_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        job_id: int = await deferrer.defer_async(job=job, account=name, queued_at=queued_at)
    except queue_errors.AlreadyEnqueued:
        log.warning("%s for %s is already waiting in the queue; not queued again", job, name)
        return None
    log.info("queued %s for %s (queue job %s)", job, name, job_id)
    return job_id
