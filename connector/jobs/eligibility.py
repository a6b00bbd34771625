"""The eligibility job: the PM schedule's next business days, each patient and date of service checked once
a day on the portal (paced, resumable), results kept in the store, the day's workbook, one alert each.

Flow: read the schedule -> skip what today's rows already hold -> check the rest one by one, committing
each answer at once (a killed run resumes where it stopped; only a search in flight at the kill is asked
again) -> write ``reports/<account>/eligibility-<day>.xlsx`` -> alert once per appointment with a problem on
the next business day.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import store
from connector.eligibility.assess import Assessment, assess
from connector.eligibility.codec import from_json, to_json
from connector.eligibility.model import (
    Appointment,
    Coverage,
    EligibilityResult,
    Inquiry,
    business_days_after,
)
from connector.errors import ConfigError, PortalUnavailable
from connector.jobs.context import JobContext
from connector.ops.notify import Notifier
from connector.pm.schedule import Schedule, read_schedule
from connector.report.eligibility import problem_text, write_eligibility_workbook
from connector.store import EligibilityCheck
from flows.eligibility import check_eligibility

if TYPE_CHECKING:
    from connector.settings import ConnectorSettings

log = logging.getLogger(__name__)

THROTTLE_ATTEMPTS = 8
"""Searches of one patient refused in a row (429/5xx) before the run gives up (the cycle retries it)."""
MAX_PACE_SECONDS = 30.0


@dataclass(slots=True)
class Pacer:
    """Keeps searches at least ``interval`` seconds apart; a refusal (429/5xx) doubles the interval for the
    rest of the run and waits (Retry-After when the portal gave one) before asking again."""

    interval: float
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    throttled: int = 0
    _last: float = field(default=-1e9)

    async def run(self, call: Callable[[], Awaitable[EligibilityResult]]) -> EligibilityResult:
        """One search, paced; raises the last PortalUnavailable after THROTTLE_ATTEMPTS refusals."""
        for attempt in range(1, THROTTLE_ATTEMPTS + 1):
            wait = self._last + self.interval - time.monotonic()
            if wait > 0:
                await self.sleep(wait)
            self._last = time.monotonic()
            try:
                return await call()
            except PortalUnavailable as exc:
                self.throttled += 1
                self.interval = min(max(self.interval * 2, 0.5), MAX_PACE_SECONDS)
                if attempt == THROTTLE_ATTEMPTS:
                    raise
                pause = exc.retry_after if exc.retry_after else self.interval
                log.info("eligibility: portal refused a search (%s); slowing to %.1f s", exc, self.interval)
                await self.sleep(pause)
        raise AssertionError("unreachable")


def practice_today(settings: ConnectorSettings) -> dt.date:
    """Today on the practice's wall clock."""
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def inquiry_for(appointment: Appointment) -> Inquiry:
    """What the portal is asked for one appointment."""
    return Inquiry(
        member_id=appointment.member_id,
        last_name=appointment.last_name,
        first_name=appointment.first_name,
        dob=appointment.dob,
        service_date=appointment.service_date,
        provider_npi=appointment.provider_npi,
        payer_id=appointment.payer_id,
        payer_name=appointment.payer_name,
        sex=appointment.sex,
    )


def _rows_of_day(
    session: Session, account_id: int, day: dt.date
) -> dict[tuple[str, dt.date], EligibilityCheck]:
    query = select(EligibilityCheck).where(
        EligibilityCheck.account_id == account_id, EligibilityCheck.checked_on == day
    )
    return {(r.patient_key, r.service_date): r for r in session.scalars(query)}


def _save(ctx: JobContext, account_id: int, day: dt.date, a: Assessment) -> None:
    """Insert (or, for an appointment not checked before, update) today's row for this patient and date."""
    appt = a.appointment
    with ctx.factory.begin() as session:
        row = _rows_of_day(session, account_id, day).get((appt.patient_id, appt.service_date))
        if row is None:
            row = EligibilityCheck(
                account_id=account_id,
                checked_on=day,
                patient_key=appt.patient_id,
                service_date=appt.service_date,
            )
            session.add(row)
        elif row.status == Coverage.NOT_CHECKED.value and a.status is not Coverage.NOT_CHECKED:
            row.alerted_at = None
        row.run_id = ctx.run_id
        row.status = a.status.value
        row.problems = [p.value for p in a.problems]
        row.result = to_json(a.result) if a.result is not None else {}
        row.note = a.note or None
        row.estimate = a.estimate


