"""Reconciliation summaries of the remittances: payments by payer, the tie-out; KPIs of a result by hand.

Denials by reason, A/R aging, the KPIs and the per-payer table are running totals (``totals.Totals``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from connector.pm.models import ChargeClaim, Claim
from connector.reconcile.model import Kpi, PayerPayments, ReconciliationResult, TieOut, TieOutLine
from connector.reconcile.rows import EraRemit
from connector.reconcile.totals import KpiSums, recent_charge

ZERO = Decimal(0)


def payments_by_payer(remittances: Sequence[EraRemit]) -> list[PayerPayments]:
    """BPR02 summed by payer and payment method (ACH, CHK, NON, ...)."""
    found: dict[tuple[str, str], PayerPayments] = {}
    for remit in remittances:
        key = (remit.payer.name or remit.payer.id, remit.payment_method or "?")
        row = found.setdefault(key, PayerPayments(key[0], key[1], 0, ZERO))
        row.remittances += 1
        row.amount += remit.payment_amount
    return sorted(found.values(), key=lambda r: (r.payer, r.method))


def tie_lines(remittances: Iterable[EraRemit]) -> list[TieOutLine]:
    """One tie-out line per remittance: Σ CLP04 − Σ PLB against BPR02, and why it does not tie."""
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
    return lines


def tie_out(lines: list[TieOutLine], report_paid: Decimal, excluded: Sequence[str]) -> TieOut:
    """Σ paid on the claims (``report_paid``) − Σ PLB against Σ BPR02 of the ERAs included (``lines``, from
    :func:`tie_lines`); says what does not tie and why."""
    era_paid = sum((line.claim_paid for line in lines), ZERO)
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
    """Clean claim rate, denial rate (count, dollars), net collection rate, days in A/R, totals, of the
    result's claim rows (for a result built by hand; ``reconcile()`` keeps running totals instead)."""
    sums = KpiSums()
    for claim in result.claims:
        sums.add(claim)
    for pm in pm_claims:
        sums.recent += recent_charge(pm.first_service_date, pm.total_charge, result.as_of)
    return sums.kpis(clean)
