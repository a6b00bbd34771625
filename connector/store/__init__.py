"""Storage: SQLAlchemy models, repository functions and the Alembic migrations that own the schema.

Repository functions take a Session, flush, and leave the commit to the caller; the one exception is
``allocate_control_numbers``, which commits its reservation in its own transaction.
"""

from __future__ import annotations

from connector.store.db import (
    alembic_config,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    open_session,
    session_factory,
    upgrade,
)
from connector.store.era_rows import dedupe_key
from connector.store.models import (
    Account,
    Acknowledgement,
    AdjustmentRow,
    AuditEvent,
    Base,
    ClaimPaymentRow,
    ClaimStatusObservation,
    ControlNumber,
    DownloadedFile,
    PdfRequest,
    ProviderAdjustmentRow,
    ReconciliationResult,
    ReconciliationRun,
    RemittanceRow,
    Run,
    SchedulerLease,
    ServiceLineRow,
    SubmissionBatch,
)
from connector.store.repo_batches import (
    create_pending,
    find_by_key,
    mark_pending_again,
    mark_submitted,
    mark_unknown,
    open_batches,
    settle,
)
from connector.store.repo_control import (
    allocate_control_numbers,
    control_number_allocator,
    peek_next_control_number,
)
from connector.store.repo_events import (
    add_acknowledgement,
    add_audit_event,
    add_claim_status,
    latest_claim_status,
    save_reconciliation,
)
from connector.store.repo_files import file_exists, find_file, record_file
from connector.store.repo_leases import acquire_lease, lease_holder, release_lease, renew_lease
from connector.store.repo_pdf_requests import (
    close_pdf_requests,
    note_pdf_requests,
    open_pdf_requests,
    overdue_pdf_requests,
)
from connector.store.repo_remittance import find_remittance, save_remittance
from connector.store.repo_runs import (
    close_interrupted_runs,
    finish_run,
    heartbeat,
    interrupt_runs,
    last_successful_run,
    running_runs,
    start_run,
    upsert_account,
)
from connector.store.types import AckKind, AdjustmentLevel, BatchState, FileKind, RunOutcome, utcnow

__all__ = [
    "Account",
    "AckKind",
    "Acknowledgement",
    "AdjustmentLevel",
    "AdjustmentRow",
    "AuditEvent",
    "Base",
    "BatchState",
    "ClaimPaymentRow",
    "ClaimStatusObservation",
    "ControlNumber",
    "DownloadedFile",
    "FileKind",
    "PdfRequest",
    "ProviderAdjustmentRow",
    "ReconciliationResult",
    "ReconciliationRun",
    "RemittanceRow",
    "Run",
    "RunOutcome",
    "SchedulerLease",
    "ServiceLineRow",
    "SubmissionBatch",
    "acquire_lease",
    "add_acknowledgement",
    "add_audit_event",
    "add_claim_status",
    "alembic_config",
    "allocate_control_numbers",
    "close_interrupted_runs",
    "close_pdf_requests",
    "control_number_allocator",
    "create_pending",
    "current_revision",
    "dedupe_key",
    "ensure_schema",
    "file_exists",
    "find_by_key",
    "find_file",
    "find_remittance",
    "finish_run",
    "head_revision",
    "heartbeat",
    "interrupt_runs",
    "last_successful_run",
    "latest_claim_status",
    "lease_holder",
    "make_engine",
    "mark_pending_again",
    "mark_submitted",
    "mark_unknown",
    "note_pdf_requests",
    "open_batches",
    "open_pdf_requests",
    "open_session",
    "overdue_pdf_requests",
    "peek_next_control_number",
    "record_file",
    "release_lease",
    "renew_lease",
    "running_runs",
    "save_reconciliation",
    "save_remittance",
    "session_factory",
    "settle",
    "start_run",
    "upgrade",
    "upsert_account",
    "utcnow",
]
