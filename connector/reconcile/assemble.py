"""Build the claim row and line rows of one netted claim from its matched ERA and PM lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from connector.pm.models import ChargeClaim as PMClaim
from connector.pm.models import ChargeLine as PMLine
from connector.reconcile.adjustments import AdjustmentSplit, split
from connector.reconcile.keys import billed_procedure, cents
from connector.reconcile.lines import MATCH_KINDS, line_verdict
from connector.reconcile.model import Category, ClaimRow, LineMatchKind, LineRow, Reason
from connector.reconcile.netting import ClaimGroup
from connector.reconcile.reasons import ReasonBook
from connector.reconcile.rows import EraLine

ZERO = Decimal(0)
AMOUNTS_KEPT = 4096
_AMOUNTS: dict[str, Decimal] = {}


def same_amount(value: Decimal) -> Decimal:
    """The one object kept for an amount's text (same digits, same exponent: the value and its printing
    unchanged): the rows of 100,000 claims hold a thousand amounts, not a million objects (sums and
    differences are new objects), and pickle to the report's child as references to the first."""
    key = str(value)
    kept = _AMOUNTS.get(key)
    if kept is None:
        if len(_AMOUNTS) >= AMOUNTS_KEPT:
            _AMOUNTS.clear()
        kept = _AMOUNTS[key] = value
    return kept


FeeSchedule = Mapping[str, Decimal]
"""Contracted amount per unit by ``CODE`` or ``CODE:MOD1:MOD2`` (modifiers sorted)."""


@dataclass(slots=True)
class Settings:
    """What the verdicts depend on."""

    book: ReasonBook
    tolerance: Decimal
    fee_schedule: FeeSchedule | None = None


def expected_of(line: PMLine, fees: FeeSchedule | None) -> Decimal | None:
    """Contracted amount of a PM line: the export's expected amount, else the fee schedule × units."""
    if line.expected_amount is not None:
        return line.expected_amount
    if not fees:
        return None
    key = ":".join([line.procedure_code, *sorted(line.modifiers)])
    rate = fees.get(key, fees.get(line.procedure_code))
    return None if rate is None else rate * line.units


def line_row(
    group: ClaimGroup,
    era: EraLine | None,
    pm: PMLine | None,
    kind: int,
    settings: Settings,
    *,
    billed: tuple[str, tuple[str, ...]] | None = None,
    parts: AdjustmentSplit | None = None,
) -> LineRow:
    """One line's verdict; a line on one side only is era_not_in_pm or missing_era. ``billed`` and ``parts``:
    the ERA line's ``billed_procedure`` and ``split`` when the caller has them already."""
    claim_id = group.pm.claim_id if group.pm is not None else group.key
    if era is None:
        assert pm is not None
        return LineRow(
            claim_id, pm.line_id, "missing_era", pm.procedure_code, pm.modifiers, pm.service_date,
            charge=pm.charge, pm_charge=pm.charge, expected=expected_of(pm, settings.fee_schedule),
        )  # fmt: skip
    code, modifiers = billed or billed_procedure(era.procedure, era.original_procedure)
    if parts is None:
        parts = split(era.adjustments, era.remarks, settings.book)
    allowed = era.allowed if era.allowed is not None else era.paid + parts.patient
    expected = expected_of(pm, settings.fee_schedule) if pm is not None else None
    category: Category
    # a secondary/tertiary line is not held against the full contract: the claim compares what this
    # payer owed (see claim_row); a predetermination priced the line, nothing was due
    contract = None if expected is None or group.later_payer else cents(expected)
    if group.reversed_only:
        category = "reversed"
    elif pm is None:
        category = "era_not_in_pm"
    elif group.predetermination:
        category = "predetermination"
    else:
        verdict = line_verdict(
            cents(era.paid),
            cents(allowed),
            contract,
            cents(parts.denied),
            cents(parts.patient),
            cents(settings.tolerance),
        )
        category = verdict
    flags: tuple[Category, ...] = ()
    if pm is not None and not group.reversed_only and abs(era.charge) != pm.charge:
        flags = ("charge_mismatch",)
    match: LineMatchKind = MATCH_KINDS[kind]  # type: ignore[assignment]
    return LineRow(
        claim_id=claim_id,
        line_id=pm.line_id if pm is not None else (era.line_control_number or ""),
        category=category,
        procedure=code,
        modifiers=modifiers,
        service_date=era.service_date,
        charge=era.charge,
        pm_charge=pm.charge if pm is not None else None,
        expected=expected,
        allowed=same_amount(allowed),
        paid=same_amount(era.paid),
        patient_responsibility=same_amount(parts.patient),
        denied_amount=same_amount(parts.denied),
        difference=None if contract is None else same_amount(allowed - (expected or ZERO)),
        match=match,
        restated_procedure=era.procedure.code if era.original_procedure is not None else "",
        flags=flags,
        reasons=parts.reasons,
    )


