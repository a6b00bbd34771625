"""Money at stake and the per-payer table: what the Summary sheet and the dashboard open with."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from connector.reconcile.model import ReconciliationResult
from connector.reconcile.totals import QUIET, PayerRow, Totals, payer_key

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


def money_at_stake(result: ReconciliationResult) -> MoneyAtStake:
    """The money a person can still act on, from the running totals of the claim and line rows."""
    totals = totals_of(result)
    out = MoneyAtStake(underpaid=totals.underpaid, underpaid_lines=totals.underpaid_lines)
    by_action: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for group in result.denials:
        by_action[group.next_action or "review"] += group.amount
    out.denied_by_action = dict(sorted(by_action.items(), key=lambda kv: (-kv[1], kv[0])))
    out.missing_era, out.missing_era_claims = totals.missing_era, totals.missing_era_claims
    return out


def payer_table(result: ReconciliationResult) -> list[PayerRow]:
    """One row per payer (named as its first claim names it), most dollars at stake first."""
    return totals_of(result).payer_table()


def totals_of(result: ReconciliationResult) -> Totals:
    """The result's running totals (a result built by hand, with no totals, is totalled from its rows)."""
    return result.totals if result.totals is not None else Totals.of(result.claims, result.lines)


__all__ = ["QUIET", "MoneyAtStake", "PayerRow", "money_at_stake", "payer_key", "payer_table", "totals_of"]
