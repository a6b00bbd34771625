"""The daily cycle: each job through the retry policy, one alert per incident, then reconcile, summarise."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector import errors
from connector.notify import Notifier
from connector.reconcile_job import reconcile_from_store
from connector.retry import RetryPolicy, retryable_class, wait_seconds
from connector.runner import RunResult, run_job
from connector.settings import ConnectorSettings
from connector.store_incidents import StoreIncidentLog
from flows.records import MemberQuery

log = logging.getLogger(__name__)

CYCLE = ("health", "eras", "statuses", "upload", "acks", "reconcile")
PORTAL_JOBS = ("health", "eras", "statuses", "upload", "acks")

WHAT_TO_DO = {
    "LoginRejected": "The portal refused the password. Check it in the portal, then update "
    "CONNECTOR_ACCOUNTS__{ACCOUNT}__PASSWORD. The connector will not try again until then "
    "(three refusals lock the account).",
    "MfaFailed": "The portal refused the authenticator code. Check the server clock (NTP) and "
    "CONNECTOR_ACCOUNTS__{ACCOUNT}__TOTP_SECRET.",
    "SelectorMissing": "The portal page changed and a selector no longer matches. Run "
    "`connector selectors check --account {account}` and update the selector map.",
    "UnknownInterstitial": "The portal shows a page the connector does not know (terms, survey, notice). "
    "Sign in by hand, read and accept it, then the next run continues. A masked screenshot is in data/.",
    "PortalUnavailable": "The portal kept failing after retries; the connector tries again at the next run.",
}

Progress = Callable[[str, RunResult | None], None]


def needs_person(result: RunResult) -> bool:
    """True when the run failed for a reason no retry fixes."""
    return errors.needs_person(result.error_class)


def retryable(result: RunResult) -> bool:
    """True when the run failed because the portal was unavailable for a while (5xx, 429, timeouts)."""
    cls = errors.by_name(result.error_class)
    return cls is not None and retryable_class(cls)


@dataclass
class CycleOutcome:
    """What one cycle did, for the summary table, the notification and the scheduler."""

    account: str
    results: list[RunResult] = field(default_factory=list)
    report: Path | None = None
    skipped_until: str | None = None
    stopped_by: str | None = None

    @property
    def ok(self) -> bool:
        """True when every job ran (or was skipped for maintenance) and nothing needs a person."""
        return self.stopped_by is None and all(r.ok for r in self.results)


async def run_with_policy(
    job: str,
    account: str,
    settings: ConnectorSettings,
    notifier: Notifier,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    options: dict[str, Any] | None = None,
) -> RunResult:
    """Run one portal job, retrying while the portal is unavailable; alert a person once when needed."""
    chosen = policy or RetryPolicy()
    attempt = 0
    while True:
        attempt += 1
        result = await run_job(job, account, settings, options=options)
        if result.ok:
            if job == "health":
                await asyncio.to_thread(
                    notifier.resolved,
                    f"{account}:outage",
                    "Payer portal is back",
                    f"The portal answers again ({account}).",
                )
            else:
                await asyncio.to_thread(
                    notifier.resolved,
                    f"{account}:person",
                    "Portal work runs again",
                    f"{job} succeeded for {account}.",
                )
            await asyncio.to_thread(_report_findings, job, account, notifier, result)
            return result
        if retryable(result) and attempt < chosen.attempts:
            unavailable = errors.PortalUnavailable("retry", retry_after=result.retry_after)
            pause = wait_seconds(chosen, attempt, unavailable)
            log.info("%s for %s: %s; retry %d in %.1f s", job, account, result.error_class, attempt, pause)
            await sleep(pause)
            continue
        if job == "health" and result.outcome != "SKIPPED":
            await asyncio.to_thread(_maybe_outage_alert, account, settings, notifier, result)
        if needs_person(result):
            advice = WHAT_TO_DO.get(result.error_class or "", "See `connector status` and the connector log.")
            body = (
                f"Job {job} for practice account {account} stopped: {result.error_class}: "
                f"{result.error_message}\n\nWhat to do: "
                + advice.replace("{ACCOUNT}", account.upper()).replace("{account}", account)
            )
            await asyncio.to_thread(
                notifier.alert, f"{account}:person", f"portal-connector needs a person ({account})", body
            )
        return result


async def run_cycle(
    account: str,
    settings: ConnectorSettings,
    *,
    notifier: Notifier | None = None,
    policy: RetryPolicy | None = None,
    progress: Progress | None = None,
    jobs: tuple[str, ...] = CYCLE,
    as_of: dt.date | None = None,
) -> CycleOutcome:
    """health -> ERAs -> claim statuses -> upload -> acknowledgements -> reconcile -> report -> notify."""
    notify = notifier or Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    outcome = CycleOutcome(account)
    for job in jobs:
        if stopping():
            log.info("stop requested: the cycle ends before %s", job)
            outcome.stopped_by = f"{job}: stop requested"
            break
        if progress:
            progress(job, None)
        if job == "reconcile":  # reading every ERA and writing the workbook: off the event loop
            result, outcome.report = await asyncio.to_thread(
                reconcile_from_store, account, settings, as_of=as_of
            )
        else:
            options = None
            if job == "statuses":
                options = await asyncio.to_thread(claims_awaiting_payment, account, settings)
            result = await run_with_policy(job, account, settings, notify, policy, options=options)
        outcome.results.append(result)
        if progress:
            progress(job, result)
        if result.outcome == "SKIPPED":
            outcome.skipped_until = result.until
            log.info("portal in maintenance until %s; the cycle stops here", result.until or "unknown")
            break
        if not result.ok:
            outcome.stopped_by = f"{job}: {result.error_class}"
            break
    if outcome.ok and outcome.report is not None:
        await asyncio.to_thread(
            notify.summary,
            f"Daily reconciliation for {account}",
            summary_text(outcome),
            report=outcome.report,
        )
    return outcome


def claims_awaiting_payment(account: str, settings: ConnectorSettings, limit: int = 100) -> dict[str, Any]:
    """Options for the statuses job: PM claims with no payment on any stored ERA yet (``claims``), and for
    each, the member id + birth date + service date to search by when the payer does not know our id."""
    from sqlalchemy import select

    from connector import store
    from connector.errors import InputError
    from connector.pm.reader import read_export

    acct = settings.accounts[account]
    if acct.pm_export is None:
        return {}
    try:
        export = read_export(acct.pm_export, acct.pm_profile, override_dir=settings.mappings_dir)
    except (InputError, OSError) as exc:
        log.warning("claim statuses: PM export not readable (%s); checking none", type(exc).__name__)
        return {}
    store.ensure_schema(settings.database_url)
    with store.open_session(settings.database_url) as session:
        paid = set(session.scalars(select(store.ClaimPaymentRow.patient_control_number)))
    waiting = [c for c in export.claims if c.claim_id not in paid][:limit]
    members = {}
    for claim in waiting:
        first_date, patient = claim.first_service_date, claim.patient
        if patient.member_id and patient.dob and first_date:
            members[claim.claim_id] = MemberQuery(claim.claim_id, patient.member_id, patient.dob, first_date)
    return {"claims": [c.claim_id for c in waiting], "members": members}


def stopping() -> bool:
    """True once SIGTERM/SIGINT reached the scheduler: finish the current step, start no new one."""
    from connector.scheduler import stop_requested

    return stop_requested.is_set()


def summary_text(outcome: CycleOutcome) -> str:
    """A short, PHI-free summary of the cycle: counts per job and the report's name."""
    lines = []
    for result in outcome.results:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()) if isinstance(v, int | str))
        lines.append(f"{result.job}: {result.outcome.lower()}{' - ' + counts if counts else ''}")
    if outcome.report is not None:
        lines.append(f"Report: {outcome.report.name}")
    return "\n".join(lines)


def _report_findings(job: str, account: str, notifier: Notifier, result: RunResult) -> None:
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
    rejected = int(result.counts.get("claims_rejected", 0) or 0)
    if rejected:
        notifier.alert(
            f"{account}:rejected:{result.run_id}",
            f"The payer rejected {rejected} claim(s) ({account})",
            f"The claim acknowledgement (277CA) rejected {rejected} claim(s). Correct them in the "
            "PM system and send them again; the acknowledgement detail is in the store.",
        )


def _maybe_outage_alert(
    account: str, settings: ConnectorSettings, notify: Notifier, result: RunResult
) -> None:
    """Alert once when the portal has been unreachable longer than the threshold."""
    from connector.store_incidents import minutes_since_portal_was_up

    down = minutes_since_portal_was_up(settings.database_url, account)
    if down is not None and down >= settings.portal_down_alert_minutes:
        notify.alert(
            f"{account}:outage",
            f"Payer portal down for {int(down)} minutes ({account})",
            f"The status check keeps failing ({result.error_class}). "
            "Nothing is lost: the next run catches up.",
        )
