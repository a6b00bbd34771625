"""Reconciliation tables: one row per reconciliation and one per categorised claim or line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.store.models_base import Base
from connector.store.types import UTCDateTime, money, utcnow


class ReconciliationRun(Base):
    """One reconciliation of ERAs against a PM export, as of a date."""

    __tablename__ = "reconciliation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Which PM export and which ERA files went in (paths, sha256, counts)."""
    totals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Counts and amounts per category (amounts as text, never float)."""

    results: Mapped[list[ReconciliationResult]] = relationship(
        back_populates="reconciliation_run", order_by="ReconciliationResult.id", cascade="all, delete-orphan"
    )


class ReconciliationResult(Base):
    """One claim or service line and the category reconciliation put it in."""

    __tablename__ = "reconciliation_result"
    __table_args__ = (Index("ix_reconciliation_result_run_category", "reconciliation_run_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_run_id: Mapped[int] = mapped_column(
        ForeignKey("reconciliation_run.id", ondelete="CASCADE")
    )
    claim_number: Mapped[str] = mapped_column(String())
    claim_payment_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payment.id", ondelete="SET NULL"))
    service_line_id: Mapped[int | None] = mapped_column(ForeignKey("service_line.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String())
    expected: Mapped[Decimal | None] = mapped_column(money())
    paid: Mapped[Decimal | None] = mapped_column(money())
    difference: Mapped[Decimal | None] = mapped_column(money())
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    reconciliation_run: Mapped[ReconciliationRun] = relationship(back_populates="results")
