"""The Today page's facts per practice account: runs, failures with the action to take, incidents, the
portal's sign-in block, next runs, portal health and selector drift."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import errors
from connector.settings import ConnectorSettings
from connector.store import Account, AuditEvent, BatchState, Run, RunOutcome, SubmissionBatch

OPENED, RESOLVED, ACKED = "incident.open", "incident.resolve", "incident.ack"
RECENT_RUNS = 12
ACKNOWLEDGED_SHOWN = dt.timedelta(days=7)
"""An acknowledged alert stays on Today this long (one-off alerts, e.g. unreadable files, never resolve)."""
DRIFT = (errors.SelectorMissing, errors.UnknownInterstitial)
"""Failures that mean the portal's pages changed under the selector map."""


@dataclass(slots=True)
class Incident:
    """An open incident (a person was alerted), and who acknowledged it from the dashboard."""

    key: str
    summary: str
    opened_at: dt.datetime
    acknowledged_by: str = ""
    acknowledged_at: dt.datetime | None = None


@dataclass(slots=True)
class Problem:
    """Something that needs a person: what happened and what to do."""

    title: str
    detail: str
    action: str


@dataclass(slots=True)
class AccountToday:
    """One practice account on the Today page."""

    key: str
    practice: str
    runs: list[Run] = field(default_factory=list)
    runs_are_today: bool = True
    problems: list[Problem] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    next_runs: list[tuple[str, dt.datetime | None]] = field(default_factory=list)
    health: Run | None = None
    drift: Run | None = None
    login_blocked: bool = False


def accounts(session: Session, settings: ConnectorSettings) -> list[tuple[str, str]]:
    """(key, practice name) of every account configured or seen in the store, by key."""
    found = {key: acct.practice_name for key, acct in settings.accounts.items()}
    for row in session.scalars(select(Account)):
        found.setdefault(row.key, row.practice_name)
    return sorted(found.items())


def account_ids(session: Session) -> dict[str, int]:
    """Account key -> id in the store."""
    return {row.key: row.id for row in session.scalars(select(Account))}


def open_incidents(session: Session) -> list[Incident]:
    """Incidents whose newest open/resolve event opened them, with the newest acknowledgement since."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_((OPENED, RESOLVED, ACKED)), AuditEvent.object.like("incident:%"))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    state: dict[str, Incident | None] = {}
    for event in events:
        key = event.object.removeprefix("incident:")
        if event.action == OPENED:
            state[key] = Incident(key, str((event.detail or {}).get("summary", "")), event.at)
        elif event.action == RESOLVED:
            state[key] = None
        elif (incident := state.get(key)) is not None:
            incident.acknowledged_by = event.actor.removeprefix("web:")
            incident.acknowledged_at = event.at
    return [i for i in state.values() if i is not None]


def advice(error_class: str | None, account: str) -> str:
    """What a person does about a failure of this class (the advice the alert carries)."""
    cls = errors.by_name(error_class)
    return cls.advice(account) if cls is not None else errors.DEFAULT_ADVICE


def _shown(incident: Incident, since: dt.datetime) -> bool:
    return incident.acknowledged_at is None or incident.acknowledged_at > since


def _is(error_class: str | None, kinds: tuple[type[errors.ConnectorError], ...]) -> bool:
    cls = errors.by_name(error_class)
    return cls is not None and issubclass(cls, kinds)


def needs_person(error_class: str | None) -> bool:
    """True when no retry fixes a failure of this class."""
    cls = errors.by_name(error_class)
    return cls is not None and cls.needs_person


def start_of_today(settings: ConnectorSettings, now: dt.datetime) -> dt.datetime:
    """Midnight today in the practice's time zone, as UTC."""
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    return dt.datetime.combine(local.date(), dt.time(), zone).astimezone(dt.UTC)


def today(session: Session, settings: ConnectorSettings, now: dt.datetime) -> list[AccountToday]:
    """Everything the Today page shows, per account."""
    from connector.jobs.paths import Paths

    ids = account_ids(session)
    incidents = open_incidents(session)
    planned = next_runs(settings, now.astimezone(ZoneInfo(settings.timezone))) if settings.accounts else []
    midnight = start_of_today(settings, now)
    shown_since = now - ACKNOWLEDGED_SHOWN
    out = []
    for key, practice in accounts(session, settings):
        item = AccountToday(key, practice)
        account_id = ids.get(key, -1)  # an account configured but never run has no rows
        runs = select(Run).where(Run.account_id == account_id).order_by(Run.started_at.desc(), Run.id.desc())
        item.runs = list(session.scalars(runs.where(Run.started_at >= midnight)))
        if not item.runs:
            item.runs, item.runs_are_today = list(session.scalars(runs.limit(RECENT_RUNS))), False
        latest: dict[str, Run] = {}
        for run in session.scalars(runs.limit(200)):
            latest.setdefault(run.job, run)
        item.health = latest.get("health")
        item.drift = next((r for r in latest.values() if _is(r.error_class, DRIFT)), None)
        for job, run in sorted(latest.items()):
            if run.outcome == RunOutcome.FAILED:
                kind = "needs a person" if needs_person(run.error_class) else "retried at the next run"
                item.problems.append(
                    Problem(
                        f"{job} failed ({kind})",
                        f"{run.error_class}: {run.error_message or ''}",
                        advice(run.error_class, key),
                    )
                )
        unknown = select(SubmissionBatch).where(
            SubmissionBatch.state == BatchState.UNKNOWN, SubmissionBatch.account_id == account_id
        )
        for batch in session.scalars(unknown):
            item.problems.append(
                Problem(
                    f"Claim batch {batch.id}: upload outcome unknown",
                    batch.detail or "",
                    "Nothing yet: the next run checks the portal's batch list before sending again.",
                )
            )
        item.incidents = [i for i in incidents if i.key.split(":", 1)[0] == key and _shown(i, shown_since)]
        item.next_runs = [
            (job_id.split(":", 1)[-1], when)
            for job_id, _cron, when in planned
            if job_id.split(":", 1)[0] == key
        ]
        item.login_blocked = Paths(settings.data_dir, key).login_block.exists()
        out.append(item)
    return out


def next_runs(settings: ConnectorSettings, now: dt.datetime) -> list[tuple[str, str, dt.datetime | None]]:
    """(job id, cron, next fire time in the practice's zone) for every planned job (as `connector status`)."""
    from connector.ops.scheduler import job_plan, make_trigger

    out = []
    for planned in job_plan(settings):
        trigger = make_trigger(planned.cron, settings.timezone)
        out.append((planned.job_id, planned.cron, trigger.get_next_fire_time(None, now)))
    return out


def counts_text(counts: dict[str, Any]) -> str:
    """A run's counts as 'eras 3, pdfs 2' (zeros left out)."""
    return ", ".join(
        f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items()) if v not in (0, "", None)
    )
