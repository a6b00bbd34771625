"""Group ERA claim payments by claim and net them: reversals (CLP02=22), corrections, duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connector.pm.models import ChargeClaim as PMClaim
from connector.reconcile.model import MatchKind
from connector.reconcile.rows import EraClaim, EraRemit

FORWARDED_STATUSES = frozenset({"19", "20", "21", "23"})
"""CLP02 19/20/21: processed and forwarded to the next payer; 23: not our claim, forwarded."""
LATER_PAYER_STATUSES = frozenset({"2", "3", "20", "21"})
"""CLP02: processed as secondary or tertiary (this payer owes what the earlier payers left)."""
PREDETERMINATION = "25"
"""CLP02 25: predetermination pricing only, no payment."""


def payer_of(remit: EraRemit) -> str:
    """Who paid: N1*PR N104, else REF*2U, else the payer name."""
    return remit.payer.id or remit.payer.reference("2U") or remit.payer.name


@dataclass(slots=True)
class EraEntry:
    """One CLP as read, with the remittance it came in and its position in the input."""

    order: int
    remittance: EraRemit
    claim: EraClaim

    @property
    def sort_key(self) -> tuple[dt.date, int]:
        """Chronological: payment date (BPR16), then input order."""
        return (self.remittance.payment_date or dt.date.min, self.order)


@dataclass(slots=True)
class ClaimGroup:
    """Every CLP of one claim, the PM claim it matched and the outcome of netting."""

    key: str
    pm: PMClaim | None
    match: MatchKind
    entries: list[EraEntry] = field(default_factory=list)
    effective: EraEntry | None = None
    """The payment that stands: the correction after a reversal, the first of duplicates, else the latest."""
    reversals: int = 0
    reversed_only: bool = False
    """A reversal whose correction is not among the ERAs: the claim stands reversed."""
    duplicates: list[EraEntry] = field(default_factory=list)
    prior_paid: Decimal = Decimal(0)
    """Σ CLP04 of standing payments by other payers (the primary, when a secondary is the effective)."""

    @property
    def net_paid(self) -> Decimal:
        """Σ CLP04 over every entry (reversals are negative)."""
        return sum((e.claim.paid for e in self.entries), Decimal(0))

    @property
    def forwarded(self) -> bool:
        """CLP02 19/20/21, or a crossover carrier (NM1*TT) on the effective payment."""
        if self.effective is None:
            return False
        claim = self.effective.claim
        return claim.status_code in FORWARDED_STATUSES or claim.crossover_carrier is not None

    @property
    def predetermination(self) -> bool:
        """CLP02=25 on the effective entry: pricing only, no payment was due."""
        return self.effective is not None and self.effective.claim.status_code == PREDETERMINATION

    @property
    def later_payer(self) -> bool:
        """The effective payment was processed as secondary or tertiary (CLP02 2/3/20/21)."""
        return self.effective is not None and self.effective.claim.status_code in LATER_PAYER_STATUSES


def net(group: ClaimGroup) -> None:
    """Pair each reversal with the payment it cancels; pick the payment that stands; spot duplicates."""
    group.entries.sort(key=lambda e: e.sort_key)
    payments = [e for e in group.entries if not e.claim.is_reversal]
    reversals = [e for e in group.entries if e.claim.is_reversal]
    group.reversals = len(reversals)
    cancelled: set[int] = set()
    for reversal in reversals:
        original = _original_of(reversal, payments, cancelled)
        if original is not None:
            cancelled.add(original.order)
    standing = [p for p in payments if p.order not in cancelled]
    priced = [p for p in standing if p.claim.status_code != PREDETERMINATION]
    standing = priced or standing  # a predetermination stands only when nothing else does
    paying = [p for p in standing if p.claim.paid > 0]
    if len(paying) > 1:
        group.effective = paying[0]
        group.duplicates = [p for p in paying[1:] if _same_service(p, paying[0])]
        if not group.duplicates:
            group.effective = paying[-1]
    elif paying:
        group.effective = paying[0]
    elif standing:
        group.effective = standing[-1]
    elif reversals:
        group.effective = reversals[-1]
        group.reversed_only = True
    if group.effective is not None:
        payer = payer_of(group.effective.remittance)
        group.prior_paid = sum((p.claim.paid for p in paying if payer_of(p.remittance) != payer), Decimal(0))


def _original_of(reversal: EraEntry, payments: list[EraEntry], cancelled: set[int]) -> EraEntry | None:
    """The earliest uncancelled payment the reversal negates (same payer claim number preferred)."""
    amount = -reversal.claim.paid
    candidates = [p for p in payments if p.order not in cancelled and p.claim.paid == amount]
    same_icn = [p for p in candidates if p.claim.payer_claim_number == reversal.claim.payer_claim_number]
    chosen = same_icn or candidates
    earlier = [p for p in chosen if p.sort_key <= reversal.sort_key]
    pick = earlier or chosen
    return pick[0] if pick else None


def _same_service(first: EraEntry, other: EraEntry) -> bool:
    """Two payments of the same billed claim by the same payer (same charge): the second is a duplicate.

    A secondary or tertiary payer paying after the primary is not a duplicate."""
    return first.claim.charge == other.claim.charge and payer_of(first.remittance) == payer_of(
        other.remittance
    )
