"""Claim-side tables: claim-status observations, submission batches and their acknowledgements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models_base import Base, enum_type
from connector.store.types import AckKind, BatchState, UTCDateTime, money, utcnow


class ClaimStatusObservation(Base):
    """What the portal said about one claim at one moment (observations are appended, never updated)."""

    __tablename__ = "claim_status_observation"
    __table_args__ = (Index("ix_claim_status_observation_claim_observed", "claim_number", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String())
    """Our claim number (CLP01 / CLM01)."""
    payer_claim_number: Mapped[str | None] = mapped_column(String())
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_category: Mapped[str | None] = mapped_column(String())
    """STC01-1 style category (A1, P1, F1, F2, ...) or the portal's own word."""
    status_code: Mapped[str | None] = mapped_column(String())
    status_text: Mapped[str] = mapped_column(Text, default="")
    """The status as the portal showed it."""
    paid_amount: Mapped[Decimal | None] = mapped_column(money())
    payment_number: Mapped[str | None] = mapped_column(String())
    payment_date: Mapped[dt.date | None] = mapped_column(Date)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))


class SubmissionBatch(Base):
    """An 837 file we upload once. The idempotency key is the file's sha256 (UNIQUE)."""

    __tablename__ = "submission_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    isa13: Mapped[str] = mapped_column(String())
    gs06: Mapped[str] = mapped_column(String())
    st02: Mapped[str] = mapped_column(String())
    claim_count: Mapped[int] = mapped_column(Integer)
    file_path: Mapped[str] = mapped_column(String(1024))
    state: Mapped[BatchState] = mapped_column(
        enum_type(BatchState, "batch_state"), default=BatchState.PENDING, index=True
    )
    portal_batch_id: Mapped[str | None] = mapped_column(String())
    detail: Mapped[str | None] = mapped_column(Text)
    """Why the batch is UNKNOWN / REJECTED / DUPLICATE (no PHI)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    settled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Acknowledgement(Base):
    """A 999 (syntax) or 277CA (per-claim) response to a batch. A 999 accept is not a claim accept."""

    __tablename__ = "acknowledgement"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AckKind] = mapped_column(enum_type(AckKind, "ack_kind"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("submission_batch.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("downloaded_file.id"), index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[list[Any]] = mapped_column(default=list)
    """Per-claim (277CA) or per-transaction (999) results."""
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
