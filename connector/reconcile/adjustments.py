"""Split CAS adjustments into contractual, patient share and denied amounts, with reasons for the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from connector.reconcile.model import Reason
from connector.reconcile.reasons import ReasonBook
from connector.x12.models import Adjustment, Remark

ZERO = Decimal(0)


@dataclass(slots=True)
class AdjustmentSplit:
    """Amounts of one line's (or claim's) CAS by meaning, and the denial reasons among them."""

    contractual: Decimal = ZERO
    patient: Decimal = ZERO
    """Deductible, coinsurance, copay."""
    denied: Decimal = ZERO
    """Everything adjusted for a denial reason (including PR reasons that are not the patient's share)."""
    reasons: tuple[Reason, ...] = ()


def split(adjustments: Sequence[Adjustment], remarks: Sequence[Remark], book: ReasonBook) -> AdjustmentSplit:
    """Classify each CAS; a denial reason carries the RARCs, its description and the next action."""
    out = AdjustmentSplit()
    reasons: list[Reason] = []
    rarcs = tuple(r.code for r in remarks if r.qualifier == "HE")
    remark_text = "; ".join(f"{c}: {book.describe('rarc', c)}".rstrip(": ") for c in rarcs)
    for adjustment in adjustments:
        group, code, amount = adjustment.group, adjustment.reason, adjustment.amount
        if book.is_contractual(group, code):
            out.contractual += amount
        elif book.is_patient_share(group, code):
            out.patient += amount
        else:
            out.denied += amount
            if amount:
                reasons.append(
                    Reason(
                        group=group,
                        code=code,
                        amount=amount,
                        remarks=rarcs,
                        description=book.describe("carc", code),
                        next_action=book.next_action(group, code),
                        remark_text=remark_text,
                    )
                )
    out.reasons = tuple(reasons)
    return out


def claim_remarks(outpatient: tuple[str, ...], inpatient: tuple[str, ...]) -> list[Remark]:
    """RARCs carried on MOA03–07 and MIA05/20–24 as HE remarks."""
    codes = [c for c in outpatient[2:7] if c]
    if inpatient:
        picks = [inpatient[i] for i in (4, 19, 20, 21, 22, 23) if i < len(inpatient)]
        codes += [c for c in picks if c and not _is_number(c)]
    return [Remark("HE", c) for c in codes]


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True
