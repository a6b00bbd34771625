"""Running totals of a reconciliation's claim and line rows: all the Summary sheet and the snapshot need.

Fed one claim (with its lines) at a time as ``reconcile()`` produces it, so the rows themselves can go
straight to the workbook and the store instead of being held: category counts, money at stake, the per-payer
table with its KPIs, denial groups, A/R aging, the KPIs and Σ paid for the tie-out. Amounts stay exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from connector.pm.models import ChargeClaim, Claim
from connector.reconcile.model import AGING_BUCKETS, CATEGORIES, ClaimRow, LineRow
from connector.reconcile.model_summary import DenialGroup, Kpi

ZERO = Decimal(0)
HUNDRED = Decimal(100)
ADC_DAYS = 90
"""Average daily charges are taken over the 90 days before as_of (days in A/R)."""
UNREMITTED = ("missing_era", "awaiting_era")
NOT_REMITTED = frozenset({*UNREMITTED, "era_not_in_pm", "predetermination"})
"""Left out of the remitted claims (and so of the denial rates): no ERA, not ours, or a predetermination
(CLP02=25: pricing only, no payment was due)."""
QUIET = frozenset({"paid_as_expected", "patient_responsibility", "awaiting_era"})
"""Categories that need no person (the per-payer 'to review' count leaves them out)."""


def payer_key(name: str) -> str:
    """The payer a name means: case and spacing do not matter (the ERA says UNITEDHEALTHCARE, the PM
    export UnitedHealthcare)."""
    return " ".join(name.split()).casefold() or "(no payer)"


def recent_charge(first_service_date: dt.date | None, total_charge: Decimal, as_of: dt.date) -> Decimal:
    """A PM claim's charge when its first service date is in the ADC window before ``as_of``, else 0."""
    since = as_of - dt.timedelta(days=ADC_DAYS)
    if first_service_date is not None and since < first_service_date <= as_of:
        return total_charge
    return ZERO


def recent_by_id(claims: Iterable[ChargeClaim | Claim], as_of: dt.date) -> dict[str, Decimal]:
    """PM claim id -> Σ recent charge (:func:`recent_charge`) of the PM claims with that id."""
    since = as_of - dt.timedelta(days=ADC_DAYS)
    out: dict[str, Decimal] = {}
    for claim in claims:
        if (day := claim.first_service_date) is not None and since < day <= as_of:
            out[claim.claim_id] = out.get(claim.claim_id, ZERO) + claim.total_charge
    return out


@dataclass(slots=True)
class KpiSums:
    """What the KPIs are computed from, summed over claim rows."""

    remitted: int = 0
    charges: Decimal = ZERO
    denied_count: int = 0
    denied_dollars: Decimal = ZERO
    paid: Decimal = ZERO
    patient: Decimal = ZERO
    contractual: Decimal = ZERO
    outstanding: Decimal = ZERO
    recent: Decimal = ZERO
    """Σ charges of the PM claims whose first service date is in the last ADC_DAYS (added by the caller)."""

    def add(self, claim: ClaimRow) -> None:
        """Count one claim row."""
        category = claim.category
        if category in UNREMITTED:
            self.outstanding += claim.charge
        if category in NOT_REMITTED:
            return
        self.remitted += 1
        if claim.charge > 0:
            self.charges += claim.charge
        if category == "denied":
            self.denied_count += 1
        self.denied_dollars += claim.denied_amount
        self.paid += claim.paid
        self.patient += claim.patient_responsibility
        self.contractual += claim.contractual

    def kpis(self, clean: Mapping[str, bool] | None = None) -> list[Kpi]:
        """Clean claim rate, denial rate (count, dollars), net collection rate, days in A/R, totals."""
        daily = self.recent / ADC_DAYS if self.recent else ZERO
        remitted = Decimal(self.remitted)
        out = [
            Kpi("Claims remitted", remitted, "count",
                "Claims in the PM export with an ERA (predeterminations not counted)."),
            Kpi("Paid by payer", self.paid, "money", "Σ CLP04 (net of reversals) of the claims remitted."),
            Kpi("Denial rate (count)", _pct(Decimal(self.denied_count), remitted), "percent",
                "Claims fully denied ÷ claims remitted (HFMA initial denial rate)."),
            Kpi("Denial rate (dollars)", _pct(self.denied_dollars, self.charges), "percent",
                "Charges adjusted for denial reasons (not contractual, not patient share) ÷ charges "
                "remitted."),
            Kpi("Net collection rate", _pct(self.paid + self.patient, self.charges - self.contractual),
                "percent", "(Payer paid + patient responsibility) ÷ (charges − contractual adjustments)."),
            Kpi("Days in A/R", None if not daily else (self.outstanding / daily).quantize(Decimal("0.1")),
                "days",
                f"Charges still without a remittance ÷ average daily charges of the last {ADC_DAYS} days."),
            Kpi("A/R without remittance", self.outstanding, "money", "Charges of PM claims with no ERA yet."),
        ]  # fmt: skip
        if clean:
            passed = sum(1 for ok in clean.values() if ok)
            out.insert(0, Kpi("Clean claim rate", _pct(Decimal(passed), Decimal(len(clean))), "percent",
                              "Claims passing the scrubber with no edits ÷ claims scrubbed."))  # fmt: skip
        return out


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
    sums: KpiSums = field(default_factory=KpiSums)
    """This payer's claims, for its own KPIs (the dashboard's per-payer figures)."""
    claim_ids: set[str] = field(default_factory=set)
    """Claim ids seen (a PM claim's recent charge counts once per payer whose rows name it)."""


