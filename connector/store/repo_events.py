"""Append-only records: audit events, claim-status observations, acknowledgements, reconciliations."""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from connector.store.models import (
    Acknowledgement,
    AuditEvent,
    ClaimStatusObservation,
    ReconciliationResult,
    ReconciliationRun,
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


RESULT_TABLE = cast(Table, ReconciliationResult.__table__)
RESULT_BATCH = 2000
"""Result rows inserted per statement: memory stays flat whatever the number of claims."""
RESULT_DEFAULTS: dict[str, Any] = {
    "claim_payment_id": None, "service_line_id": None, "expected": None, "paid": None, "difference": None,
    "detail": {},
}  # fmt: skip


def save_reconciliation(
    session: Session,
    *,
    as_of: dt.date,
    results: Iterable[Mapping[str, Any]],
    inputs: Mapping[str, Any] | None = None,
    totals: Mapping[str, Any] | None = None,
    run_id: int | None = None,
    account_id: int | None = None,
) -> ReconciliationRun:
    """Store one reconciliation and its result rows (inserted in batches as ``results`` yields them).

    Each result mapping has ``claim_number`` and ``category`` and may have ``claim_payment_id``,
    ``service_line_id``, ``expected``, ``paid``, ``difference`` (Decimal) and ``detail`` (JSON).
    """
    writer = ReconciliationWriter(session, as_of=as_of, inputs=inputs, run_id=run_id, account_id=account_id)
    for row in results:
        writer.add(row)
    return writer.finish(totals)


class ReconciliationWriter:
    """One reconciliation stored as its result rows come (pushed one at a time, inserted in batches of
    RESULT_BATCH); its totals are set by :meth:`finish`. All in the caller's transaction.

    On SQLite the rows are spooled to a private temporary file (unlinked at once) and the run and its rows
    are inserted only in :meth:`finish`: SQLite has one writer at a time, and holding its write lock for
    the whole reconciliation (seconds at 100,000 claims) would make every other job's ledger row and
    heartbeat wait on it."""

    def __init__(
        self,
        session: Session,
        *,
        as_of: dt.date,
        inputs: Mapping[str, Any] | None = None,
        run_id: int | None = None,
        account_id: int | None = None,
    ) -> None:
        self.session = session
        self.run = ReconciliationRun(
            as_of=as_of, created_at=utcnow(), run_id=run_id, account_id=account_id, inputs=dict(inputs or {}),
            totals={},
        )  # fmt: skip
        self._batch: list[dict[str, Any]] = []
        self._spool: IO[bytes] | None = None
        if session.get_bind().dialect.name == "sqlite":
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed in finish; 0600, unlinked)
        else:
            session.add(self.run)
            session.flush()

    def add(self, row: Mapping[str, Any]) -> None:
        """One result row (see :func:`save_reconciliation`)."""
        self._batch.append({**RESULT_DEFAULTS, **row, "reconciliation_run_id": self.run.id})
        if len(self._batch) >= RESULT_BATCH:
            self._flush()

    def finish(self, totals: Mapping[str, Any] | None = None) -> ReconciliationRun:
        """Insert the rows left and set the totals (the snapshot of the Summary)."""
        self.run.totals = dict(totals or {})
        if self._spool is not None:
            self._insert_spooled()
        self._flush()
        self.session.flush()
        self.session.expire(self.run, ["results"])
        return self.run

    def _flush(self) -> None:
        if not self._batch:
            return
        if self._spool is not None:
            pickle.dump(self._batch, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            self.session.execute(insert(RESULT_TABLE), self._batch)  # Core: no ORM work per row
        self._batch = []

    def _insert_spooled(self) -> None:
        """SQLite: the run row now, then every spooled batch with its id (one short write)."""
        spool, self._spool = self._spool, None
        assert spool is not None
        self.session.add(self.run)
        self.session.flush()
        rows, self._batch = self._batch, []
        with spool:
            spool.seek(0)
            while True:
                try:
                    batch: list[dict[str, Any]] = pickle.load(spool)  # our own file, written above
                except EOFError:
                    break
                self._insert_with_run_id(batch)
        self._insert_with_run_id(rows)

    def _insert_with_run_id(self, batch: list[dict[str, Any]]) -> None:
        if batch:
            for row in batch:
                row["reconciliation_run_id"] = self.run.id
            self.session.execute(insert(RESULT_TABLE), batch)
