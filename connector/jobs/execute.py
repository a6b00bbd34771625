"""One job end to end: ledger row -> status gate -> browser and sign-in -> the job's module -> ledger closed.

``run_job(job, account, settings)`` never raises for portal, browser or storage trouble: the error object is
carried on the RunResult (and its class name and message in the ledger). A redirect to sign-in mid-run
(SessionExpired) signs in once more and repeats the job once. Retries and alerts are the caller's
(``connector.ops.policy``), so that every caller gets the same ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from connector.browser.session import start_trace, stop_trace
from connector.browser.shared import browser_for
from connector.diskspace import TRACE_ROOM_BYTES, disk_full, free_bytes, is_disk_full, room_for
from connector.errors import BrowserDied, ConnectorError, PortalMaintenance, SessionExpired
from connector.fileio import ensure_private_dir
from connector.filestore import FileStore
from connector.jobs import health
from connector.jobs.context import JobContext, RunResult
from connector.jobs.ledger import Ledger
from connector.jobs.paths import Paths
from connector.jobs.registry import JobFunction, spec
from connector.jobs.signin import Signer
from connector.jobs.signin_state import SignInState
from connector.selectormap import load_map
from connector.settings import ConnectorSettings
from connector.store import RunOutcome as Outcome
from flows.portal import PortalPage

log = logging.getLogger(__name__)


async def run_job(
    job: str,
    account: str | None,
    settings: ConnectorSettings,
    *,
    options: dict[str, Any] | None = None,
) -> RunResult:
    """Run one registered job for one account and record it in the ledger.

    A database that cannot be opened gives a FAILED result without a ledger row (``run_id`` None).
    Raises ConfigError only for an unknown job or account.
    """
    chosen = spec(job)
    name, acct = settings.account(account)
    opened = Ledger.open(settings, job, name, acct)
    if isinstance(opened, RunResult):
        return opened
    ledger, result = opened, opened.result
    ctx = JobContext(ledger.factory, ledger.run_id, name, settings, dict(options or {}))
    try:
        async with ledger.heartbeat():
            try:
                if chosen.needs == "store":
                    result.counts = await chosen.function()(ctx)
                elif chosen.needs == "status":
                    result.counts = {**(await health.run(ctx, result.counts)), **result.counts}
                else:
                    await health.gate_only(ctx, result.counts)  # notes the clock offset in the counts
                    result.counts = {**result.counts, **(await _in_browser(chosen.function(), ctx, result))}
                result.finish(Outcome.SUCCEEDED)
                result.report = ctx.report
                if ctx.report is not None:
                    result.artifacts.append(str(ctx.report))
            except PortalMaintenance as exc:
                result.finish(Outcome.SKIPPED, exc)
            except Exception as exc:
                result.finish(Outcome.FAILED, _named(exc, settings, ledger.run_id))
        ledger.finish()
    finally:
        ledger.close()
    log.info("run %s %s/%s: %s %s", result.run_id, job, name, result.outcome, result.error_class or "")
    return result


def _named(exc: Exception, settings: ConnectorSettings, run_id: int) -> BaseException:
    """The error a failed run records: a full disk anywhere underneath is DiskFull; our own errors as they
    are; anything else is an unexpected bug (its class and frames logged, never its maybe-PHI message)."""
    if is_disk_full(exc):
        return disk_full(settings.data_dir)
    if not isinstance(exc, ConnectorError):
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("run %s failed unexpectedly: %s\n%s", run_id, type(exc).__name__, frames)
    return exc


async def _in_browser(job: JobFunction, ctx: JobContext, result: RunResult) -> dict[str, Any]:
    """Start Chromium, sign in (or reuse the saved sign-in), and run the job on the signed-in page.

    Chromium dying underneath (killed, out of memory) is BrowserDied, whatever the step made of it.
    """
    settings, account = ctx.settings, ctx.account_settings
    paths = ctx.paths
    smap = load_map(account.portal)
    ensure_private_dir(paths.downloads)
    async with browser_for(settings.browser) as browser:
        state = SignInState(ctx.files, paths, settings.browser.storage_state_max_age_hours)
        saved = state.load()  # the data folder's state file, or the database store's (fleet mode)
        context = await browser.new_context(saved)
        try:
            try:
                page = await context.new_page()
                ctx.page = PortalPage(context, page, smap, account.base_url, paths.screenshots)
                signer = Signer(ctx.page, account, paths, state)
                try:
                    await signer.ensure(reuse=saved is not None)
                except ConnectorError:
                    _collect_screens(paths, result)
                    raise
                return await _with_trace(
                    ctx.page,
                    paths,
                    result,
                    lambda: _once_more(job, ctx, signer),
                    ctx.files,
                    settings.browser.trace,
                )
            finally:
                if browser.connected:
                    await context.close()
        except Exception as exc:
            if browser.connected and not _target_closed(exc):
                raise
            raise BrowserDied(
                f"Chromium stopped in the middle of {result.job} (killed, or out of memory on this "
                "server); what was saved is kept and the next run continues"
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


async def _once_more(job: JobFunction, ctx: JobContext, signer: Signer) -> dict[str, Any]:
    """Run the job; on SessionExpired sign in once more and run it again (only once)."""
    try:
        return await job(ctx)
    except SessionExpired:
        log.info("session expired during run %s; signing in once more", ctx.run_id)
        context = ctx.portal.context
        await stop_trace(context, None)  # a trace would record the typed password: drop it, sign in, restart
        await signer.ensure(reuse=False)
        await start_trace(context, ctx.settings.browser.trace)
        counts = await job(ctx)
        counts["sign_ins_again"] = 1
        return counts


async def _with_trace(
    portal: PortalPage,
    paths: Paths,
    result: RunResult,
    body: Callable[[], Awaitable[dict[str, Any]]],
    files: FileStore | None,
    trace: str,
) -> dict[str, Any]:
    """Trace only after sign-in (as the ``browser.trace`` setting says); keep the trace (0600, data/traces,
    or the database store) only when the job fails."""
    await start_trace(portal.context, trace)
    try:
        counts = await body()
    except BaseException:
        await _keep_trace(portal, paths, result, files)
        _collect_screens(paths, result)
        raise
    await stop_trace(portal.context, None)
    return counts


async def _keep_trace(
    portal: PortalPage, paths: Paths, result: RunResult, files: FileStore | None = None
) -> None:
    """Keep the failure trace when there is room for it and the browser is still there to hand it over.

    A trace that cannot be kept is said in one line and never replaces the run's own error.
    """
    browser = portal.context.browser
    if browser is not None and not browser.is_connected():
        log.warning("run %s: no failure trace (the browser is gone)", result.run_id)
        return
    if not room_for(paths.traces, TRACE_ROOM_BYTES):
        free_mb = max(free_bytes(paths.traces), 0) >> 20
        log.warning(
            "run %s: failure trace not kept, only %d MB free in %s", result.run_id, free_mb, paths.traces
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
    if kept is not None and files is not None and files.backend != "folder":
        stored = files.put("trace", paths.account, kept.name, kept.read_bytes())  # scrubbed, then encrypted
        kept.unlink()
        result.artifacts.append(stored.location)
    elif kept is not None:
        result.artifacts.append(str(kept))


def _collect_screens(paths: Paths, result: RunResult) -> None:
    if paths.screenshots.is_dir():
        recent = [p for p in paths.screenshots.glob("*.png") if time.time() - p.stat().st_mtime < 600]
        result.artifacts += [str(p) for p in sorted(recent) if str(p) not in result.artifacts]