class Totals:
    """Running totals over claim rows (each with its line rows), in the order the report lists them."""

    def __init__(self, recent_by_id: Mapping[str, Decimal] | None = None) -> None:
        """``recent_by_id``: claim id -> Σ recent charge of the PM claims with that id (per-payer KPIs)."""
        self.recent_by_id = recent_by_id or {}
        self.claims = 0
        self.paid = ZERO
        self.categories: dict[str, tuple[int, Decimal]] = {}
        self.sums = KpiSums()
        self.payers: dict[str, PayerRow] = {}
        self.underpaid = ZERO
        self.underpaid_lines = 0
        self.missing_era = ZERO
        self.missing_era_claims = 0
        self.aging: dict[str, tuple[int, Decimal]] = {label: (0, ZERO) for label, _lo, _hi in AGING_BUCKETS}
        self._denials: dict[tuple[str, str], DenialGroup] = {}
        self._denial_claims: dict[tuple[str, str], set[str]] = {}
        self._sealed = False
        """A pickled copy (complete: :meth:`__getstate__`) holds its counts, not the claim ids behind them."""

    def add(self, claim: ClaimRow, lines: Sequence[LineRow] = ()) -> None:
        """One claim row and its line rows (an underpaid line counts for its claim's payer)."""
        self.add_claim(claim)
        key = payer_key(claim.payer)
        for line in lines:
            self.add_line(line, key if line.claim_id == claim.claim_id else payer_key(""))

    def add_claim(self, claim: ClaimRow) -> None:
        """One claim row."""
        category = claim.category
        self.claims += 1
        self.paid += claim.paid
        count, paid = self.categories.get(category, (0, ZERO))
        self.categories[category] = (count + 1, paid + claim.paid)
        self.sums.add(claim)
        key = payer_key(claim.payer)
        row = self.payers.get(key)
        if row is None:
            row = self.payers[key] = PayerRow(claim.payer.strip() or "(no payer)")
        row.claims += 1
        row.charges += claim.charge
        row.paid += claim.paid
        row.denied += claim.denied_amount
        row.sums.add(claim)
        if claim.claim_id not in row.claim_ids:
            row.claim_ids.add(claim.claim_id)
            row.sums.recent += self.recent_by_id.get(claim.claim_id, ZERO)
        if category == "missing_era":
            row.missing_era += claim.charge
            self.missing_era += claim.charge
            self.missing_era_claims += 1
        if category not in QUIET:
            row.problems += 1
        if category in UNREMITTED and claim.aging_bucket:
            count, amount = self.aging[claim.aging_bucket]
            self.aging[claim.aging_bucket] = (count + 1, amount + claim.charge)
        for reason in claim.reasons:
            pair = (reason.group, reason.code)
            group = self._denials.get(pair)
            if group is None:
                group = self._denials[pair] = DenialGroup(reason.group, reason.code, reason.description,
                                                          reason.next_action, 0, 0, ZERO)  # fmt: skip
                self._denial_claims[pair] = set()
            group.lines += 1
            group.amount += reason.amount
            self._denial_claims[pair].add(claim.claim_id)
            if reason.remarks:
                group.remarks = tuple(dict.fromkeys((*group.remarks, *reason.remarks)))

    def add_line(self, line: LineRow, payer: str) -> None:
        """One line row; ``payer``: the payer key of its claim."""
        if line.category == "underpaid" and line.difference is not None:
            self.underpaid += -line.difference
            self.underpaid_lines += 1
            row = self.payers.get(payer)
            if row is None:
                row = self.payers[payer] = PayerRow("(no payer)")
            row.underpaid += -line.difference

    def category_counts(self) -> dict[str, tuple[int, Decimal]]:
        """Claims and net paid per primary category, in the canonical order."""
        return {c: self.categories[c] for c in CATEGORIES if c in self.categories}

    def __getstate__(self) -> dict[str, Any]:
        """The complete totals as they cross to the process writing the report: the counts, without the claim
        ids and PM charges they were counted from (tens of megabytes at 100,000 claims)."""
        self._count_denied_claims()
        payers = {key: replace(row, claim_ids=set()) for key, row in self.payers.items()}
        return {**self.__dict__, "recent_by_id": {}, "_denial_claims": {}, "_sealed": True, "payers": payers}

    def _count_denied_claims(self) -> None:
        if not self._sealed:
            for pair, group in self._denials.items():
                group.claims = len(self._denial_claims[pair])

    def denial_groups(self) -> list[DenialGroup]:
        """Denied dollars by group + CARC, largest first, with the RARCs seen and the next action."""
        self._count_denied_claims()
        return sorted(self._denials.values(), key=lambda g: (-g.amount, g.group, g.code))

    def payer_table(self) -> list[PayerRow]:
        """One row per payer (named as its first claim names it), most dollars at stake first."""
        rows = self.payers.values()
        return sorted(rows, key=lambda r: (-(r.denied + r.underpaid + r.missing_era), r.payer))

    @classmethod
    def of(
        cls, claims: Iterable[ClaimRow], lines: Iterable[LineRow], recent: Mapping[str, Decimal] | None = None
    ) -> Totals:
        """Totals of rows held in lists (a result built by hand): an underpaid line counts for the payer of
        the claim row with its claim id (the last one, when several have it)."""
        out = cls(recent)
        payer_of: dict[str, str] = {}
        for claim in claims:
            out.add_claim(claim)
            payer_of[claim.claim_id] = payer_key(claim.payer)
        for line in lines:
            out.add_line(line, payer_of.get(line.claim_id, payer_key("")))
        return out


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator * HUNDRED / denominator).quantize(Decimal("0.01"))
