"""Every storage model in one import (Alembic's env.py and the repositories use this)."""

from __future__ import annotations

from connector.store.models_base import Base
from connector.store.models_claims import Acknowledgement, ClaimStatusObservation, SubmissionBatch
from connector.store.models_eligibility import EligibilityCheck
from connector.store.models_era import (
    AdjustmentRow,
    ClaimPaymentRow,
    ProviderAdjustmentRow,
    RemittanceRow,
    ServiceLineRow,
)
from connector.store.models_files import FileBlob, FileEntry, TotpStep
from connector.store.models_ops import (
    Account,
    AuditEvent,
    ControlNumber,
    DownloadedFile,
    PdfRequest,
    Run,
    SchedulerLease,
)
from connector.store.models_reconcile import ReconciliationResult, ReconciliationRun
from connector.store.models_web import WebUser

__all__ = [
    "Account",
    "Acknowledgement",
    "AdjustmentRow",
    "AuditEvent",
    "Base",
    "ClaimPaymentRow",
    "ClaimStatusObservation",
    "ControlNumber",
    "DownloadedFile",
    "EligibilityCheck",
    "FileBlob",
    "FileEntry",
    "PdfRequest",
    "ProviderAdjustmentRow",
    "ReconciliationResult",
    "ReconciliationRun",
    "RemittanceRow",
    "Run",
    "SchedulerLease",
    "ServiceLineRow",
    "SubmissionBatch",
    "TotpStep",
    "WebUser",
]
