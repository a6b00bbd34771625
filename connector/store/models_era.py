"""ERA tables: remittance (one 835 transaction), claim payments, service lines, CAS and PLB adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from connector.store.models_base import Base, enum_type
from connector.store.types import AdjustmentLevel, UTCDateTime, money, quantity, utcnow


class RemittanceRow(Base):
    """One 835 transaction set: a payment (or notice) from a payer to a payee.

    Deduped on (payer id, TRN02, ISA13, GS06, ST02): payers reuse TRN02, so never on TRN02 alone.
    """

    __tablename__ = "remittance"
    __table_args__ = (
        UniqueConstraint(
            "payer_id", "payment_number", "isa13", "gs06", "st02", name="uq_remittance_dedupe_key"
        ),
        Index("ix_remittance_payment_number", "payment_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("downloaded_file.id"), index=True)
    payment_number: Mapped[str] = mapped_column(String())
    """TRN02: the check or EFT trace number."""
    payer_id: Mapped[str] = mapped_column(String())
    """REF*2U, else N1*PR N104, else TRN03."""
    payer_name: Mapped[str] = mapped_column(String(), default="")
    originating_company_id: Mapped[str] = mapped_column(String(), default="")
    """TRN03."""
    payee_name: Mapped[str] = mapped_column(String(), default="")
    payee_npi: Mapped[str | None] = mapped_column(String())
    payee_tin: Mapped[str | None] = mapped_column(String())
    handling_code: Mapped[str] = mapped_column(String())
    """BPR01."""
    amount: Mapped[Decimal] = mapped_column(money())
    """BPR02."""
    credit_debit: Mapped[str] = mapped_column(String(), default="C")
    """BPR03."""
    payment_method: Mapped[str] = mapped_column(String(), default="")
    """BPR04: ACH, CHK, NON, BOP, FWT."""
    payment_date: Mapped[dt.date | None] = mapped_column(Date)
    """BPR16."""
    production_date: Mapped[dt.date | None] = mapped_column(Date)
    """DTM*405."""
    isa13: Mapped[str] = mapped_column(String())
    gs06: Mapped[str] = mapped_column(String())
    st02: Mapped[str] = mapped_column(String())
    claim_count: Mapped[int] = mapped_column(Integer, default=0)
    balanced: Mapped[bool] = mapped_column(Boolean, default=True)
    findings: Mapped[list[Any]] = mapped_column(default=list)
    """Balancing rules that failed (level, message, expected, actual); reported, never corrected."""
    read_findings: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    """What the reader read past (kind, message, segment, offset, ...): envelope/layout faults, codes."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    claims: Mapped[list[ClaimPaymentRow]] = relationship(
        back_populates="remittance", order_by="ClaimPaymentRow.position", cascade="all, delete-orphan"
    )
    provider_adjustments: Mapped[list[ProviderAdjustmentRow]] = relationship(
        order_by="ProviderAdjustmentRow.position", cascade="all, delete-orphan"
    )


class ClaimPaymentRow(Base):
    """Loop 2100: the payer's decision on one claim (CLP)."""

    __tablename__ = "claim_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    patient_control_number: Mapped[str] = mapped_column(String(), index=True)
    """CLP01: the claim number we sent."""
    status_code: Mapped[str] = mapped_column(String())
    """CLP02."""
    charge: Mapped[Decimal] = mapped_column(money())
    paid: Mapped[Decimal] = mapped_column(money())
    patient_responsibility: Mapped[Decimal | None] = mapped_column(money())
    filing_indicator: Mapped[str] = mapped_column(String(), default="")
    payer_claim_number: Mapped[str] = mapped_column(String(), default="", index=True)
    """CLP07."""
    facility_type: Mapped[str] = mapped_column(String(), default="")
    frequency_code: Mapped[str] = mapped_column(String(), default="")
    patient_last_name: Mapped[str] = mapped_column(String(), default="")
    patient_first_name: Mapped[str] = mapped_column(String(), default="")
    member_id: Mapped[str] = mapped_column(String(), default="")
    received_date: Mapped[dt.date | None] = mapped_column(Date)
    """DTM*050."""
    statement_from: Mapped[dt.date | None] = mapped_column(Date)
    statement_to: Mapped[dt.date | None] = mapped_column(Date)
    remark_codes: Mapped[list[str]] = mapped_column(default=list)
    """MOA/MIA RARCs."""

    remittance: Mapped[RemittanceRow] = relationship(back_populates="claims")
    service_lines: Mapped[list[ServiceLineRow]] = relationship(
        back_populates="claim", order_by="ServiceLineRow.position", cascade="all, delete-orphan"
    )
    adjustments: Mapped[list[AdjustmentRow]] = relationship(
        primaryjoin="and_(AdjustmentRow.claim_id == ClaimPaymentRow.id, AdjustmentRow.level == 'CLAIM')",
        order_by="AdjustmentRow.id",
        viewonly=True,
    )


