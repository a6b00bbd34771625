"""Append-only records: audit events, claim-status observations, acknowledgements, reconciliations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store.models import (
    Acknowledgement,
    AuditEvent,
    ClaimStatusObservation,
)
from connector.store.types import AckKind, utcnow


def add_audit_event(
    session: Session, actor: str, action: str, object: str, detail: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``object`` (e.g. ``batch:12``). Never pass PHI."""
    event = AuditEvent(at=utcnow(), actor=actor, action=action, object=object, detail=dict(detail or {}))
    session.add(event)
    session.flush()
    return event


def add_claim_status(
    session: Session,
    *,
    claim_number: str,
    status_text: str = "",
    status_category: str | None = None,
    status_code: str | None = None,
    paid_amount: Decimal | None = None,
    payment_number: str | None = None,
    payment_date: dt.date | None = None,
    payer_claim_number: str | None = None,
    observed_at: dt.datetime | None = None,
    run_id: int | None = None,
    account_id: int | None = None,
) -> ClaimStatusObservation:
    """Append what the portal said about one claim."""
    observation = ClaimStatusObservation(
        claim_number=claim_number,
        payer_claim_number=payer_claim_number,
        observed_at=observed_at or utcnow(),
        status_category=status_category,
        status_code=status_code,
        status_text=status_text,
        paid_amount=paid_amount,
        payment_number=payment_number,
        payment_date=payment_date,
        run_id=run_id,
        account_id=account_id,
    )
    session.add(observation)
    session.flush()
    return observation


def latest_claim_status(session: Session, claim_number: str) -> ClaimStatusObservation | None:
    """The newest observation of this claim, if any."""
    return session.scalars(
        select(ClaimStatusObservation)
        .where(ClaimStatusObservation.claim_number == claim_number)
        .order_by(ClaimStatusObservation.observed_at.desc(), ClaimStatusObservation.id.desc())
        .limit(1)
    ).first()


def add_acknowledgement(
    session: Session,
    *,
    kind: AckKind,
    accepted: bool,
    batch_id: int | None = None,
    file_id: int | None = None,
    accepted_count: int = 0,
    rejected_count: int = 0,
    detail: Sequence[Mapping[str, Any]] = (),
) -> Acknowledgement:
    """Record a 999 or 277CA for a batch (``detail``: one mapping per claim or transaction)."""
    ack = Acknowledgement(
        kind=AckKind(kind),
        batch_id=batch_id,
        file_id=file_id,
        accepted=accepted,
        accepted_count=accepted_count,
        rejected_count=rejected_count,
        detail=[dict(item) for item in detail],
        received_at=utcnow(),
    )
    session.add(ack)
    session.flush()
    return ack
