"""One job end to end: health gate -> browser session -> flow -> persist, recorded in the run ledger.

``run_job(job, account, settings)`` is what the CLI and the scheduler call. It never raises for portal
trouble: every error is classified by its connector/errors.py class into a RunResult (and the ledger).
A redirect to sign-in mid-run (SessionExpired) signs in once more and repeats the flow once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from connector import store
from connector.browser import BrowserSession, fresh_storage_state
from connector.browser.session import start_trace, stop_trace
from connector.errors import (
    ConfigError,
    ConnectorError,
    PortalMaintenance,
    PortalUnavailable,
    SessionExpired,
    StorageError,
)
from connector.fileio import ensure_private_dir
from connector.recovery import recover
from connector.runner_persist import JOBS, JobContext
from connector.runner_signin import Paths, Signer
from connector.selectormap import load_map
from connector.settings import ConnectorSettings, PortalAccount
from connector.store import RunOutcome as Ledger
from flows.health import check_health
from flows.portal import PortalPage
from flows.records import PortalHealth

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0


@dataclass(slots=True)
class RunResult:
    """What one run did: ledger id, outcome, counts, and the error class/message when it failed."""

    run_id: int | None
    job: str
    account: str | None
    outcome: str
    counts: dict[str, Any] = field(default_factory=dict)
    error_class: str | None = None
    error_message: str | None = None
    retry_after: float | None = None
    """Seconds the portal asked us to wait (429/503), for the scheduler's backoff."""
    until: str | None = None
    """End of a maintenance window, when the run was skipped for maintenance."""
    artifacts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the run succeeded (or was a health check that found the portal usable)."""
        return self.outcome == Ledger.SUCCEEDED.value


RunOutcome = RunResult
"""The name the scheduler imports (issue 8)."""


def gate(health: PortalHealth) -> None:
    """Raise PortalMaintenance / PortalUnavailable when the status page says not to start."""
    if health.state == "maintenance":
        until = health.maintenance_until
        raise PortalMaintenance(
            "status page announces maintenance", step="health", until=until.isoformat() if until else None
        )
    if health.state == "unreachable":
        raise PortalUnavailable(f"status page unreachable ({health.description})", step="health")


async def _heartbeat(factory: sessionmaker[Session], run_id: int) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_S)
        try:
            with factory.begin() as session:
                store.heartbeat(session, run_id)
        except Exception as exc:  # a busy or restarting database must not end the run; try again later
            log.warning("heartbeat of run %s not written: %s", run_id, type(exc).__name__)


@contextlib.asynccontextmanager
async def _ledger(
    factory: sessionmaker[Session], job: str, name: str, account: PortalAccount
) -> AsyncIterator[int]:
    with factory.begin() as session:
        account_id = store.upsert_account(
            session,
            name,
            practice_name=account.practice_name,
            portal_kind=account.portal,
            base_url=account.base_url,
        )
        run_id = store.start_run(session, job, account_id)
    beat = asyncio.create_task(_heartbeat(factory, run_id))
    try:
        yield run_id
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat


async def run_job(
    job: str,
    account: str | None,
    settings: ConnectorSettings,
    *,
    options: dict[str, Any] | None = None,
) -> RunResult:
    """Run ``job`` (health, eras, statuses, upload, acks) for one account and record it in the ledger.

    Never raises for portal, browser or storage trouble: a database that cannot be opened gives a FAILED
    result without a ledger row (``run_id`` None). Raises ConfigError only for an unknown job or account.
    """
    if job != "health" and job not in JOBS:
        raise ConfigError(f"unknown job {job!r}; known: health, {', '.join(JOBS)}")
    name, acct = settings.account(account)
    try:
        store.ensure_schema(settings.database_url)
        recover(settings.database_url, settings.data_dir)  # runs of dead processes, half-done uploads
        engine = store.make_engine(settings.database_url)
    except (ConnectorError, OSError) as exc:
        problem = exc if isinstance(exc, ConnectorError) else StorageError(f"database: {type(exc).__name__}")
        failed = RunResult(None, job, name, Ledger.FAILED.value)
        _classify(failed, problem, Ledger.FAILED)
        return failed
    factory = store.session_factory(engine)
    result = RunResult(None, job, name, Ledger.RUNNING.value)
    try:
        async with _ledger(factory, job, name, acct) as run_id:
            result.run_id = run_id
            try:
                result.counts = await _run(job, name, acct, settings, factory, run_id, options or {}, result)
                result.outcome = Ledger.SUCCEEDED.value
            except PortalMaintenance as exc:
                _classify(result, exc, Ledger.SKIPPED)
                result.until = exc.until
            except ConnectorError as exc:
                _classify(result, exc, Ledger.FAILED)
                result.retry_after = getattr(exc, "retry_after", None)
            except Exception as exc:  # an unexpected bug: record the class, never the (maybe PHI) message
                frames = "".join(traceback.format_tb(exc.__traceback__))
                log.error("run %s failed unexpectedly: %s\n%s", run_id, type(exc).__name__, frames)
                result.outcome = Ledger.FAILED.value
                result.error_class = type(exc).__name__
                result.error_message = "unexpected error; see the connector log"
            with factory.begin() as session:
                error = (result.error_class, result.error_message or "") if result.error_class else None
                store.finish_run(
                    session, run_id, Ledger(result.outcome), result.counts, error, result.artifacts
                )
    finally:
        engine.dispose()
    log.info("run %s %s/%s: %s %s", result.run_id, job, name, result.outcome, result.error_class or "")
    return result


def _classify(result: RunResult, exc: ConnectorError, outcome: Ledger) -> None:
    result.outcome = outcome.value
    result.error_class = type(exc).__name__
    result.error_message = str(exc)


async def _run(
    job: str,
    name: str,
    account: PortalAccount,
    settings: ConnectorSettings,
    factory: sessionmaker[Session],
    run_id: int,
    options: dict[str, Any],
    result: RunResult,
) -> dict[str, Any]:
    health = await check_health(account.status_json_url)
    if job == "health":
        gate(health)
        return {"state": health.state, "indicator": health.indicator or ""}
    gate(health)
    paths = Paths(settings.data_dir, name)
    smap = load_map(account.portal)
    ensure_private_dir(paths.downloads)
    async with BrowserSession(settings.browser) as browser:
        saved = fresh_storage_state(paths.storage_state, settings.browser.storage_state_max_age_hours)
        context = await browser.new_context(saved)
        try:
            page = await context.new_page()
            portal = PortalPage(context, page, smap, account.base_url, paths.screenshots)
            signer = Signer(portal, account, paths)
            try:
                await signer.ensure(reuse=saved is not None)
            except ConnectorError:
                _collect_screens(paths, result)
                raise
            ctx = JobContext(portal, factory, run_id, name, paths.downloads, paths.outbox,
                             {"x12_strict": settings.x12_strict, **options})  # fmt: skip
            return await _with_trace(portal, paths, result, lambda: _flow_once_more(job, ctx, signer))
        finally:
            await context.close()


async def _flow_once_more(job: str, ctx: JobContext, signer: Signer) -> dict[str, Any]:
    """Run the job's flow; on SessionExpired sign in once more and run it again (only once)."""
    try:
        return await JOBS[job](ctx)
    except SessionExpired:
        log.info("session expired during %s; signing in once more", job)
        context = ctx.portal.context
        await stop_trace(context, None)  # a trace would record the typed password: drop it, sign in, restart
        await signer.ensure(reuse=False)
        await start_trace(context)
        counts = await JOBS[job](ctx)
        counts["sign_ins_again"] = 1
        return counts


async def _with_trace(
    portal: PortalPage,
    paths: Paths,
    result: RunResult,
    body: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Trace only after sign-in; keep the trace (0600, data/traces) only when the flow fails."""
    await start_trace(portal.context)
    try:
        counts = await body()
    except BaseException:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        kept = await stop_trace(portal.context, paths.traces / f"run-{result.run_id}-{stamp}.zip")
        if kept is not None:
            result.artifacts.append(str(kept))
        _collect_screens(paths, result)
        raise
    await stop_trace(portal.context, None)
    return counts


def _collect_screens(paths: Paths, result: RunResult) -> None:
    if paths.screenshots.is_dir():
        recent = [p for p in paths.screenshots.glob("*.png") if time.time() - p.stat().st_mtime < 600]
        result.artifacts += [str(p) for p in sorted(recent) if str(p) not in result.artifacts]
