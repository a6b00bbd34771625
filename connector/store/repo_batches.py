"""Claim batch uploads: idempotent creation by file sha256 and guarded state transitions.

::

    PENDING ──upload ok──> SUBMITTED ──999/277CA──> ACCEPTED | REJECTED | DUPLICATE
       │                       ^
       └──response lost──> UNKNOWN ──portal shows it──┘   (or REJECTED / DUPLICATE; or back to PENDING
                                                           when the portal proves it never arrived)
    PENDING ──portal refuses upload──> REJECTED | DUPLICATE

Every transition is one guarded UPDATE, so two workers can never both move a batch.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store._sql import insert_ignoring_conflict
from connector.store.models import SubmissionBatch
from connector.store.types import BatchState, utcnow

OPEN_STATES = (BatchState.PENDING, BatchState.SUBMITTED, BatchState.UNKNOWN)
SETTLED_STATES = (BatchState.ACCEPTED, BatchState.REJECTED, BatchState.DUPLICATE)

TRANSITIONS: dict[BatchState, frozenset[BatchState]] = {
    BatchState.PENDING: frozenset(
        {BatchState.SUBMITTED, BatchState.UNKNOWN, BatchState.REJECTED, BatchState.DUPLICATE}
    ),
    BatchState.UNKNOWN: frozenset(
        {BatchState.SUBMITTED, BatchState.PENDING, BatchState.REJECTED, BatchState.DUPLICATE}
    ),
    BatchState.SUBMITTED: frozenset(SETTLED_STATES),
    BatchState.ACCEPTED: frozenset(),
    BatchState.REJECTED: frozenset(),
    BatchState.DUPLICATE: frozenset(),
}
"""Allowed moves; settled states are final."""


def create_pending(
    session: Session,
    idempotency_key: str,
    *,
    isa13: str,
    gs06: str,
    st02: str,
    claim_count: int,
    file_path: str,
    account_id: int | None = None,
) -> tuple[SubmissionBatch, bool]:
    """Create a PENDING batch for this 837 file; ``(existing, False)`` if the key is already known."""
    now = utcnow()
    values = {
        "idempotency_key": idempotency_key,
        "isa13": isa13,
        "gs06": gs06,
        "st02": st02,
        "claim_count": claim_count,
        "file_path": file_path,
        "account_id": account_id,
        "state": BatchState.PENDING,
        "created_at": now,
        "updated_at": now,
    }
    statement = insert_ignoring_conflict(session, SubmissionBatch, values, ["idempotency_key"])
    new_id = session.execute(statement.returning(SubmissionBatch.id)).scalar_one_or_none()
    batch = find_by_key(session, idempotency_key)
    assert batch is not None
    return batch, new_id is not None


def find_by_key(session: Session, idempotency_key: str) -> SubmissionBatch | None:
    """The batch with this idempotency key (file sha256), if any."""
    return session.scalars(
        select(SubmissionBatch).where(SubmissionBatch.idempotency_key == idempotency_key)
    ).one_or_none()


def open_batches(session: Session, account_id: int | None = None) -> list[SubmissionBatch]:
    """Batches still waiting for an upload, an answer or an acknowledgement, oldest first."""
    query = select(SubmissionBatch).where(SubmissionBatch.state.in_(OPEN_STATES))
    if account_id is not None:
        query = query.where(SubmissionBatch.account_id == account_id)
    return list(session.scalars(query.order_by(SubmissionBatch.created_at, SubmissionBatch.id)))


def _move(session: Session, batch_id: int, target: BatchState, **values: Any) -> SubmissionBatch:
    sources = [state for state, targets in TRANSITIONS.items() if target in targets]
    result = session.execute(
        update(SubmissionBatch)
        .where(SubmissionBatch.id == batch_id, SubmissionBatch.state.in_(sources))
        .values(state=target, updated_at=utcnow(), **values)
    )
    assert isinstance(result, CursorResult)
    batch = session.get(SubmissionBatch, batch_id, populate_existing=True)
    if batch is None:
        raise StorageError(f"submission batch {batch_id} does not exist")
    if result.rowcount != 1:
        raise StorageError(
            f"submission batch {batch_id} cannot move from {batch.state.value} to {target.value}"
        )
    return batch


def mark_submitted(session: Session, batch_id: int, portal_batch_id: str | None) -> SubmissionBatch:
    """The portal took the upload (and gave it ``portal_batch_id``)."""
    return _move(
        session, batch_id, BatchState.SUBMITTED, portal_batch_id=portal_batch_id, submitted_at=utcnow()
    )


def mark_unknown(session: Session, batch_id: int, detail: str) -> SubmissionBatch:
    """The upload may or may not have arrived: check the portal before ever uploading it again."""
    return _move(session, batch_id, BatchState.UNKNOWN, detail=detail)


def mark_pending_again(session: Session, batch_id: int, detail: str) -> SubmissionBatch:
    """An UNKNOWN batch the portal proves it never received may be uploaded again."""
    return _move(session, batch_id, BatchState.PENDING, detail=detail)


def settle(session: Session, batch_id: int, state: BatchState, detail: str | None = None) -> SubmissionBatch:
    """Final answer for the batch: ACCEPTED, REJECTED or DUPLICATE."""
    if state not in SETTLED_STATES:
        raise ValueError(f"settle() takes ACCEPTED, REJECTED or DUPLICATE, not {state.value}")
    return _move(session, batch_id, state, detail=detail, settled_at=utcnow())