class ServiceLineRow(Base):
    """Loop 2110: one paid (or denied) service line (SVC)."""

    __tablename__ = "service_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim_payment.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    procedure_qualifier: Mapped[str] = mapped_column(String(), default="HC")
    procedure_code: Mapped[str] = mapped_column(String())
    modifiers: Mapped[str] = mapped_column(String(), default="")
    """Up to four modifiers joined with ':' (e.g. ``25:59``)."""
    charge: Mapped[Decimal] = mapped_column(money())
    paid: Mapped[Decimal] = mapped_column(money())
    allowed: Mapped[Decimal | None] = mapped_column(money())
    """AMT*B6."""
    revenue_code: Mapped[str] = mapped_column(String(), default="")
    units: Mapped[Decimal | None] = mapped_column(quantity())
    original_procedure_code: Mapped[str | None] = mapped_column(String())
    """SVC06: the procedure as submitted when the payer restated it."""
    original_modifiers: Mapped[str | None] = mapped_column(String())
    original_units: Mapped[Decimal | None] = mapped_column(quantity())
    service_date: Mapped[dt.date | None] = mapped_column(Date)
    service_date_end: Mapped[dt.date | None] = mapped_column(Date)
    line_control_number: Mapped[str | None] = mapped_column(String(), index=True)
    """REF*6R."""
    remark_codes: Mapped[list[str]] = mapped_column(default=list)
    """LQ*HE RARCs."""

    claim: Mapped[ClaimPaymentRow] = relationship(back_populates="service_lines")
    adjustments: Mapped[list[AdjustmentRow]] = relationship(order_by="AdjustmentRow.id", viewonly=True)


class AdjustmentRow(Base):
    """One CAS triple on a claim or a service line; positive amounts reduce the payment."""

    __tablename__ = "adjustment"
    __table_args__ = (
        CheckConstraint("(level = 'LINE') = (service_line_id IS NOT NULL)", name="level_matches_line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[AdjustmentLevel] = mapped_column(enum_type(AdjustmentLevel, "adjustment_level"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim_payment.id", ondelete="CASCADE"), index=True)
    service_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line.id", ondelete="CASCADE"), index=True
    )
    group_code: Mapped[str] = mapped_column(String())
    """CO, PR, OA, PI, CR."""
    reason_code: Mapped[str] = mapped_column(String())
    """CARC."""
    amount: Mapped[Decimal] = mapped_column(money())
    quantity: Mapped[Decimal | None] = mapped_column(quantity())

    claim: Mapped[ClaimPaymentRow] = relationship(foreign_keys=[claim_id])
    service_line: Mapped[ServiceLineRow | None] = relationship(foreign_keys=[service_line_id])


class ProviderAdjustmentRow(Base):
    """One PLB adjustment (WO/FB recoupment, L6 interest, 72, CS, IR, ...); positive reduces the payment."""

    __tablename__ = "provider_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittance.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[str] = mapped_column(String())
    """PLB01."""
    fiscal_period_date: Mapped[dt.date | None] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String())
    reference: Mapped[str] = mapped_column(String(), default="")
    """PLB03-2: often names the claim the adjustment belongs to."""
    amount: Mapped[Decimal] = mapped_column(money())
