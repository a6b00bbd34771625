"""Append-only records: audit events, claim-status observations, acknowledgements, reconciliations."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store import (
    AckKind,
    AuditEvent,
    FileKind,
    ReconciliationRun,
    add_acknowledgement,
    add_audit_event,
    add_claim_status,
    create_pending,
    latest_claim_status,
    record_file,
    save_reconciliation,
)

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def test_audit_event_round_trip(session: Session) -> None:
    event = add_audit_event(session, "scheduler", "batch.upload", "batch:12", {"attempt": 1})
    session.commit()
    session.expire_all()
    stored = session.get(AuditEvent, event.id)
    assert stored is not None
    assert (stored.actor, stored.action, stored.object, stored.detail) == (
        "scheduler",
        "batch.upload",
        "batch:12",
        {"attempt": 1},
    )
    assert stored.at.tzinfo == dt.UTC


def test_latest_claim_status_is_the_newest_observation(session: Session) -> None:
    add_claim_status(session, claim_number="PCN-1", status_category="P1", observed_at=T0)
    add_claim_status(
        session,
        claim_number="PCN-1",
        status_category="F1",
        status_text="Finalized/Payment",
        paid_amount=Decimal("120.00"),
        payment_number="EFT0001",
        observed_at=T0 + dt.timedelta(days=3),
    )
    add_claim_status(
        session, claim_number="PCN-2", status_category="A1", observed_at=T0 + dt.timedelta(days=5)
    )
    session.commit()
    latest = latest_claim_status(session, "PCN-1")
    assert latest is not None
    assert (latest.status_category, latest.paid_amount, latest.payment_number) == (
        "F1",
        Decimal("120.00"),
        "EFT0001",
    )
    assert latest_claim_status(session, "PCN-3") is None


def test_acknowledgement_links_batch_and_file(session: Session) -> None:
    batch, _ = create_pending(
        session, "a" * 64, isa13="1", gs06="1", st02="0001", claim_count=2, file_path="b.837"
    )
    file_row, _ = record_file(
        session, kind=FileKind.ACK_277CA, sha256=hashlib.sha256(b"277").hexdigest(), size=3, stored_path="x"
    )
    ack = add_acknowledgement(
        session,
        kind=AckKind.ACK_277CA,
        accepted=False,
        batch_id=batch.id,
        file_id=file_row.id,
        accepted_count=1,
        rejected_count=1,
        detail=[{"claim": "PCN-1", "category": "A2"}, {"claim": "PCN-2", "category": "A7"}],
    )
    session.commit()
    session.expire_all()
    assert ack.kind is AckKind.ACK_277CA
    assert (ack.batch_id, ack.file_id, ack.accepted_count, ack.rejected_count) == (
        batch.id,
        file_row.id,
        1,
        1,
    )
    assert ack.detail[1] == {"claim": "PCN-2", "category": "A7"}


def test_reconciliation_with_results_and_decimal_totals(session: Session) -> None:
    reconciliation = save_reconciliation(
        session,
        as_of=dt.date(2026, 5, 4),
        inputs={"pm_export": "export.csv"},
        totals={"underpaid": {"count": 1, "amount": Decimal("30.00")}},
        results=[
            {
                "claim_number": "PCN-1",
                "category": "underpaid",
                "expected": Decimal("150.00"),
                "paid": Decimal("120.00"),
                "difference": Decimal("-30.00"),
                "detail": {"carc": ["45"]},
            },
            {"claim_number": "PCN-9", "category": "missing_era", "expected": Decimal("80.00")},
        ],
    )
    session.commit()
    session.expire_all()
    stored = session.get(ReconciliationRun, reconciliation.id)
    assert stored is not None
    assert stored.totals == {"underpaid": {"count": 1, "amount": "30.00"}}
    assert [(r.claim_number, r.category, r.difference) for r in stored.results] == [
        ("PCN-1", "underpaid", Decimal("-30.00")),
        ("PCN-9", "missing_era", None),
    ]


def test_reconciliation_rows_saved_in_batches_as_they_are_produced(session: Session) -> None:
    from connector.store.repo_reconcile import RESULT_BATCH

    produced: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(RESULT_BATCH * 2 + 7):
            produced.append(i)
            row: dict[str, Any] = {"claim_number": f"PCN-{i}", "category": "paid_as_expected"}
            if i % 3 == 0:
                row.update(paid=Decimal(f"{i}.05"), detail={"level": "line", "amount": Decimal("1.10")})
            yield row

    reconciliation = save_reconciliation(session, as_of=dt.date(2026, 5, 4), results=rows())
    session.commit()
    session.expire_all()
    stored = session.get(ReconciliationRun, reconciliation.id)
    assert stored is not None and len(produced) == RESULT_BATCH * 2 + 7
    assert [r.claim_number for r in stored.results] == [f"PCN-{i}" for i in produced]
    third = stored.results[3]
    assert (third.paid, third.detail, third.expected) == (
        Decimal("3.05"),
        {"level": "line", "amount": "1.10"},
        None,
    )
    assert stored.results[4].detail == {} and stored.results[4].paid is None


def test_sqlite_reconciliation_holds_no_write_lock_while_rows_come(tmp_path: Any) -> None:
    """Other jobs' ledger rows and heartbeats are written while a long reconciliation is produced."""
    from sqlalchemy import func, select

    from connector.store import (
        ReconciliationResult,
        ReconciliationWriter,
        add_audit_event,
        ensure_schema,
        make_engine,
        session_factory,
    )
    from connector.store.repo_reconcile import RESULT_BATCH

    url = f"sqlite:///{tmp_path}/c.db"
    ensure_schema(url)
    engine, other = make_engine(url), make_engine(url, busy_timeout_s=0.2)
    try:
        with session_factory(engine).begin() as session:
            writer = ReconciliationWriter(session, as_of=dt.date(2026, 5, 4))
            for i in range(RESULT_BATCH * 2 + 3):
                writer.add({"claim_number": f"PCN-{i}", "category": "paid_as_expected"})
                if i == RESULT_BATCH + 1:  # batches already flushed: another job writes meanwhile
                    with session_factory(other).begin() as elsewhere:
                        add_audit_event(elsewhere, "connector", "heartbeat", "run:1")
            run = writer.finish({"claims": RESULT_BATCH * 2 + 3})
        with session_factory(engine)() as session:
            count = session.scalar(
                select(func.count()).where(ReconciliationResult.reconciliation_run_id == run.id)
            )
        assert count == RESULT_BATCH * 2 + 3
    finally:
        engine.dispose()
        other.dispose()