def claim_row(
    group: ClaimGroup, lines: list[LineRow], settings: Settings, lines_contractual: Decimal | None = None
) -> ClaimRow:
    """The claim's verdict from its lines (or its totals), its events as flags, and its amounts.
    ``lines_contractual``: Σ contractual adjustments of the effective payment's lines, when known."""
    assert group.effective is not None
    effective = group.effective.claim
    pm = group.pm
    head = split(effective.adjustments, effective.remarks, settings.book)
    era_lines = [line for line in lines if line.category != "missing_era"]
    if any(line.category not in ("denied", "predetermination") for line in era_lines):
        for line in lines:
            if line.category == "denied":
                line.category = "partially_paid"
    expected = _expected_total(pm, lines, settings)
    allowed = sum((ln.allowed or ZERO for ln in era_lines), ZERO) if era_lines else None
    patient = head.patient + sum((ln.patient_responsibility for ln in era_lines), ZERO)
    denied = head.denied + sum((ln.denied_amount for ln in era_lines), ZERO)
    if lines_contractual is None:
        book = settings.book
        lines_contractual = sum(
            (split(ln.adjustments, ln.remarks, book).contractual for ln in effective.service_lines), ZERO
        )
    contractual = head.contractual + lines_contractual
    if allowed is None:
        allowed = effective.paid + patient
    category = _claim_category(group, lines, head.denied, allowed, expected, patient, settings)
    difference = None if expected is None else allowed - expected
    if group.later_payer and category in (
        "paid_as_expected",
        "patient_responsibility",
        "underpaid",
        "overpaid",
    ):
        owed = owed_by_later_payer(group, expected, patient)
        if owed is not None:
            expected, difference = owed, effective.paid - owed
            category = _against(effective.paid, owed, patient, settings.tolerance)
        else:
            difference = None
    flags: list[Category] = []
    if group.reversals and category != "reversed":
        flags.append("reversed")
    if group.forwarded and category != "forwarded":
        flags.append("forwarded")
    if group.duplicates:
        flags.append("duplicate_payment")
    if (
        pm is not None
        and not group.reversed_only
        and not era_lines
        and abs(effective.charge) != pm.total_charge
    ):
        flags.append("charge_mismatch")
    reasons: list[Reason] = list(head.reasons)
    for line in lines:
        reasons.extend(line.reasons)
    patient_name = effective.patient
    names = f"{pm.last_name}, {pm.first_name}" if pm is not None else ""
    if not names and patient_name is not None:
        names = f"{patient_name.last_or_org}, {patient_name.first}"
    numbers = tuple(dict.fromkeys(e.remittance.trace_number for e in group.entries))
    tt = effective.crossover_carrier
    return ClaimRow(
        claim_id=pm.claim_id if pm is not None else effective.claim_id,
        category=category,
        flags=tuple(flags),
        payer=group.effective.remittance.payer.name,
        patient=names,
        service_date=(pm.first_service_date if pm is not None else None) or _era_date(group),
        submitted=pm.submitted_date if pm is not None else None,
        status_code=effective.status_code,
        payer_claim_number=effective.payer_claim_number,
        payment_numbers=numbers,
        payment_date=group.effective.remittance.payment_date,
        charge=same_amount(effective.charge),
        pm_charge=pm.total_charge if pm is not None else None,
        expected=None if expected is None else same_amount(expected),
        allowed=None if allowed is None else same_amount(allowed),
        paid=same_amount(group.net_paid),
        patient_responsibility=same_amount(patient),
        denied_amount=same_amount(denied),
        contractual=same_amount(contractual),
        interest=effective.interest,
        difference=None if difference is None else same_amount(difference),
        match=group.match,
        forwarded_to=tt.last_or_org if tt is not None else "",
        reasons=tuple(reasons),
    )