async def run(ctx: JobContext) -> dict[str, Any]:
    """Check the schedule's appointments of the next business days; write the workbook; alert.

    Options: ``as_of`` (the practice's day to check from; default today), ``days``, ``schedule`` and
    ``schedule_profile`` (default: the account's settings).
    """
    opts, settings, acct = ctx.options, ctx.settings, ctx.account_settings
    path = opts.get("schedule") or acct.pm_schedule
    if not path:
        raise ConfigError(
            f"set CONNECTOR_ACCOUNTS__{ctx.account.upper()}__PM_SCHEDULE to the PM schedule export"
        )
    profile = opts.get("schedule_profile") or acct.schedule_profile
    schedule = read_schedule(Path(path), profile, override_dir=settings.mappings_dir)
    today: dt.date = opts.get("as_of") or practice_today(settings)
    window = business_days_after(today, int(opts.get("days") or settings.eligibility_days))
    appointments = [a for a in schedule.appointments if a.service_date in window]
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
        rows = _rows_of_day(session, account_id, today)
        done = {k for k, r in rows.items() if r.status != Coverage.NOT_CHECKED.value}
    pacer = Pacer(float(opts.get("pace_seconds", settings.eligibility_pace_seconds)))
    counts: dict[str, Any] = {"appointments": len(appointments), "checked": 0, "already_checked": 0}
    counts["not_checked"] = 0
    for appt in appointments:
        key = (appt.patient_id, appt.service_date)
        if key in done:
            counts["already_checked"] += 1
            continue
        if appt.unusable:
            counts["not_checked"] += 1
            _save(ctx, account_id, today, assess(appt, None))
            continue
        result = await pacer.run(lambda appt=appt: check_eligibility(ctx.portal, inquiry_for(appt)))  # type: ignore[misc]
        result.service_date = appt.service_date
        _save(ctx, account_id, today, assess(appt, result))
        done.add(key)
        counts["checked"] += 1
    with ctx.factory() as session:
        rows = _rows_of_day(session, account_id, today)
    assessments = [_assessment(a, rows.get((a.patient_id, a.service_date))) for a in appointments]
    workbook = Path(settings.data_dir) / "reports" / ctx.account / f"eligibility-{today.isoformat()}.xlsx"
    write_eligibility_workbook(assessments, workbook, day=today, source=schedule.source)
    ctx.keep_report(workbook)
    alerted = _alert(ctx, account_id, today, window, assessments, list(settings.notify_urls))
    problems = sum(1 for a in assessments if a.problems)
    counts |= {"problems": problems, "throttled": pacer.throttled, "alerted": alerted}
    counts |= {"pace_seconds": round(pacer.interval, 2), "workbook": str(workbook)}
    log.info(
        "eligibility: %d appointment(s), %d checked, %d with problems",
        len(appointments),
        counts["checked"],
        problems,
    )
    return counts


def day_assessments(
    settings: ConnectorSettings, account: str, schedule: Schedule, today: dt.date, days: int
) -> list[Assessment]:
    """The assessments of a schedule's appointments in the window, from today's stored checks."""
    window = business_days_after(today, days)
    appointments = [a for a in schedule.appointments if a.service_date in window]
    with store.open_session(settings.database_url) as session:
        found = session.scalars(select(store.Account.id).where(store.Account.key == account)).first()
        rows = _rows_of_day(session, int(found), today) if found is not None else {}
    return [_assessment(a, rows.get((a.patient_id, a.service_date))) for a in appointments]


def _assessment(appt: Appointment, row: EligibilityCheck | None) -> Assessment:
    if appt.unusable or row is None or not row.result:
        return assess(appt, None, note=row.note or "" if row is not None else "not checked")
    return assess(appt, from_json(row.result))


def _alert(
    ctx: JobContext,
    account_id: int,
    today: dt.date,
    window: list[dt.date],
    assessments: list[Assessment],
    urls: list[SecretStr],
) -> int:
    """One message with every appointment of the next business day that has a problem not yet alerted."""
    if not window:
        return 0
    notifier = Notifier(urls)
    nxt = window[0]
    with ctx.factory.begin() as session:
        rows = _rows_of_day(session, account_id, today)
        fresh = []
        for a in assessments:
            row = rows.get((a.appointment.patient_id, a.appointment.service_date))
            if (
                a.problems
                and a.appointment.service_date == nxt
                and row is not None
                and row.alerted_at is None
            ):
                fresh.append((a, row))
        if not fresh or not notifier.configured:
            return 0
        lines = [
            f"{a.appointment.start:%H:%M} appointment {a.appointment.appointment_id or a.appointment.row}: "
            f"{problem_text(a.problems)}"
            for a, _ in fresh
        ]
        body = (
            f"Eligibility problems for {nxt.isoformat()} ({ctx.account}):\n"
            + "\n".join(lines)
            + "\n\nThe Eligibility workbook has the details. Call the patient or the payer before the visit."
        )
        title = f"{len(fresh)} appointment(s) tomorrow need an eligibility follow-up ({ctx.account})"
        if notifier.alert(f"{ctx.account}:eligibility:{ctx.run_id}", title, body):
            for _, row in fresh:
                row.alerted_at = store.utcnow()
            return len(fresh)
    return 0
