"""Reconciliation (pure): every ERA dollar matched against the PM export, categorised, summed and tied out.

::

    from connector.reconcile import reconcile
    result = reconcile(remittances, pm_export.claims, as_of=date, deposits=read_bank_csv(text))
    result.claims, result.lines, result.denials, result.tie_out, result.kpis, result.discrepancies()

Takes models or their compact rows (``connector.x12`` Remittance or ``rows.EraRemit``, ``connector.pm`` Claim
or ``ChargeClaim`` from ``pm.reader.read_charges``, BankDeposit) and returns a
:class:`ReconciliationResult`; no files, no database. ``connector.report`` renders the result.
"""

from __future__ import annotations

from connector.reconcile.deposits import match_deposits, read_bank_csv
from connector.reconcile.engine import reconcile
from connector.reconcile.model import (
    CATEGORIES,
    CLAIM_LEVEL,
    LINE_LEVEL,
    BankDeposit,
    Category,
    ClaimRow,
    DenialGroup,
    DepositRow,
    EraFinding,
    FileNotRead,
    Kpi,
    LineRow,
    PayerPayments,
    ProviderAdjustmentRow,
    Reason,
    ReconciliationResult,
    TieOut,
    TieOutLine,
)
from connector.reconcile.reasons import ReasonBook, reason_book_from

__all__ = [
    "CATEGORIES",
    "CLAIM_LEVEL",
    "LINE_LEVEL",
    "BankDeposit",
    "Category",
    "ClaimRow",
    "DenialGroup",
    "DepositRow",
    "EraFinding",
    "FileNotRead",
    "Kpi",
    "LineRow",
    "PayerPayments",
    "ProviderAdjustmentRow",
    "Reason",
    "ReasonBook",
    "ReconciliationResult",
    "TieOut",
    "TieOutLine",
    "match_deposits",
    "read_bank_csv",
    "reason_book_from",
    "reconcile",
]
