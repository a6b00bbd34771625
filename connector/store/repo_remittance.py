"""Saving parsed 835 remittances (connector.x12 models) into the ERA tables, deduped on the full key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store._sql import insert_ignoring_conflict
from connector.store.models import (
    AdjustmentRow,
    ClaimPaymentRow,
    ProviderAdjustmentRow,
    RemittanceRow,
    ServiceLineRow,
)
from connector.store.types import AdjustmentLevel, utcnow
from connector.x12.models import (
    Adjustment,
    ClaimPayment,
    DateEntry,
    ProcedureCode,
    Remittance,
    ServiceLine,
)

RARC_QUALIFIERS = ("HE",)


def payer_id_of(remittance: Remittance) -> str:
    """The payer id used in the dedupe key: REF*2U, else N1*PR N104, else TRN03."""
    payer = remittance.payer
    return payer.reference("2U") or payer.id or remittance.originating_company_id


def dedupe_key(remittance: Remittance) -> tuple[str, str, str, str, str]:
    """(payer id, TRN02, ISA13, GS06, ST02): never TRN02 alone, payers reuse it."""
    envelope = remittance.envelope
    return (
        payer_id_of(remittance),
        remittance.trace_number,
        envelope.interchange_control_number,
        envelope.group_control_number,
        envelope.transaction_control_number,
    )


def find_remittance(session: Session, key: tuple[str, str, str, str, str]) -> RemittanceRow | None:
    """The stored remittance with this dedupe key, if any."""
    payer_id, payment_number, isa13, gs06, st02 = key
    return session.scalars(
        select(RemittanceRow).where(
            RemittanceRow.payer_id == payer_id,
            RemittanceRow.payment_number == payment_number,
            RemittanceRow.isa13 == isa13,
            RemittanceRow.gs06 == gs06,
            RemittanceRow.st02 == st02,
        )
    ).one_or_none()


def save_remittance(session: Session, remittance: Remittance, file_id: int) -> tuple[RemittanceRow, bool]:
    """Store one 835 transaction with its claims, lines, CAS and PLB; ``(row, False)`` if already stored."""
    key = dedupe_key(remittance)
    payer_id, payment_number, isa13, gs06, st02 = key
    values = {
        "file_id": file_id,
        "payment_number": payment_number,
        "payer_id": payer_id,
        "payer_name": remittance.payer.name,
        "originating_company_id": remittance.originating_company_id,
        "payee_name": remittance.payee.name,
        "payee_npi": remittance.payee.npi,
        "payee_tin": remittance.payee.tin,
        "handling_code": remittance.handling_code,
        "amount": remittance.payment_amount,
        "credit_debit": remittance.credit_debit,
        "payment_method": remittance.payment_method,
        "payment_date": remittance.payment_date,
        "production_date": remittance.production_date,
        "isa13": isa13,
        "gs06": gs06,
        "st02": st02,
        "claim_count": remittance.claim_count,
        "balanced": remittance.balanced,
        "findings": [
            {
                "level": f.level,
                "message": f.message,
                "expected": str(f.expected),
                "actual": str(f.actual),
                "claim_id": f.claim_id,
                "line_index": f.line_index,
            }
            for f in remittance.findings
        ],
        "created_at": utcnow(),
    }
    conflict = ["payer_id", "payment_number", "isa13", "gs06", "st02"]
    statement = insert_ignoring_conflict(session, RemittanceRow, values, conflict)
    new_id = session.execute(statement.returning(RemittanceRow.id)).scalar_one_or_none()
    if new_id is None:
        existing = find_remittance(session, key)
        assert existing is not None
        return existing, False
    for position, plb in enumerate(remittance.provider_adjustments):
        session.add(
            ProviderAdjustmentRow(
                remittance_id=new_id,
                position=position,
                provider_id=plb.provider_id,
                fiscal_period_date=plb.fiscal_period_date,
                reason_code=plb.reason,
                reference=plb.reference,
                amount=plb.amount,
            )
        )
    for position, claim in enumerate(remittance.claims):
        _save_claim(session, new_id, position, claim)
    session.flush()
    row = session.get(RemittanceRow, new_id)
    assert row is not None
    return row, True


def _date(dates: Iterable[DateEntry], *qualifiers: str) -> dt.date | None:
    for qualifier in qualifiers:
        for entry in dates:
            if entry.qualifier == qualifier and entry.date is not None:
                return entry.date
    return None


def _modifiers(code: ProcedureCode | None) -> str | None:
    return None if code is None else ":".join(code.modifiers)


def _claim_remarks(claim: ClaimPayment) -> list[str]:
    codes = [
        code for code in (*claim.outpatient[2:7], *claim.inpatient[4:5], *claim.inpatient[19:24]) if code
    ]
    return list(dict.fromkeys(codes))


def _save_claim(session: Session, remittance_id: int, position: int, claim: ClaimPayment) -> None:
    patient = claim.patient
    insured = claim.insured
    member_id = (patient.id if patient and patient.id else "") or (insured.id if insured else "")
    statement_from = _date(claim.dates, "232")
    row = ClaimPaymentRow(
        remittance_id=remittance_id,
        position=position,
        patient_control_number=claim.claim_id,
        status_code=claim.status_code,
        charge=claim.charge,
        paid=claim.paid,
        patient_responsibility=claim.patient_responsibility,
        filing_indicator=claim.filing_indicator,
        payer_claim_number=claim.payer_claim_number,
        facility_type=claim.facility_type,
        frequency_code=claim.frequency_code,
        patient_last_name=patient.last_or_org if patient else "",
        patient_first_name=patient.first if patient else "",
        member_id=member_id,
        received_date=_date(claim.dates, "050"),
        statement_from=statement_from,
        statement_to=_date(claim.dates, "233") or statement_from,
        remark_codes=_claim_remarks(claim),
    )
    session.add(row)
    _add_adjustments(session, row, None, claim.adjustments)
    for line_position, line in enumerate(claim.service_lines):
        _save_line(session, row, line_position, line)


def _save_line(session: Session, claim: ClaimPaymentRow, position: int, line: ServiceLine) -> None:
    start = line.service_date
    end = _date(line.dates, "151")
    if end is None:
        end = next((d.end for d in line.dates if d.qualifier in ("472", "150") and d.end), None)
    row = ServiceLineRow(
        claim=claim,
        position=position,
        procedure_qualifier=line.procedure.qualifier,
        procedure_code=line.procedure.code,
        modifiers=_modifiers(line.procedure) or "",
        charge=line.charge,
        paid=line.paid,
        allowed=line.allowed,
        revenue_code=line.revenue_code,
        units=line.units,
        original_procedure_code=line.original_procedure.code if line.original_procedure else None,
        original_modifiers=_modifiers(line.original_procedure),
        original_units=line.original_units,
        service_date=start,
        service_date_end=end,
        line_control_number=line.line_control_number,
        remark_codes=[r.code for r in line.remarks if r.qualifier in RARC_QUALIFIERS],
    )
    _add_adjustments(session, claim, row, line.adjustments)


def _add_adjustments(
    session: Session, claim: ClaimPaymentRow, line: ServiceLineRow | None, adjustments: Iterable[Adjustment]
) -> None:
    level = AdjustmentLevel.CLAIM if line is None else AdjustmentLevel.LINE
    session.add_all(
        AdjustmentRow(
            level=level,
            claim=claim,
            service_line=line,
            group_code=cas.group,
            reason_code=cas.reason,
            amount=cas.amount,
            quantity=cas.quantity,
        )
        for cas in adjustments
    )
