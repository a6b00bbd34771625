"""Eligibility checks: one row per patient, date of service and day checked (the history of answers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models_base import Base
from connector.store.types import UTCDateTime, money, utcnow


class EligibilityCheck(Base):
    """What the payer answered for one patient and date of service on one day (checked once a day).

    ``result`` holds the answer's figures and the names/birth date the payer has on file (PHI, like the
    remittance tables); ``note`` says why an appointment was not checked (row and column, never a value).
    """

    __tablename__ = "eligibility_check"
    __table_args__ = (
        UniqueConstraint("account_id", "patient_key", "service_date", "checked_on"),
        Index("ix_eligibility_check_account_checked", "account_id", "checked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    checked_on: Mapped[dt.date] = mapped_column(Date)
    """The practice's day the check belongs to (one check per patient and date of service per day)."""
    patient_key: Mapped[str] = mapped_column(String())
    """The PM patient id."""
    service_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24))
    problems: Mapped[list[str]] = mapped_column(default=list)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    estimate: Mapped[Decimal | None] = mapped_column(money())
    alerted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
