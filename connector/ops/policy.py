"""One job under the retry policy and the alert rules, the same for `connector run`, scheduler and demo."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt

from connector.clock import describe_offset, is_off
from connector.errors import BrowserDied, ConnectorError
from connector.jobs.context import RunResult
from connector.jobs.execute import run_job
from connector.jobs.registry import spec
from connector.ops.incidents import minutes_since_portal_was_up
from connector.ops.notify import Notifier
from connector.ops.retry import RetryPolicy, wait_seconds
from connector.settings import ConnectorSettings
from connector.store import RunOutcome as Outcome

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


async def run_with_policy(
    job: str,
    account: str,
    settings: ConnectorSettings,
    notifier: Notifier,
    policy: RetryPolicy | None = None,
    sleep: Sleep = asyncio.sleep,
    options: dict[str, Any] | None = None,
) -> RunResult:
    """Run one job, retrying while its error is ``retryable``; alert a person once if it ``needs_person``."""
    chosen = policy or settings.retry

    def _wait(state: RetryCallState) -> float:
        last: RunResult = state.outcome.result() if state.outcome is not None else None  # type: ignore[assignment]
        pause = wait_seconds(chosen, state.attempt_number, last.retry_after if last else None)
        log.info(
            "%s for %s: %s; retry %d in %.1f s", job, account, last.error_class, state.attempt_number, pause
        )
        return pause

    retrying = AsyncRetrying(
        retry=retry_if_result(lambda result: bool(result.retryable)),
        stop=stop_after_attempt(max(chosen.attempts, 1)),
        wait=_wait,
        sleep=sleep,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome is not None else None,
    )
    result: RunResult = await retrying(run_job, job, account, settings, options=options)
    if isinstance(
        result.error, BrowserDied
    ):  # once, at once, with a fresh Chromium (each run starts its own)
        log.warning("%s for %s: %s; once more with a fresh browser", job, account, result.error_message)
        result = await retrying(run_job, job, account, settings, options=options)
    await asyncio.to_thread(after_run, job, account, settings, notifier, result)
    return result


def after_run(
    job: str, account: str, settings: ConnectorSettings, notify: Notifier, result: RunResult
) -> None:
    """The alerts and resolutions that follow a finished run (after its retries)."""
    needs = spec(job).needs
    clock_incident(account, notify, result)
    if result.ok:
        if needs == "status":
            notify.resolved(
                f"{account}:outage", "Payer portal is back", f"The portal answers again ({account})."
            )
        elif needs == "browser":
            notify.resolved(f"{account}:person", "Portal work runs again", f"{job} succeeded for {account}.")
        for kind in TOLD:
            notify.resolved(f"{account}:{job}:{kind}", f"{job} runs again ({account})", f"{job} succeeded.")
        report_findings(job, account, notify, result)
        return
    if needs == "status" and result.outcome != Outcome.SKIPPED.value:
        _maybe_outage_alert(account, settings, notify, result)
    error = result.error
    if isinstance(error, ConnectorError) and error.tell_person and not error.needs_person:
        notify.alert(  # once per kind of trouble, until a run of this job succeeds
            f"{account}:{job}:{result.error_class}",
            f"portal-connector: {job} could not run ({account})",
            f"Job {job} for practice account {account} stopped: {result.error_class}: "
            f"{result.error_message}\n\nWhat to do: {error.advice(account)}",
        )
    if result.needs_person and isinstance(result.error, ConnectorError):
        body = (
            f"Job {job} for practice account {account} stopped: {result.error_class}: "
            f"{result.error_message}\n\nWhat to do: {result.error.advice(account)}"
        )
        notify.alert(f"{account}:person", f"portal-connector needs a person ({account})", body)


TOLD = ("DiskFull", "BrowserDied", "ArchiveRefused", "PMExportError", "InputError", "X12ParseError")
"""Kinds of ``tell_person`` trouble whose open incident a successful run of the same job resolves."""


def clock_incident(account: str, notify: Notifier, result: RunResult) -> None:
    """Warn a person once when this machine's clock is off from the portal's; say when it is right again."""
    offset = result.counts.get("clock_offset_s")
    if not isinstance(offset, int | float):
        return
    key = f"{account}:clock"
    if is_off(offset):
        notify.alert(
            key,
            f"The server clock is off ({account})",
            f"{describe_offset(offset)}. One-time sign-in codes are made on the portal's time meanwhile, "
            "but fix the server's time synchronisation.",
        )
    else:
        notify.resolved(key, f"The server clock is right again ({account})", describe_offset(offset))


def report_findings(job: str, account: str, notifier: Notifier, result: RunResult) -> None:
    """A successful run can still leave work for a person: unreadable files, claims the payer rejected."""
    quarantined = int(result.counts.get("quarantined", 0) or 0)
    if quarantined:
        notifier.alert(
            f"{account}:quarantine:{result.run_id}",
            f"{quarantined} file(s) could not be read ({account})",
            f"Job {job} kept {quarantined} file(s) it could not read (malformed X12) and went on "
            "with the rest. They are listed in the run ledger (`connector status`); send them to "
            "the payer or the PM vendor.",
        )
    for unread in result.counts.get("unread_files", None) or ():
        notifier.alert(
            f"{account}:unreadable:{unread['sha256']}",
            f"An ERA file could not be read ({account})",
            f"Job {job} reconciled every other ERA; {unread['file']} could not be read without guessing and "
            "is listed on the report's 'Files not read' sheet. Ask the payer for a corrected copy.",
        )
    _access_findings(account, notifier, result)
    rejected = int(result.counts.get("claims_rejected", 0) or 0)
    if rejected:
        notifier.alert(
            f"{account}:rejected:{result.run_id}",
            f"The payer rejected {rejected} claim(s) ({account})",
            f"The claim acknowledgement (277CA) rejected {rejected} claim(s). Correct them in the "
            "PM system and send them again; the acknowledgement detail is in the store.",
        )


def _access_findings(account: str, notifier: Notifier, result: RunResult) -> None:
    """What the portal would not give: a Standard access level (told once), PDFs that never appeared."""
    if result.counts.get("access") == "standard":  # an incident key: a person is told once, not every day
        notifier.alert(
            f"{account}:standard-access",
            f"Standard portal access: some files cannot be fetched ({account})",
            "The payer portal gives this TIN Standard (free) access. The connector fetches every 835 as "
            f"usual but cannot fetch: {result.counts.get('unavailable', 'premium features')}. "
            "Activate the portal's premium services to have them fetched too.",
        )
    never = int(result.counts.get("pdf_never_ready", 0) or 0)
    if never:
        notifier.alert(
            f"{account}:pdf-never-ready:{result.run_id}",
            f"{never} PDF remit(s) never appeared ({account})",
            f"The portal was asked for {never} PDF remit(s) days ago and never made them available "
            f"(payments {result.counts.get('pdf_never_ready_payments', '')}). Their 835s are stored; "
            "ask the payer for the PDFs if the office needs them.",
        )


def _maybe_outage_alert(
    account: str, settings: ConnectorSettings, notify: Notifier, result: RunResult
) -> None:
    """Alert once when the portal has been unreachable longer than the threshold."""
    down = minutes_since_portal_was_up(settings.database_url, account)
    if down is not None and down >= settings.portal_down_alert_minutes:
        notify.alert(
            f"{account}:outage",
            f"Payer portal down for {int(down)} minutes ({account})",
            f"The status check keeps failing ({result.error_class}). "
            "Nothing is lost: the next run catches up.",
        )
