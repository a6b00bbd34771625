"""Incidents kept in the audit log (who was told what, so once per incident) and portal downtime."""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import store
from connector.store import Account, AuditEvent, Run, RunOutcome

ACTOR = "connector"
OPENED, RESOLVED = "incident.open", "incident.resolve"


def _session(url: str) -> contextlib.AbstractContextManager[Session]:
    store.ensure_schema(url)
    return store.open_session(url)


def _latest(session: Session, actions: tuple[str, ...], obj: str) -> AuditEvent | None:
    query = (
        select(AuditEvent)
        .where(AuditEvent.object == obj, AuditEvent.action.in_(actions))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


class StoreIncidentLog:
    """An IncidentLog (connector.ops.notify) backed by the audit_event table, so it survives restarts."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url

    def is_open(self, key: str) -> bool:
        """True when the newest event for the incident opened it."""
        with _session(self.url) as session:
            event = _latest(session, (OPENED, RESOLVED), f"incident:{key}")
            return event is not None and event.action == OPENED

    def open(self, key: str, summary: str) -> None:
        """Record that a person was told about the incident."""
        with _session(self.url) as session:
            store.add_audit_event(session, ACTOR, OPENED, f"incident:{key}", {"summary": summary[:200]})
            session.commit()

    def resolve(self, key: str) -> bool:
        """Close the incident; True when one was open."""
        with _session(self.url) as session:
            event = _latest(session, (OPENED, RESOLVED), f"incident:{key}")
            if event is None or event.action != OPENED:
                return False
            store.add_audit_event(session, ACTOR, RESOLVED, f"incident:{key}")
            session.commit()
        return True


def minutes_since_portal_was_up(database_url: str, account: str) -> float | None:
    """Minutes since the last successful health check of the account (None if it never failed or ran)."""
    with _session(database_url) as session:
        account_id = session.scalars(select(Account.id).where(Account.key == account)).first()
        if account_id is None:
            return None
        runs = select(Run).where(Run.job == "health", Run.account_id == account_id)
        last_ok = session.scalars(
            runs.where(Run.outcome == RunOutcome.SUCCEEDED).order_by(Run.started_at.desc()).limit(1)
        ).first()
        first_bad = session.scalars(
            runs.where(Run.outcome != RunOutcome.SUCCEEDED)
            .where(
                Run.started_at > (last_ok.started_at if last_ok else dt.datetime.min.replace(tzinfo=dt.UTC))
            )
            .order_by(Run.started_at)
            .limit(1)
        ).first()
        if first_bad is None:
            return None
        since = last_ok.started_at if last_ok else first_bad.started_at
    return (dt.datetime.now(dt.UTC) - since).total_seconds() / 60
