"""PDF remits asked for and not yet collected (a portal's generation queue), per account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store.models_ops import PdfRequest
from connector.store.types import utcnow


def note_pdf_requests(
    session: Session,
    account_id: int,
    pending: Iterable[tuple[str, str | None, dt.date | None]],
    run_id: int | None,
) -> int:
    """Record ``(reference, payment number, payment date)`` of PDFs still generating; returns the new ones.

    A reference asked for before keeps its first request time (the clock for "never appeared").
    """
    now = utcnow()
    new = 0
    for reference, number, date in pending:
        row = session.scalars(
            select(PdfRequest).where(
                PdfRequest.account_id == account_id, PdfRequest.portal_reference == reference
            )
        ).first()
        if row is None:
            row = PdfRequest(account_id=account_id, portal_reference=reference, payment_number=number)
            row.payment_date, row.requested_at, row.last_seen_at, row.run_id = date, now, now, run_id
            session.add(row)
            new += 1
        else:
            row.last_seen_at = now
    session.flush()
    return new


def close_pdf_requests(session: Session, account_id: int, references: Iterable[str]) -> int:
    """Mark the requests of PDFs now stored as collected; returns how many were open."""
    wanted = set(references)
    if not wanted:
        return 0
    rows = session.scalars(
        select(PdfRequest).where(PdfRequest.account_id == account_id, PdfRequest.collected_at.is_(None))
    ).all()
    now = utcnow()
    closed = 0
    for row in rows:
        if row.portal_reference in wanted:
            row.collected_at = now
            closed += 1
    return closed


def open_pdf_requests(session: Session, account_id: int) -> list[PdfRequest]:
    """Requests not collected yet, oldest first."""
    query = (
        select(PdfRequest)
        .where(PdfRequest.account_id == account_id, PdfRequest.collected_at.is_(None))
        .order_by(PdfRequest.requested_at, PdfRequest.id)
    )
    return list(session.scalars(query))


def overdue_pdf_requests(session: Session, account_id: int, older_than: dt.timedelta) -> list[PdfRequest]:
    """Open requests older than ``older_than`` not reported yet; they are marked reported (said once)."""
    cutoff = utcnow() - older_than
    rows = [
        r for r in open_pdf_requests(session, account_id) if r.reported_at is None and r.requested_at < cutoff
    ]
    now = utcnow()
    for row in rows:
        row.reported_at = now
    return rows
