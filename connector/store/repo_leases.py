"""Named leases with expiry ("one scheduler per database"): acquire, renew, release.

Each call is a single guarded statement; commit right after it so other processes see the lease.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from connector.store._sql import insert_ignoring_conflict
from connector.store.models import SchedulerLease
from connector.store.types import utcnow


def _check_ttl(ttl: dt.timedelta) -> None:
    if ttl <= dt.timedelta(0):
        raise ValueError("a lease needs a positive time to live")


def acquire_lease(session: Session, name: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take lease ``name`` for ``holder`` until now + ``ttl``.

    True when it was free, expired, or already ours (then it is extended); False while another
    holder's lease is still valid.
    """
    _check_ttl(ttl)
    now = utcnow()
    values = {"name": name, "holder": holder, "acquired_at": now, "expires_at": now + ttl}
    inserted = session.execute(
        insert_ignoring_conflict(session, SchedulerLease, values, ["name"]).returning(SchedulerLease.name)
    ).scalar_one_or_none()
    if inserted is not None:
        return True
    ours = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(ours, CursorResult)
    if ours.rowcount == 1:
        return True
    taken = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.expires_at <= now)
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(taken, CursorResult)
    return taken.rowcount == 1


def renew_lease(session: Session, name: str, holder: str, ttl: dt.timedelta) -> bool:
    """Extend our lease to now + ``ttl``; False when another holder has taken it meanwhile."""
    _check_ttl(ttl)
    result = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() + ttl)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def release_lease(session: Session, name: str, holder: str) -> bool:
    """Give lease ``name`` up; False when it was not ours (any more)."""
    result = session.execute(
        delete(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def lease_holder(session: Session, name: str) -> str | None:
    """Who holds lease ``name`` right now (None when free or expired)."""
    return session.scalars(
        select(SchedulerLease.holder).where(SchedulerLease.name == name, SchedulerLease.expires_at > utcnow())
    ).first()


def take_over_lease(session: Session, name: str, gone_holder: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take lease ``name`` from ``gone_holder`` (a process known to be dead) even before it expires.

    Guarded on the old holder: False when someone else took or renewed it meanwhile under another name.
    """
    _check_ttl(ttl)
    now = utcnow()
    taken = session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == gone_holder)
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(taken, CursorResult)
    return taken.rowcount == 1


def leases_starting(session: Session, prefix: str) -> list[SchedulerLease]:
    """Every lease whose name starts with ``prefix`` (e.g. the fleet workers' ``worker:``), by name."""
    query = select(SchedulerLease).where(SchedulerLease.name.startswith(prefix, autoescape=True))
    return list(session.scalars(query.order_by(SchedulerLease.name)))
