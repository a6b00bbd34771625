"""Money at stake and the per-payer table: what the Summary sheet and the dashboard open with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from connector.reconcile.model import ReconciliationResult

ZERO = Decimal(0)


@dataclass(slots=True)
class MoneyAtStake:
    """Dollars a person can still recover: underpayments to appeal, denials by next action, missing ERAs."""

    underpaid: Decimal = ZERO
    """Σ (expected − allowed) of the underpaid service lines (to appeal)."""
    underpaid_lines: int = 0
    denied_by_action: dict[str, Decimal] = field(default_factory=dict)
    """Denied dollars by next action (corrected claim, appeal, bill patient, ...), largest first."""
    missing_era: Decimal = ZERO
    """Charges of claims with no ERA past the aging window."""
    missing_era_claims: int = 0

    @property
    def denied(self) -> Decimal:
        """Σ denied dollars over every next action."""
        return sum(self.denied_by_action.values(), ZERO)

    @property
    def total(self) -> Decimal:
        """Underpaid + denied + charges with no ERA past the window."""
        return self.underpaid + self.denied + self.missing_era


@dataclass(slots=True)
class PayerRow:
    """One payer's claims in a reconciliation: counts and the dollars that matter."""

    payer: str
    claims: int = 0
    charges: Decimal = ZERO
    paid: Decimal = ZERO
    denied: Decimal = ZERO
    underpaid: Decimal = ZERO
    missing_era: Decimal = ZERO
    problems: int = 0
    """Claims in a category that needs a person (not paid as expected / patient owes / waiting)."""


QUIET = frozenset({"paid_as_expected", "patient_responsibility", "awaiting_era"})


def money_at_stake(result: ReconciliationResult) -> MoneyAtStake:
    """The money a person can still act on, from the claim and line rows of the result."""
    out = MoneyAtStake()
    for line in result.lines:
        if line.category == "underpaid" and line.difference is not None:
            out.underpaid += -line.difference
            out.underpaid_lines += 1
    by_action: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for group in result.denials:
        by_action[group.next_action or "review"] += group.amount
    out.denied_by_action = dict(sorted(by_action.items(), key=lambda kv: (-kv[1], kv[0])))
    for claim in result.claims:
        if claim.category == "missing_era":
            out.missing_era += claim.charge
            out.missing_era_claims += 1
    return out


def payer_key(name: str) -> str:
    """The payer a name means: case and spacing do not matter (the ERA says UNITEDHEALTHCARE, the PM
    export UnitedHealthcare)."""
    return " ".join(name.split()).casefold() or "(no payer)"


def payer_table(result: ReconciliationResult) -> list[PayerRow]:
    """One row per payer (named as its first claim names it), most dollars at stake first."""
    rows: dict[str, PayerRow] = {}
    for claim in result.claims:
        row = rows.setdefault(payer_key(claim.payer), PayerRow(claim.payer.strip() or "(no payer)"))
        row.claims += 1
        row.charges += claim.charge
        row.paid += claim.paid
        row.denied += claim.denied_amount
        if claim.category == "missing_era":
            row.missing_era += claim.charge
        if claim.category not in QUIET:
            row.problems += 1
    payer_of = {c.claim_id: payer_key(c.payer) for c in result.claims}
    for line in result.lines:
        if line.category == "underpaid" and line.difference is not None:
            key = payer_of.get(line.claim_id, payer_key(""))
            rows.setdefault(key, PayerRow("(no payer)")).underpaid += -line.difference
    return sorted(rows.values(), key=lambda r: (-(r.denied + r.underpaid + r.missing_era), r.payer))
