"""Money stays Decimal and exact, timestamps stay timezone-aware UTC, on both backends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from connector.store import ClaimStatusObservation, add_claim_status


def test_money_round_trips_exactly(session: Session) -> None:
    amounts = [
        Decimal("0.01"),
        Decimal("1234567890.99"),
        Decimal("-9999999999.99"),
        Decimal("0.10"),
        Decimal(7),
    ]
    for index, amount in enumerate(amounts):
        add_claim_status(session, claim_number=f"C{index}", paid_amount=amount)
    session.commit()
    session.expire_all()
    stored = session.scalars(select(ClaimStatusObservation).order_by(ClaimStatusObservation.id)).all()
    assert [row.paid_amount for row in stored] == amounts
    assert all(isinstance(row.paid_amount, Decimal) for row in stored)
    assert str(stored[0].paid_amount) == "0.01"
    assert str(stored[4].paid_amount) == "7.00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "Decimal"),
        (Decimal("1.005"), "more than 2 decimals"),
        (Decimal("10000000000.00"), "does not fit"),
    ],
)
def test_money_refuses_float_rounding_and_overflow(session: Session, value: object, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        add_claim_status(session, claim_number="C1", paid_amount=value)  # type: ignore[arg-type]
    session.rollback()


def test_timestamps_come_back_aware_utc(session: Session) -> None:
    eastern = dt.timezone(dt.timedelta(hours=-5))
    when = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=eastern)
    add_claim_status(session, claim_number="C1", observed_at=when)
    session.commit()
    session.expire_all()
    row = session.scalars(select(ClaimStatusObservation)).one()
    assert row.observed_at == when
    assert row.observed_at.tzinfo == dt.UTC
    assert row.observed_at.hour == 14


def test_naive_timestamp_is_refused(session: Session) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        add_claim_status(session, claim_number="C1", observed_at=dt.datetime(2026, 3, 1, 9, 30))
    session.rollback()
