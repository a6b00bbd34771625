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
from connector.diskspace import TRACE_ROOM_BYTES, disk_full, free_bytes, is_disk_full, room_for
from connector.errors import (
    BrowserDied,
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
from connector.runner_signin import Paths, Signer, note_clock
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
        # runs of dead processes, half-done uploads, stale temp files, expired traces
        recover(settings.database_url, settings.data_dir, settings.trace_retention_days)
        engine = store.make_engine(settings.database_url)
    except Exception as exc:
        if not isinstance(exc, ConnectorError | OSError) and not is_disk_full(exc):
            raise
        failed = RunResult(None, job, name, Ledger.FAILED.value)
        _classify(failed, _storage_problem(exc, settings), Ledger.FAILED)
        return failed
    factory = store.session_factory(engine)
    result = RunResult(None, job, name, Ledger.RUNNING.value)
    try:
        async with _ledger(factory, job, name, acct) as run_id:
            result.run_id = run_id
            try:
                counts = await _run(job, name, acct, settings, factory, run_id, options or {}, result)
                result.counts = {**result.counts, **counts}  # keeps what _run noted early (clock offset)
                result.outcome = Ledger.SUCCEEDED.value
            except PortalMaintenance as exc:
                _classify(result, exc, Ledger.SKIPPED)
                result.until = exc.until
            except Exception as exc:
                _failed(result, exc, settings)
            _close(factory, result, settings)
    except Exception as exc:  # the ledger row itself could not be started: only a full disk is expected
        if not is_disk_full(exc):
            raise
        _classify(result, disk_full(settings.data_dir), Ledger.FAILED)
        log.error("%s/%s not run and not recorded: %s", job, name, result.error_message)
    finally:
        engine.dispose()
    log.info("run %s %s/%s: %s %s", result.run_id, job, name, result.outcome, result.error_class or "")
    return result


def _storage_problem(exc: Exception, settings: ConnectorSettings) -> ConnectorError:
    if is_disk_full(exc):
        return disk_full(settings.data_dir)
    return exc if isinstance(exc, ConnectorError) else StorageError(f"database: {type(exc).__name__}")


def _failed(result: RunResult, exc: Exception, settings: ConnectorSettings) -> None:
    """Classify a failed run: a full disk anywhere underneath is DiskFull; our errors by their class; the rest
    is an unexpected bug (its class recorded, never its message, which may hold PHI)."""
    if is_disk_full(exc):
        _classify(result, disk_full(settings.data_dir), Ledger.FAILED)
    elif isinstance(exc, ConnectorError):
        _classify(result, exc, Ledger.FAILED)
        result.retry_after = getattr(exc, "retry_after", None)
    else:
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("run %s failed unexpectedly: %s\n%s", result.run_id, type(exc).__name__, frames)
        result.outcome = Ledger.FAILED.value
        result.error_class = type(exc).__name__
        result.error_message = "unexpected error; see the connector log"


def _close(factory: sessionmaker[Session], result: RunResult, settings: ConnectorSettings) -> None:
    """Write the run's outcome to the ledger; with the disk full, say so in one line (the row is closed as
    interrupted at the next start) instead of dying."""
    assert result.run_id is not None
    try:
        with factory.begin() as session:
            error = (result.error_class, result.error_message or "") if result.error_class else None
            store.finish_run(
                session, result.run_id, Ledger(result.outcome), result.counts, error, result.artifacts
            )
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        _classify(result, disk_full(settings.data_dir), Ledger.FAILED)
        log.error(
            "run %s could not be closed in the ledger: %s (closed as interrupted at the next start)",
            result.run_id,
            result.error_message,
        )


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
    paths = Paths(settings.data_dir, name)
    clock = note_clock(paths, health.clock_offset_s, "status page")
    if clock is not None:
        result.counts["clock_offset_s"] = round(clock)
    if job == "health":
        gate(health)
        return {"state": health.state, "indicator": health.indicator or ""}
    gate(health)
    smap = load_map(account.portal)
    ensure_private_dir(paths.downloads)
    async with BrowserSession(settings.browser) as browser:
        saved = fresh_storage_state(paths.storage_state, settings.browser.storage_state_max_age_hours)
        context = await browser.new_context(saved)
        try:
            try:
                page = await context.new_page()
                portal = PortalPage(context, page, smap, account.base_url, paths.screenshots)
                signer = Signer(portal, account, paths)
                try:
                    await signer.ensure(reuse=saved is not None)
                except ConnectorError:
                    _collect_screens(paths, result)
                    raise
                ctx = JobContext(portal, factory, run_id, name, paths.downloads, paths.outbox, options)
                return await _with_trace(portal, paths, result, lambda: _flow_once_more(job, ctx, signer))
            finally:
                if browser.connected:
                    await context.close()
        except Exception as exc:
            if browser.connected and not _target_closed(exc):
                raise
            raise BrowserDied(  # whatever the flow made of it (a timeout, a missing selector): Chromium died
                f"Chromium stopped in the middle of {job} (killed, or out of memory on this server); "
                "what was saved is kept and the next run continues"
            ) from exc


def _target_closed(exc: BaseException) -> bool:
    """True when Playwright says the browser (or its page) went away underneath us (TargetClosedError)."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if type(current).__name__ == "TargetClosedError":
            return True
        current = current.__cause__ or current.__context__
    return False


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
        await _keep_trace(portal, paths, result)
        _collect_screens(paths, result)
        raise
    await stop_trace(portal.context, None)
    return counts


async def _keep_trace(portal: PortalPage, paths: Paths, result: RunResult) -> None:
    """Keep the failure trace when there is room for it and the browser is still there to hand it over.

    A trace that cannot be kept is said in one line and never replaces the run's own error.
    """
    browser = portal.context.browser
    if browser is not None and not browser.is_connected():
        log.warning("run %s: no failure trace (the browser is gone)", result.run_id)
        return
    if not room_for(paths.traces, TRACE_ROOM_BYTES):
        log.warning(
            "run %s: failure trace not kept, only %d MB free in %s",
            result.run_id,
            max(free_bytes(paths.traces), 0) >> 20,
            paths.traces,
        )
        await stop_trace(portal.context, None)
        return
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    try:
        kept = await stop_trace(portal.context, paths.traces / f"run-{result.run_id}-{stamp}.zip")
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        log.warning("run %s: failure trace not kept: the disk of %s is full", result.run_id, paths.traces)
        return
    if kept is not None:
        result.artifacts.append(str(kept))


def _collect_screens(paths: Paths, result: RunResult) -> None:
    if paths.screenshots.is_dir():
        recent = [p for p in paths.screenshots.glob("*.png") if time.time() - p.stat().st_mtime < 600]
        result.artifacts += [str(p) for p in sorted(recent) if str(p) not in result.artifacts]