def _claim_category(
    group: ClaimGroup,
    lines: list[LineRow],
    head_denied: Decimal,
    allowed: Decimal,
    expected: Decimal | None,
    patient: Decimal,
    settings: Settings,
) -> Category:
    if group.pm is None:
        return "era_not_in_pm"
    if group.reversed_only:
        return "reversed"
    if group.predetermination:
        return "predetermination"
    if group.forwarded:
        return "forwarded"
    assert group.effective is not None
    verdicts = {line.category for line in lines if line.category != "missing_era"}
    if verdicts:
        if verdicts == {"denied"}:
            return "denied"
        ordered: tuple[Category, ...] = ("partially_paid", "underpaid", "overpaid")
        for category in ordered:
            if category in verdicts or (category == "partially_paid" and "missing_era" in _all(lines)):
                return category
        if verdicts == {"patient_responsibility"}:
            return "patient_responsibility"
        return "paid_as_expected"
    paid = group.effective.claim.paid
    verdict = line_verdict(
        cents(paid),
        cents(allowed),
        None if expected is None or group.later_payer else cents(expected),
        cents(head_denied),
        cents(patient),
        cents(settings.tolerance),
    )
    return verdict


def owed_by_later_payer(group: ClaimGroup, expected: Decimal | None, patient: Decimal) -> Decimal | None:
    """What a secondary/tertiary payer owed: the contracted amount less what earlier payers paid (their
    payments among the ERAs, else the CAS 23 "impact of prior payer" on this ERA) and the patient's share,
    never below zero. None when the contract or the earlier payment is unknown."""
    if expected is None or group.effective is None:
        return None
    claim = group.effective.claim
    adjustments = [*claim.adjustments, *(a for line in claim.service_lines for a in line.adjustments)]
    prior_cas = [a.amount for a in adjustments if a.reason == "23"]
    if group.prior_paid:
        prior = group.prior_paid
    elif prior_cas:
        prior = sum(prior_cas, ZERO)
    else:
        return None
    return max(expected - prior - patient, ZERO)


def _against(paid: Decimal, owed: Decimal, patient: Decimal, tolerance: Decimal) -> Category:
    if paid < owed - tolerance:
        return "underpaid"
    if paid > owed + tolerance:
        return "overpaid"
    return "patient_responsibility" if paid == 0 and patient > 0 else "paid_as_expected"


def _all(lines: list[LineRow]) -> set[str]:
    return {line.category for line in lines}


def _expected_total(pm: PMClaim | None, lines: list[LineRow], settings: Settings) -> Decimal | None:
    if pm is None:
        return None
    amounts = [expected_of(line, settings.fee_schedule) for line in pm.lines]
    if not amounts or any(a is None for a in amounts):
        return None
    return sum((a for a in amounts if a is not None), ZERO)


def _era_date(group: ClaimGroup) -> dt.date | None:
    assert group.effective is not None
    dates = [d for line in group.effective.claim.service_lines if (d := line.service_date) is not None]
    if dates:
        return min(dates)
    return next((d.date for d in group.effective.claim.dates if d.qualifier in ("232", "472")), None)
