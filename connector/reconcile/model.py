"""Result models of reconciliation: claim and line rows, denials, deposits, PLB rows, KPIs, tie-out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from connector.pickling import pickled_by_position
from connector.reconcile.model_summary import (
    BankDeposit,
    DenialGroup,
    DepositRow,
    Kpi,
    PayerPayments,
    TieOut,
    TieOutLine,
)

if TYPE_CHECKING:
    from connector.reconcile.totals import Totals

Category = Literal[
    "paid_as_expected",
    "underpaid",
    "overpaid",
    "partially_paid",
    "denied",
    "reversed",
    "recouped",
    "interest",
    "forwarded",
    "patient_responsibility",
    "missing_era",
    "era_not_in_pm",
    "duplicate_payment",
    "charge_mismatch",
    "awaiting_era",
    "predetermination",
]
"""Reconciliation categories (names shared with the sandbox ground truth). ``awaiting_era``: submitted, no
remittance yet, still inside the aging window (not a discrepancy). ``predetermination``: CLP02=25, pricing
only, no payment was due (neither a denial nor an underpayment; not in the denial rate)."""

CATEGORIES: tuple[Category, ...] = (
    "paid_as_expected",
    "underpaid",
    "overpaid",
    "partially_paid",
    "denied",
    "reversed",
    "recouped",
    "interest",
    "forwarded",
    "patient_responsibility",
    "missing_era",
    "era_not_in_pm",
    "duplicate_payment",
    "charge_mismatch",
    "awaiting_era",
    "predetermination",
)

NOT_DISCREPANCIES: frozenset[str] = frozenset(
    {"paid_as_expected", "patient_responsibility", "awaiting_era", "predetermination"}
)
"""Categories that are not flagged as a discrepancy."""

CLAIM_LEVEL: frozenset[str] = frozenset(
    {"reversed", "recouped", "interest", "forwarded", "duplicate_payment", "missing_era", "era_not_in_pm"}
)
"""Categories that are events of a claim."""
LINE_LEVEL: frozenset[str] = frozenset(
    {"underpaid", "overpaid", "partially_paid", "denied", "charge_mismatch"}
)
"""Categories that are verdicts on a service line."""

MatchKind = Literal["claim_number", "patient_date_charge", "none"]
LineMatchKind = Literal["line_control_number", "procedure_date_charge", "procedure_date", "none"]

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("121+", 121, None),
)


def aging_bucket(days: int) -> str:
    """The A/R aging bucket label for an age in days."""
    for label, low, high in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGING_BUCKETS[0][0]


@pickled_by_position
@dataclass(slots=True)
class Reason:
    """One adjustment reason on a claim or line: group, CARC, amount, RARCs, description, next action."""

    group: str
    code: str
    amount: Decimal
    remarks: tuple[str, ...] = ()
    description: str = ""
    next_action: str = ""
    remark_text: str = ""
    """The RARCs with their descriptions ("M51: Missing/incomplete/invalid procedure code(s)")."""


@pickled_by_position
@dataclass(slots=True)
class LineRow:
    """One service line: ERA line and PM line matched (either may be missing), its category and amounts."""

    claim_id: str
    line_id: str
    category: Category
    procedure: str = ""
    modifiers: tuple[str, ...] = ()
    service_date: dt.date | None = None
    charge: Decimal | None = None
    """SVC02 (ERA), else the PM charge."""
    pm_charge: Decimal | None = None
    expected: Decimal | None = None
    """Contracted amount (PM export or fee schedule)."""
    allowed: Decimal | None = None
    paid: Decimal = Decimal(0)
    patient_responsibility: Decimal = Decimal(0)
    denied_amount: Decimal = Decimal(0)
    difference: Decimal | None = None
    """allowed − expected (negative: underpaid)."""
    match: LineMatchKind = "none"
    restated_procedure: str = ""
    """SVC01 when the payer restated the billed procedure (SVC06 held the original)."""
    flags: tuple[Category, ...] = ()
    reasons: tuple[Reason, ...] = ()


@pickled_by_position
@dataclass(slots=True)
class ClaimRow:
    """One claim: its ERA payments netted (reversals, corrections, duplicates) against the PM claim."""

    claim_id: str
    category: Category
    flags: tuple[Category, ...] = ()
    """Further categories that also apply (recouped, interest, charge_mismatch, duplicate_payment, ...)."""
    payer: str = ""
    patient: str = ""
    """Patient name as 'LAST, FIRST' (PHI: report only, never logs)."""
    service_date: dt.date | None = None
    submitted: dt.date | None = None
    status_code: str = ""
    """CLP02 of the effective payment."""
    payer_claim_number: str = ""
    payment_numbers: tuple[str, ...] = ()
    """TRN02 of every remittance carrying this claim."""
    payment_date: dt.date | None = None
    charge: Decimal = Decimal(0)
    pm_charge: Decimal | None = None
    expected: Decimal | None = None
    allowed: Decimal | None = None
    paid: Decimal = Decimal(0)
    """Net Σ CLP04 over every payment, reversal and correction of the claim."""
    patient_responsibility: Decimal = Decimal(0)
    denied_amount: Decimal = Decimal(0)
    contractual: Decimal = Decimal(0)
    recouped: Decimal = Decimal(0)
    """PLB WO/FB amounts whose reference names this claim (positive = taken back)."""
    interest: Decimal = Decimal(0)
    """PLB L6 (as added to payment) plus AMT*I."""
    difference: Decimal | None = None
    match: MatchKind = "none"
    age_days: int | None = None
    aging_bucket: str = ""
    forwarded_to: str = ""
    reasons: tuple[Reason, ...] = ()
    note: str = ""


@dataclass(slots=True)
class ProviderAdjustmentRow:
    """One PLB adjustment, with the claim its reference names when we could find it."""

    payment_number: str
    payer: str
    reason: str
    reference: str
    amount: Decimal
    """As on the PLB: positive reduces the payment, negative adds to it."""
    description: str = ""
    claim_id: str = ""
    kind: str = ""
    """recoupment, interest or other."""


@dataclass(slots=True)
class FileNotRead:
    """An ERA file that could not be read without guessing, and why (the rest of the ERAs were used)."""

    file: str
    reason: str
    """The X12ParseError text: offset, segment, element and what is wrong."""


@dataclass(slots=True)
class EraFinding:
    """Something odd about an ERA that was read anyway (an envelope fault, an unknown or retired code)."""

    payment_number: str
    payer: str
    kind: str
    """envelope, layout or code."""
    message: str
    segment_id: str = ""
    offset: int | None = None
    claim_id: str = ""
    code: str = ""
    interchange: str = ""
    """ISA13, to find the file."""


@dataclass(slots=True)
class ReconciliationResult:
    """Everything a reconciliation found; the report renders it and the reconcile job persists it."""

    as_of: dt.date
    tolerance: Decimal
    aging_days: int
    claims: list[ClaimRow]
    lines: list[LineRow]
    provider_adjustments: list[ProviderAdjustmentRow]
    denials: list[DenialGroup]
    deposits: list[DepositRow] | None
    tie_out: TieOut
    kpis: list[Kpi]
    payments: list[PayerPayments]
    aging: dict[str, tuple[int, Decimal]]
    """A/R aging bucket -> (claims, charges) of claims still without a remittance."""
    inputs: dict[str, str] = field(default_factory=dict)
    """What went in (file names, counts); the report prints it on the summary sheet."""
    excluded_duplicates: list[str] = field(default_factory=list)
    """Remittances read twice (same payer, TRN02, ISA13, GS06, ST02) and counted once."""
    files_not_read: list[FileNotRead] = field(default_factory=list)
    """ERA files that could not be read; the report lists them and everything else is reconciled."""
    era_findings: list[EraFinding] = field(default_factory=list)
    """Read findings of the ERAs used (envelope faults, unknown codes, RARCs past their stop date)."""
    totals: Totals | None = field(default=None, compare=False, repr=False)
    """Running totals of every claim and line row (``reconcile()`` sets them, also when the rows went to a
    sink and ``claims`` and ``lines`` are empty); a result built by hand is totalled from its rows. Not
    compared: they follow from the rows."""

    def category_counts(self) -> dict[str, tuple[int, Decimal]]:
        """Claims and net paid per primary category, in the canonical order."""
        if self.totals is not None:
            return self.totals.category_counts()
        out: dict[str, tuple[int, Decimal]] = {}
        for row in self.claims:
            count, paid = out.get(row.category, (0, Decimal(0)))
            out[row.category] = (count + 1, paid + row.paid)
        return {c: out[c] for c in CATEGORIES if c in out}

    def discrepancies(self) -> set[tuple[str, str, str]]:
        """Every discrepancy as (claim id, line id or '', category), the shape of the sandbox ground truth.

        Line verdicts (under/overpaid, partially paid, denied, charge mismatch) are reported on their
        lines; claim events (reversed, recouped, interest, forwarded, duplicate, missing ERA, not in PM) on
        the claim.
        A claim the ERA paid without service lines reports its verdict on the claim.
        """
        found: set[tuple[str, str, str]] = set()
        with_lines = {line.claim_id for line in self.lines}
        for claim in self.claims:
            for category in (claim.category, *claim.flags):
                if category in CLAIM_LEVEL or (category in LINE_LEVEL and claim.claim_id not in with_lines):
                    found.add((claim.claim_id, "", category))
        for line in self.lines:
            for category in (line.category, *line.flags):
                if category in LINE_LEVEL:
                    found.add((line.claim_id, line.line_id, category))
        return found


__all__ = [
    "AGING_BUCKETS",
    "CATEGORIES",
    "CLAIM_LEVEL",
    "LINE_LEVEL",
    "NOT_DISCREPANCIES",
    "BankDeposit",
    "Category",
    "ClaimRow",
    "DenialGroup",
    "DepositRow",
    "EraFinding",
    "FileNotRead",
    "Kpi",
    "LineMatchKind",
    "LineRow",
    "MatchKind",
    "PayerPayments",
    "ProviderAdjustmentRow",
    "Reason",
    "ReconciliationResult",
    "TieOut",
    "TieOutLine",
    "aging_bucket",
]
