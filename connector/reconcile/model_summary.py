"""Result models of the summaries: bank deposits and their matches, denial groups, tie-out, KPIs, payments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal


@dataclass(slots=True)
class BankDeposit:
    """One line of the bank statement: date, amount and the text that carries the ACH trace number."""

    date: dt.date | None
    amount: Decimal
    reference: str = ""
    description: str = ""
    row: int = 0


@dataclass(slots=True)
class DepositRow:
    """A deposit matched to its ERA, a deposit without ERA, or an ERA without deposit."""

    status: Literal["matched", "amount_mismatch", "deposit_without_era", "era_without_deposit"]
    payment_number: str = ""
    payer: str = ""
    era_amount: Decimal | None = None
    era_date: dt.date | None = None
    deposit_amount: Decimal | None = None
    deposit_date: dt.date | None = None
    reference: str = ""
    difference: Decimal | None = None


@dataclass(slots=True)
class DenialGroup:
    """Denied dollars grouped by adjustment group + CARC, with RARCs seen and the next action."""

    group: str
    code: str
    description: str
    next_action: str
    claims: int
    lines: int
    amount: Decimal
    remarks: tuple[str, ...] = ()


@dataclass(slots=True)
class TieOutLine:
    """One remittance in the tie-out: Σ CLP04 − Σ PLB against BPR02."""

    payment_number: str
    payer: str
    payment_method: str
    payment_date: dt.date | None
    claim_paid: Decimal
    provider_adjustments: Decimal
    payment_amount: Decimal
    ties: bool
    note: str = ""


@dataclass(slots=True)
class TieOut:
    """Σ claim paid − Σ PLB = Σ BPR02 over the ERAs included, and what does not tie and why."""

    claim_paid: Decimal
    provider_adjustments: Decimal
    payment_amount: Decimal
    lines: list[TieOutLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ties(self) -> bool:
        """True when Σ paid − Σ PLB equals Σ BPR02 and every remittance ties."""
        return self.claim_paid - self.provider_adjustments == self.payment_amount and all(
            line.ties for line in self.lines
        )


@dataclass(slots=True)
class Kpi:
    """One key performance indicator with its definition (HFMA MAP Keys style)."""

    name: str
    value: Decimal | None
    unit: Literal["percent", "days", "money", "count"]
    definition: str


@dataclass(slots=True)
class PayerPayments:
    """Payments by payer and method."""

    payer: str
    method: str
    remittances: int
    amount: Decimal
