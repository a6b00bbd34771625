"""Reconciliation summaries: denials by reason, KPIs (HFMA MAP Keys style), A/R aging, payments, tie-out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from connector.pm.models import ChargeClaim, Claim
from connector.reconcile.model import (
    AGING_BUCKETS,
    ClaimRow,
    DenialGroup,
    Kpi,
    PayerPayments,
    ReconciliationResult,
    TieOut,
    TieOutLine,
)
from connector.reconcile.rows import EraRemit

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ADC_DAYS = 90
"""Average daily charges are taken over the 90 days before as_of (days in A/R)."""
UNREMITTED = ("missing_era", "awaiting_era")
NOT_REMITTED = (*UNREMITTED, "era_not_in_pm", "predetermination")
"""Left out of the remitted claims (and so of the denial rates): no ERA, not ours, or a predetermination
(CLP02=25: pricing only, no payment was due)."""


def denial_groups(claims: Sequence[ClaimRow]) -> list[DenialGroup]:
    """Denied dollars by group + CARC, largest first, with the RARCs seen and the next action."""
    found: dict[tuple[str, str], DenialGroup] = {}
    claim_ids: dict[tuple[str, str], set[str]] = {}
    for claim in claims:
        for reason in claim.reasons:
            key = (reason.group, reason.code)
            group = found.get(key)
            if group is None:
                group = found[key] = DenialGroup(reason.group, reason.code, reason.description,
                                                 reason.next_action, 0, 0, ZERO)  # fmt: skip
                claim_ids[key] = set()
            group.lines += 1
            group.amount += reason.amount
            claim_ids[key].add(claim.claim_id)
            group.remarks = tuple(dict.fromkeys((*group.remarks, *reason.remarks)))
    for key, group in found.items():
        group.claims = len(claim_ids[key])
    return sorted(found.values(), key=lambda g: (-g.amount, g.group, g.code))


def aging(claims: Sequence[ClaimRow]) -> dict[str, tuple[int, Decimal]]:
    """Claims still without a remittance by age bucket: (count, charges)."""
    out = {label: (0, ZERO) for label, _low, _high in AGING_BUCKETS}
    for claim in claims:
        if claim.category in UNREMITTED and claim.aging_bucket:
            count, amount = out[claim.aging_bucket]
            out[claim.aging_bucket] = (count + 1, amount + claim.charge)
    return out


def payments_by_payer(remittances: Sequence[EraRemit]) -> list[PayerPayments]:
    """BPR02 summed by payer and payment method (ACH, CHK, NON, ...)."""
    found: dict[tuple[str, str], PayerPayments] = {}
    for remit in remittances:
        key = (remit.payer.name or remit.payer.id, remit.payment_method or "?")
        row = found.setdefault(key, PayerPayments(key[0], key[1], 0, ZERO))
        row.remittances += 1
        row.amount += remit.payment_amount
    return sorted(found.values(), key=lambda r: (r.payer, r.method))


def tie_out(remittances: Sequence[EraRemit], claims: Sequence[ClaimRow], excluded: Sequence[str]) -> TieOut:
    """Σ paid on the claims − Σ PLB against Σ BPR02 of the ERAs included; says what does not tie and why."""
    lines: list[TieOutLine] = []
    for remit in remittances:
        claim_paid = remit.total_paid
        plb = remit.plb_total
        ties = claim_paid - plb == remit.payment_amount
        note = "; ".join(f.message for f in remit.findings if f.level == "transaction")
        if not ties and not note:
            note = f"Σ CLP04 − Σ PLB = {claim_paid - plb} but BPR02 = {remit.payment_amount}"
        line = TieOutLine(
            remit.trace_number, remit.payer.name, remit.payment_method, remit.payment_date,
            claim_paid, plb, remit.payment_amount, ties, note,
        )  # fmt: skip
        lines.append(line)
    era_paid = sum((line.claim_paid for line in lines), ZERO)
    report_paid = sum((c.paid for c in claims), ZERO)
    plb_total = sum((line.provider_adjustments for line in lines), ZERO)
    bpr_total = sum((line.payment_amount for line in lines), ZERO)
    result = TieOut(report_paid, plb_total, bpr_total, lines)
    notes = result.notes
    notes.append(
        f"Σ paid on the Claims sheet {report_paid:,.2f} − Σ provider adjustments (PLB) {plb_total:,.2f} = "
        f"{report_paid - plb_total:,.2f}; Σ BPR02 of the {len(lines)} ERAs included = {bpr_total:,.2f}."
    )
    if report_paid != era_paid:
        notes.append(f"Claims sheet total differs from Σ CLP04 of the ERAs ({era_paid:,.2f}).")
    bad = [line for line in lines if not line.ties]
    if bad:
        notes.append(f"{len(bad)} ERA(s) do not balance (Σ CLP04 − Σ PLB ≠ BPR02); see the tie-out table.")
    if excluded:
        notes.append(f"{len(excluded)} ERA transaction(s) read twice were counted once.")
    notes.insert(0, "Totals tie out." if result.ties else "Totals do NOT tie out.")
    return result


def kpis(
    result: ReconciliationResult, pm_claims: Sequence[Claim | ChargeClaim], clean: Mapping[str, bool] | None
) -> list[Kpi]:
    """Clean claim rate, denial rate (count, dollars), net collection rate, days in A/R, totals."""
    remitted = [c for c in result.claims if c.category not in NOT_REMITTED]
    charges = sum((c.charge for c in remitted if c.charge > 0), ZERO)
    denied_count = sum(1 for c in remitted if c.category == "denied")
    denied_dollars = sum((c.denied_amount for c in remitted), ZERO)
    paid = sum((c.paid for c in remitted), ZERO)
    patient = sum((c.patient_responsibility for c in remitted), ZERO)
    contractual = sum((c.contractual for c in remitted), ZERO)
    outstanding = sum((c.charge for c in result.claims if c.category in UNREMITTED), ZERO)
    since = result.as_of - dt.timedelta(days=ADC_DAYS)
    recent = sum(
        (
            c.total_charge
            for c in pm_claims
            if (d := c.first_service_date) is not None and since < d <= result.as_of
        ),
        ZERO,
    )
    daily = recent / ADC_DAYS if recent else ZERO
    out = [
        Kpi("Claims remitted", Decimal(len(remitted)), "count",
            "Claims in the PM export with an ERA (predeterminations not counted)."),
        Kpi("Paid by payer", paid, "money", "Σ CLP04 (net of reversals) of the claims remitted."),
        Kpi("Denial rate (count)", _pct(Decimal(denied_count), Decimal(len(remitted))), "percent",
            "Claims fully denied ÷ claims remitted (HFMA initial denial rate)."),
        Kpi("Denial rate (dollars)", _pct(denied_dollars, charges), "percent",
            "Charges adjusted for denial reasons (not contractual, not patient share) ÷ charges remitted."),
        Kpi("Net collection rate", _pct(paid + patient, charges - contractual), "percent",
            "(Payer paid + patient responsibility) ÷ (charges − contractual adjustments)."),
        Kpi("Days in A/R", None if not daily else (outstanding / daily).quantize(Decimal("0.1")), "days",
            f"Charges still without a remittance ÷ average daily charges of the last {ADC_DAYS} days."),
        Kpi("A/R without remittance", outstanding, "money", "Charges of PM claims with no ERA yet."),
    ]  # fmt: skip
    if clean:
        passed = sum(1 for ok in clean.values() if ok)
        out.insert(0, Kpi("Clean claim rate", _pct(Decimal(passed), Decimal(len(clean))), "percent",
                          "Claims passing the scrubber with no edits ÷ claims scrubbed."))  # fmt: skip
    return out


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * HUNDRED / denominator).quantize(Decimal("0.01"))
