"""Operational tables: practice accounts, the run ledger, downloaded files, audit, leases, control numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models_base import Base, enum_type
from connector.store.types import FileKind, RunOutcome, UTCDateTime, utcnow


class Account(Base):
    """A practice's account on one payer portal. Never holds secrets (they live in settings)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    """The account's name in the settings (e.g. ``uhc-main``)."""
    practice_name: Mapped[str] = mapped_column(String())
    portal_kind: Mapped[str] = mapped_column(String(64))
    """Which selector map drives this portal."""
    base_url: Mapped[str] = mapped_column(String())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Run(Base):
    """One execution of a job in the run ledger (APScheduler forgets jobs that die mid-run; we do not)."""

    __tablename__ = "run"
    __table_args__ = (
        Index("ix_run_job_account_started", "job", "account_id", "started_at"),
        Index("ix_run_outcome_heartbeat", "outcome", "heartbeat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[RunOutcome] = mapped_column(
        enum_type(RunOutcome, "run_outcome"), default=RunOutcome.RUNNING
    )
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_class: Mapped[str | None] = mapped_column(String(200))
    error_message: Mapped[str | None] = mapped_column(Text)
    artifacts: Mapped[list[str]] = mapped_column(default=list)
    """Paths of traces, screenshots and reports kept for this run."""
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    """The fleet queue's job this run belongs to (``executor = "queue"``); NULL for a local run."""


class DownloadedFile(Base):
    """A file fetched from a portal (or a mailbox), stored once under a generated name; deduped by sha256."""

    __tablename__ = "downloaded_file"
    __table_args__ = (Index("ix_downloaded_file_payer_payment", "payer_id", "payment_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FileKind] = mapped_column(enum_type(FileKind, "file_kind"))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    stored_path: Mapped[str] = mapped_column(String(1024))
    payer_id: Mapped[str | None] = mapped_column(String())
    payment_number: Mapped[str | None] = mapped_column(String())
    """TRN02 / check or EFT number the portal listed the file under."""
    isa13: Mapped[str | None] = mapped_column(String())
    gs06: Mapped[str | None] = mapped_column(String())
    portal_reference: Mapped[str | None] = mapped_column(String())
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
    unreadable_reason: Mapped[str | None] = mapped_column(String())
    """Why the file could not be read (quarantined: X12ParseError with segment and offset); NULL if read."""


class AuditEvent(Base):
    """Who did what to which object. Never PHI: objects are named by table and id."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    object: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SchedulerLease(Base):
    """A named lease held by one process until it expires ("one scheduler per database")."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ControlNumber(Base):
    """A counter for ISA13/GS06/ST02 numbers; values handed out are never handed out again."""

    __tablename__ = "control_number"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PdfRequest(Base):
    """A PDF remit the portal was asked to generate (Optum Pay's EPRA queue), until it is collected.

    Kept so later runs collect what one run asked for, and so a PDF that never appears is reported once.
    """

    __tablename__ = "pdf_request"
    __table_args__ = (UniqueConstraint("account_id", "portal_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    portal_reference: Mapped[str] = mapped_column(String())
    """The payments row's reference (flows.eras.listing_references)."""
    payment_number: Mapped[str | None] = mapped_column(String())
    payment_date: Mapped[dt.date | None] = mapped_column(Date)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    collected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """When a person was told the PDF never appeared (once)."""
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id", ondelete="SET NULL"))
