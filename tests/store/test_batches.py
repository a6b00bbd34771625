"""Submission batches: idempotent creation, a UNIQUE idempotency key, and guarded state transitions."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store import (
    BatchState,
    SubmissionBatch,
    create_pending,
    find_by_key,
    mark_pending_again,
    mark_submitted,
    mark_unknown,
    open_batches,
    session_factory,
    settle,
)


def _key(n: int) -> str:
    return hashlib.sha256(f"837 file {n}".encode()).hexdigest()


def _pending(session: Session, n: int) -> SubmissionBatch:
    batch, created = create_pending(
        session, _key(n), isa13=f"{n:09d}", gs06=str(n), st02="0001", claim_count=3, file_path=f"b{n}.837"
    )
    assert created
    return batch


def test_create_pending_is_idempotent(session: Session) -> None:
    batch = _pending(session, 1)
    again, created = create_pending(
        session, _key(1), isa13="000000099", gs06="99", st02="0001", claim_count=1, file_path="other.837"
    )
    assert not created
    assert again.id == batch.id and again.isa13 == "000000001"
    assert find_by_key(session, _key(1)) is batch
    assert find_by_key(session, _key(2)) is None


def test_idempotency_key_is_unique_in_the_database(session: Session) -> None:
    _pending(session, 1)
    session.commit()
    session.add(
        SubmissionBatch(
            idempotency_key=_key(1),
            isa13="2",
            gs06="2",
            st02="1",
            claim_count=1,
            file_path="DOE-JANE-PHI.837",
        )
    )
    with pytest.raises(IntegrityError) as caught:
        session.commit()
    session.rollback()
    assert "DOE-JANE-PHI" not in str(caught.value), "statement parameters (maybe PHI) leaked into the error"


def test_happy_path_and_final_states(session: Session) -> None:
    batch = _pending(session, 1)
    assert batch.state is BatchState.PENDING
    mark_submitted(session, batch.id, "PB-77")
    assert batch.state is BatchState.SUBMITTED and batch.portal_batch_id == "PB-77"
    assert batch.submitted_at is not None
    settle(session, batch.id, BatchState.ACCEPTED)
    assert batch.state is BatchState.ACCEPTED and batch.settled_at is not None
    session.commit()
    for move in (
        lambda: mark_submitted(session, batch.id, "PB-78"),
        lambda: mark_unknown(session, batch.id, "timeout"),
        lambda: settle(session, batch.id, BatchState.REJECTED),
    ):
        with pytest.raises(StorageError, match="cannot move from ACCEPTED"):
            move()
    assert batch.state is BatchState.ACCEPTED


def test_unknown_upload_paths(session: Session) -> None:
    lost = _pending(session, 1)
    mark_unknown(session, lost.id, "upload response timed out")
    assert lost.state is BatchState.UNKNOWN and lost.detail == "upload response timed out"
    with pytest.raises(StorageError):
        settle(session, lost.id, BatchState.ACCEPTED)
    mark_submitted(session, lost.id, "PB-1")
    assert lost.state is BatchState.SUBMITTED
    retry = _pending(session, 2)
    mark_unknown(session, retry.id, "connection reset")
    mark_pending_again(session, retry.id, "portal lists no such upload")
    assert retry.state is BatchState.PENDING
    refused = _pending(session, 3)
    settle(session, refused.id, BatchState.DUPLICATE, "portal: file already received")
    assert refused.state is BatchState.DUPLICATE
    with pytest.raises(StorageError, match="cannot move from PENDING to ACCEPTED"):
        settle(session, retry.id, BatchState.ACCEPTED)
    with pytest.raises(ValueError):
        settle(session, retry.id, BatchState.SUBMITTED)
    with pytest.raises(StorageError, match="does not exist"):
        mark_submitted(session, 9999, None)


def test_open_batches_lists_only_unsettled_ones(session: Session) -> None:
    pending = _pending(session, 1)
    submitted = _pending(session, 2)
    mark_submitted(session, submitted.id, "PB-2")
    unknown = _pending(session, 3)
    mark_unknown(session, unknown.id, "?")
    done = _pending(session, 4)
    mark_submitted(session, done.id, "PB-4")
    settle(session, done.id, BatchState.REJECTED, "999 rejected")
    session.commit()
    assert [b.id for b in open_batches(session)] == [pending.id, submitted.id, unknown.id]


def test_only_one_of_two_sessions_can_move_a_batch(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory.begin() as session:
        batch_id = _pending(session, 1).id
    with factory() as first, factory() as second:
        mark_submitted(first, batch_id, "PB-A")
        first.commit()
        with pytest.raises(StorageError):
            mark_unknown(second, batch_id, "late")
