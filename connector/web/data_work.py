"""Work lists from the newest reconciliation of each account and the claim acknowledgements (277CA):
denials by next action, underpayments to appeal, missing ERAs by age, claims the payer rejected."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store import (
    AckKind,
    Acknowledgement,
    ClaimPaymentRow,
    ReconciliationResult,
    RemittanceRow,
    SubmissionBatch,
)
from connector.web.data_money import latest


@dataclass(slots=True)
class WorkRow:
    """One row of a work list: the claim, patient, money, codes with their descriptions, evidence."""

    account: str
    claim: str
    patient: str = ""
    payer: str = ""
    service_date: str = ""
    line: str = ""
    procedure: str = ""
    charge: Decimal | None = None
    expected: Decimal | None = None
    allowed: Decimal | None = None
    paid: Decimal | None = None
    amount: Decimal | None = None
    codes: list[tuple[str, str]] = field(default_factory=list)
    """(code, description): CARC with group, RARCs, or 277CA status codes."""
    age_days: int | None = None
    aging: str = ""
    evidence: list[tuple[str, str]] = field(default_factory=list)
    """(label, link) to the ERA, acknowledgement or claim page."""


@dataclass(slots=True)
class WorkLists:
    """All four lists."""

    denials: dict[str, list[WorkRow]] = field(default_factory=dict)
    underpaid: list[WorkRow] = field(default_factory=list)
    missing: dict[str, list[WorkRow]] = field(default_factory=dict)
    rejected: list[WorkRow] = field(default_factory=list)


def _money(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def era_files(session: Session, reconciliation_run_id: int) -> dict[str, list[tuple[str, int]]]:
    """Claim number -> [(payment #, downloaded file id)] of the ERAs carrying the reconciliation's claims."""
    claims = select(ReconciliationResult.claim_number).where(
        ReconciliationResult.reconciliation_run_id == reconciliation_run_id
    )
    query = (
        select(ClaimPaymentRow.patient_control_number, RemittanceRow.payment_number, RemittanceRow.file_id)
        .join(RemittanceRow, ClaimPaymentRow.remittance_id == RemittanceRow.id)
        .where(ClaimPaymentRow.patient_control_number.in_(claims))
    )
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for claim, payment, file_id in session.execute(query):
        if (payment, file_id) not in found[claim]:
            found[claim].append((payment, file_id))
    return found


def _codes(reasons: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each distinct CARC (with its group) and RARC of the reasons, with its description."""
    out: dict[str, str] = {}
    for r in reasons:
        out.setdefault(f"{r.get('group', '')}-{r.get('code', '')}", str(r.get("description", "")))
        for text in str(r.get("remark_text", "")).split("; "):
            code, _, description = text.partition(": ")
            if code:
                out.setdefault(code, description)
    return list(out.items())


def _by_action(reasons: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A claim's denial reasons grouped by their next action (one work-list row per claim and action)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for reason in reasons:
        found.setdefault(str(reason.get("next_action") or "review"), []).append(reason)
    return found


def _base(
    account: str, claim: str, result: ReconciliationResult | None, files: list[tuple[str, int]]
) -> WorkRow:
    """A row with the claim's facts from its reconciliation row and its ERAs as evidence."""
    detail = (result.detail or {}) if result is not None else {}
    row = WorkRow(
        account,
        claim,
        str(detail.get("patient", "")),
        str(detail.get("payer", "")),
        str(detail.get("service_date") or ""),
        charge=_money(detail.get("charge")),
    )
    row.evidence = [(f"ERA {payment}", f"/files/{file_id}") for payment, file_id in files]
    return row


def work_lists(session: Session, account: str | None = None) -> WorkLists:
    """Build the work lists from the newest reconciliation of each account (or of one)."""
    lists = WorkLists()
    for key, day in latest(session, account).items():
        results = session.scalars(
            select(ReconciliationResult)
            .where(ReconciliationResult.reconciliation_run_id == day.run_id)
            .order_by(ReconciliationResult.id)
        ).all()
        claims = {r.claim_number: r for r in results if (r.detail or {}).get("level") == "claim"}
        files = era_files(session, day.run_id)

        def base(claim: str, key: str = key) -> WorkRow:
            return _base(key, claim, claims.get(claim), files.get(claim, []))  # noqa: B023 (used in the loop)

        for claim_no, result in claims.items():
            detail = result.detail or {}
            if result.category in ("missing_era", "awaiting_era"):
                row = base(claim_no)
                row.age_days, row.aging = detail.get("age_days"), str(detail.get("aging", ""))
                row.evidence = [("Claim history", f"/claims/{claim_no}")]
                label = "No ERA yet (past due)" if result.category == "missing_era" else "Waiting for ERA"
                lists.missing.setdefault(f"{label}: {row.aging or 'age unknown'}", []).append(row)
            for action, reasons in _by_action(detail.get("reasons", [])).items():
                row = base(claim_no)
                row.paid = result.paid
                row.amount = sum((_money(r.get("amount")) or Decimal(0) for r in reasons), Decimal(0))
                row.codes = _codes(reasons)
                lists.denials.setdefault(action, []).append(row)
        for result in results:
            detail = result.detail or {}
            if detail.get("level") == "line" and result.category == "underpaid":
                row = base(result.claim_number)
                row.line, row.procedure = str(detail.get("line_id", "")), str(detail.get("procedure", ""))
                row.service_date = str(detail.get("service_date") or row.service_date)
                row.expected, row.allowed, row.paid = (
                    result.expected,
                    _money(detail.get("allowed")),
                    result.paid,
                )
                row.amount = None if result.difference is None else -result.difference
                row.codes = _codes(detail.get("reasons", []))
                lists.underpaid.append(row)
    for rows in lists.missing.values():
        rows.sort(key=lambda r: -(r.age_days or 0))
    lists.denials = dict(sorted(lists.denials.items(), key=lambda kv: -sum((r.amount or 0) for r in kv[1])))
    lists.rejected = rejected_claims(session, account)
    return lists


def rejected_claims(session: Session, account: str | None = None) -> list[WorkRow]:
    """Claims a 277CA rejected, with the status codes and the acknowledgement file as evidence."""
    from connector.web.codes import describe_status
    from connector.web.data_today import account_ids

    query = (
        select(Acknowledgement, SubmissionBatch)
        .join(SubmissionBatch, Acknowledgement.batch_id == SubmissionBatch.id)
        .where(Acknowledgement.kind == AckKind.ACK_277CA, Acknowledgement.rejected_count > 0)
        .order_by(Acknowledgement.received_at.desc())
    )
    ids = account_ids(session)
    names = {v: k for k, v in ids.items()}
    if account:
        query = query.where(SubmissionBatch.account_id == ids.get(account, -1))
    out = []
    for ack, batch in session.execute(query):
        for item in ack.detail or []:
            if not item.get("rejected"):
                continue
            claim = str(item.get("claim", ""))
            row = WorkRow(names.get(batch.account_id or -1, ""), claim)
            row.codes = [
                (f"{s.get('category', '')}:{s.get('code', '')}", describe_status(s))
                for s in item.get("statuses", [])
            ]
            row.evidence = [(f"277CA (batch {batch.id})", f"/files/{ack.file_id}")] if ack.file_id else []
            row.evidence.append(("Claim history", f"/claims/{claim}"))
            out.append(row)
    return out
