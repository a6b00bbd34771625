"""Maps connector.x12 835 models to plain row dictionaries for the ERA tables (no database access)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from connector.store.types import AdjustmentLevel
from connector.x12.models import (
    Adjustment,
    ClaimPayment,
    DateEntry,
    ProcedureCode,
    Remittance,
    ServiceLine,
)

Row = dict[str, Any]
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


def remittance_row(remittance: Remittance, file_id: int) -> Row:
    """The ``remittance`` row of one 835 transaction."""
    payer_id, payment_number, isa13, gs06, st02 = dedupe_key(remittance)
    return {
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
        "read_findings": [f.as_dict() for f in remittance.read_findings],
    }


def provider_adjustment_rows(remittance: Remittance, remittance_id: int) -> list[Row]:
    """``provider_adjustment`` rows (PLB), in file order."""
    return [
        {
            "remittance_id": remittance_id,
            "position": position,
            "provider_id": plb.provider_id,
            "fiscal_period_date": plb.fiscal_period_date,
            "reason_code": plb.reason,
            "reference": plb.reference,
            "amount": plb.amount,
        }
        for position, plb in enumerate(remittance.provider_adjustments)
    ]


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


def claim_row(claim: ClaimPayment, remittance_id: int, position: int) -> Row:
    """The ``claim_payment`` row of one CLP loop."""
    patient = claim.patient
    insured = claim.insured
    member_id = (patient.id if patient and patient.id else "") or (insured.id if insured else "")
    statement_from = _date(claim.dates, "232")
    return {
        "remittance_id": remittance_id,
        "position": position,
        "patient_control_number": claim.claim_id,
        "status_code": claim.status_code,
        "charge": claim.charge,
        "paid": claim.paid,
        "patient_responsibility": claim.patient_responsibility,
        "filing_indicator": claim.filing_indicator,
        "payer_claim_number": claim.payer_claim_number,
        "facility_type": claim.facility_type,
        "frequency_code": claim.frequency_code,
        "patient_last_name": patient.last_or_org if patient else "",
        "patient_first_name": patient.first if patient else "",
        "member_id": member_id,
        "received_date": _date(claim.dates, "050"),
        "statement_from": statement_from,
        "statement_to": _date(claim.dates, "233") or statement_from,
        "remark_codes": _claim_remarks(claim),
    }


def line_row(line: ServiceLine, claim_id: int, position: int) -> Row:
    """The ``service_line`` row of one SVC loop."""
    end = line.service_date_end
    return {
        "claim_id": claim_id,
        "position": position,
        "procedure_qualifier": line.procedure.qualifier,
        "procedure_code": line.procedure.code,
        "modifiers": _modifiers(line.procedure) or "",
        "charge": line.charge,
        "paid": line.paid,
        "allowed": line.allowed,
        "revenue_code": line.revenue_code,
        "units": line.units,
        "original_procedure_code": line.original_procedure.code if line.original_procedure else None,
        "original_modifiers": _modifiers(line.original_procedure),
        "original_units": line.original_units,
        "service_date": line.service_date,
        "service_date_end": end,
        "line_control_number": line.line_control_number,
        "remark_codes": [r.code for r in line.remarks if r.qualifier in RARC_QUALIFIERS],
    }


def adjustment_rows(
    adjustments: Iterable[Adjustment], claim_id: int, service_line_id: int | None
) -> list[Row]:
    """``adjustment`` rows of one CAS list (claim level when ``service_line_id`` is None)."""
    level = AdjustmentLevel.CLAIM if service_line_id is None else AdjustmentLevel.LINE
    return [
        {
            "level": level,
            "claim_id": claim_id,
            "service_line_id": service_line_id,
            "group_code": cas.group,
            "reason_code": cas.reason,
            "amount": cas.amount,
            "quantity": cas.quantity,
        }
        for cas in adjustments
    ]