def test_a_row_the_database_refuses_names_the_table_not_the_values(session: Session) -> None:
    """A result row pointing at a claim payment that does not exist: a StorageError without the row's
    values (PHI), and the transaction can be rolled back and the session used again."""
    from connector.errors import StorageError
    from connector.store import ReconciliationWriter
    from connector.store.repo_reconcile import RESULT_BATCH

    writer = ReconciliationWriter(session, as_of=dt.date(2026, 5, 4))
    for i in range(RESULT_BATCH + 5):
        writer.add({"claim_number": f"PCN-{i}", "category": "denied", "detail": {"patient": "DOE, JANE"}})
    writer.add({"claim_number": "PCN-SECRET", "category": "denied", "claim_payment_id": 987654})
    with pytest.raises(StorageError, match=r"cannot store the reconciliation's result rows") as caught:
        writer.finish({})
    assert "SECRET" not in str(caught.value) and "JANE" not in str(caught.value)
    writer.abort()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ReconciliationRun)) == 0


def test_an_abandoned_reconciliation_keeps_nothing(session: Session) -> None:
    """Rows already streamed (a COPY open on PostgreSQL) are dropped when the reconciliation is abandoned."""
    from connector.store import ReconciliationResult, ReconciliationWriter
    from connector.store.repo_reconcile import RESULT_BATCH

    writer = ReconciliationWriter(session, as_of=dt.date(2026, 5, 4))
    for i in range(RESULT_BATCH * 2 + 1):
        writer.add({"claim_number": f"PCN-{i}", "category": "paid_as_expected", "paid": Decimal("1.00")})
    writer.abort()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ReconciliationResult)) == 0
    again = save_reconciliation(
        session, as_of=dt.date(2026, 5, 5), results=[{"claim_number": "A", "category": "denied"}]
    )
    session.commit()
    assert [r.claim_number for r in again.results] == ["A"]
