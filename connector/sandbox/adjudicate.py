"""The sandbox payer's adjudication: claims as billed become 835 claim payments (x12 models)."""

from __future__ import annotations

import copy
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from connector.sandbox.model import ZERO, Claim, Line
from connector.x12.models import (
    Adjustment as Cas,
)
from connector.x12.models import (
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Name,
    ProcedureCode,
    Reference,
    Remark,
)
from connector.x12.models import (
    ServiceLine as RemitLine,
)

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to cents, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def patient_share_plan(rng: random.Random) -> str:
    """How the patient shares the cost on one claim: none, copay, coinsurance or deductible."""
    return rng.choice(("none", "copay", "copay", "coinsurance", "coinsurance", "deductible"))


def _patient_share(plan: str, line: Line, allowed: Decimal, first: bool, evaluation: bool) -> list[Cas]:
    if allowed <= 0:
        return []
    if plan == "copay" and evaluation and first:
        return [Cas("PR", "3", min(Decimal("25.00"), allowed))]
    if plan == "coinsurance":
        return [Cas("PR", "2", money(allowed * Decimal("0.20")))]
    if plan == "deductible" and first:
        return [Cas("PR", "1", min(Decimal("40.00"), allowed))]
    return []


def pay_line(
    line: Line,
    *,
    plan: str,
    first: bool,
    evaluation: bool,
    allowed: Decimal | None = None,
    denial: tuple[str, str, str] | None = None,
) -> RemitLine:
    """One 835 service line: CO-45 down to the allowed amount, the patient's share, or a denial."""
    adjustments: list[Cas] = []
    remarks: list[Remark] = []
    if denial is not None:
        group, reason, rarc = denial
        adjustments.append(Cas(group, reason, line.charge))
        if rarc:
            remarks.append(Remark("HE", rarc))
        allowed_amount = ZERO
        paid = ZERO
    else:
        allowed_amount = money(line.expected if allowed is None else allowed)
        contractual = line.charge - allowed_amount
        if contractual:
            adjustments.append(Cas("CO", "45", contractual))
        adjustments.extend(_patient_share(plan, line, allowed_amount, first, evaluation))
        paid = allowed_amount - sum((a.amount for a in adjustments if a.group == "PR"), ZERO)
    return RemitLine(
        procedure=ProcedureCode("HC", line.procedure, line.modifiers),
        charge=line.charge,
        paid=paid,
        units=Decimal(line.units),
        dates=[DateEntry("472", line.service_date)],
        adjustments=adjustments,
        references=[Reference("6R", line.line_id)],
        amounts=[AmountEntry("B6", allowed_amount)],
        remarks=remarks,
    )


def claim_payment(claim: Claim, lines: list[RemitLine], *, status: str = "1") -> ClaimPayment:
    """Wrap paid lines into the CLP loop: totals, patient and rendering provider names, received date."""
    paid = sum((line.paid for line in lines), ZERO)
    patient_share = sum((a.amount for line in lines for a in line.adjustments if a.group == "PR"), ZERO)
    patient = claim.patient
    return ClaimPayment(
        claim_id=claim.claim_id,
        status_code=status,
        charge=sum((line.charge for line in lines), ZERO),
        paid=paid,
        patient_responsibility=patient_share,
        filing_indicator="12",
        payer_claim_number=claim.payer_claim_number,
        facility_type="11",
        frequency_code="1",
        names=[
            Name(
                "QC",
                "1",
                patient.last.upper(),
                patient.first.upper(),
                id_qualifier="MI",
                id=patient.member_id,
            ),
            Name("82", "1", "", "", id_qualifier="XX", id=claim.rendering_npi),
        ],
        dates=[DateEntry("050", claim.submitted + dt.timedelta(days=1))],
        service_lines=lines,
    )


def adjudicate(
    claim: Claim,
    plan: str,
    *,
    allowed: dict[str, Decimal] | None = None,
    denied_lines: dict[str, tuple[str, str, str]] | None = None,
    status: str = "1",
) -> ClaimPayment:
    """Pay a claim by the fee schedule, with optional allowed-amount overrides and per-line denials."""
    from connector.sandbox.codes import FEE_SCHEDULE

    allowed = allowed or {}
    denied_lines = denied_lines or {}
    out: list[RemitLine] = []
    first = True
    for line in claim.lines:
        evaluation = FEE_SCHEDULE[line.procedure].evaluation
        denial = denied_lines.get(line.line_id)
        out.append(
            pay_line(
                line,
                plan=plan,
                first=first,
                evaluation=evaluation,
                allowed=allowed.get(line.line_id),
                denial=denial,
            )
        )
        if denial is None:
            first = False
    return claim_payment(claim, out, status=status)


def deny(claim: Claim, denial: tuple[str, str, str]) -> ClaimPayment:
    """A whole-claim denial (CLP02=4): every line adjusted by its full charge, nothing paid."""
    lines = [
        pay_line(line, plan="none", first=False, evaluation=False, denial=denial) for line in claim.lines
    ]
    return claim_payment(claim, lines, status="4")


def reverse(original: ClaimPayment) -> ClaimPayment:
    """CLP02=22: the reversal of an earlier payment, every amount negated, same CLP01 and CLP07."""
    reversal = copy.deepcopy(original)
    reversal.status_code = "22"
    reversal.charge = -reversal.charge
    reversal.paid = -reversal.paid
    if reversal.patient_responsibility is not None:
        reversal.patient_responsibility = -reversal.patient_responsibility
    for adjustment in reversal.adjustments:
        adjustment.amount = -adjustment.amount
    for line in reversal.service_lines:
        line.charge = -line.charge
        line.paid = -line.paid
        for adjustment in line.adjustments:
            adjustment.amount = -adjustment.amount
        for amount in line.amounts:
            amount.amount = -amount.amount
    return reversal
