"""The sandbox practice's data set: practice, patients, claims, payments, statuses, ground truth."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from connector.x12.models import ClaimPayment, ProviderAdjustment

if TYPE_CHECKING:
    from connector.sandbox.eligibility import Enrollment, Visit

ZERO = Decimal("0.00")


@dataclass(slots=True)
class RenderingProvider:
    """A clinician of the practice."""

    npi: str
    last: str
    first: str


@dataclass(slots=True)
class Practice:
    """The billing provider (one TIN, one group NPI) and its clinicians."""

    name: str
    npi: str
    tin: str
    address: str
    city: str
    state: str
    zip: str
    providers: list[RenderingProvider]


@dataclass(slots=True)
class PayerInfo:
    """The payer the portal belongs to."""

    payer_id: str = "87726"
    name: str = "UnitedHealthcare"
    address: str = "PO Box 30555"
    city: str = "Salt Lake City"
    state: str = "UT"
    zip: str = "84130"


@dataclass(slots=True)
class Patient:
    """A patient who is also the subscriber (PHI, invented)."""

    patient_id: str
    last: str
    first: str
    dob: dt.date
    sex: str
    address: str
    city: str
    state: str
    zip: str
    member_id: str


@dataclass(slots=True)
class Line:
    """A service line as billed (REF*6R = line_id) with the contracted amount the practice expects."""

    line_id: str
    service_date: dt.date
    procedure: str
    modifiers: tuple[str, ...]
    units: int
    pointers: tuple[int, ...]
    charge: Decimal
    expected: Decimal
    place_of_service: str = "11"
    pm_charge: Decimal | None = None
    """Set when the PM export shows a different charge than the one billed (charge mismatch)."""


@dataclass(slots=True)
class Claim:
    """A professional claim as billed to the payer."""

    claim_id: str
    patient: Patient
    rendering_npi: str
    diagnoses: tuple[str, ...]
    lines: list[Line]
    submitted: dt.date
    payer_claim_number: str = ""
    in_pm: bool = True
    """False for the claim the payer paid but the PM does not know (era_not_in_pm)."""

    @property
    def charge(self) -> Decimal:
        """Σ line charges as billed."""
        return sum((line.charge for line in self.lines), ZERO)

    @property
    def pm_charge(self) -> Decimal:
        """Σ line charges as the PM export shows them."""
        return sum(
            (line.pm_charge if line.pm_charge is not None else line.charge for line in self.lines), ZERO
        )

    @property
    def service_date(self) -> dt.date:
        """The first line's service date."""
        return min(line.service_date for line in self.lines)


@dataclass(slots=True)
class Payment:
    """One payment (EFT) or zero-pay notice: its number ties the 835 TRN02, the PDF remit and the deposit."""

    payment_number: str
    date: dt.date
    claims: list[ClaimPayment] = field(default_factory=list)
    adjustments: list[ProviderAdjustment] = field(default_factory=list)
    zero_pay: bool = False
    index: int = 0
    """1-based position, used for control numbers."""

    @property
    def amount(self) -> Decimal:
        """BPR02: Σ CLP04 − Σ PLB."""
        total = sum((c.paid for c in self.claims), ZERO) - sum((a.amount for a in self.adjustments), ZERO)
        return total.quantize(Decimal("0.01"))

    @property
    def method(self) -> str:
        """BPR04: ACH for payments, NON for zero-pay notices."""
        return "NON" if self.zero_pay else "ACH"


@dataclass(slots=True)
class ClaimStatusRecord:
    """What the portal's claim status search returns for one claim."""

    claim_id: str
    payer_claim_number: str
    member_id: str
    dob: dt.date
    service_date: dt.date
    status: str
    """Acknowledged, Pending, Finalized - Paid, Finalized - Denied, Adjusted."""
    category: str
    """277 status category code: A1, A2, P1, F1, F2, F3."""
    status_code: str
    charge: Decimal
    paid: Decimal
    payment_number: str
    status_date: dt.date


@dataclass(slots=True)
class Discrepancy:
    """One planted discrepancy of the ground truth (claim-level when line_id is None)."""

    claim_id: str
    line_id: str | None
    category: str
    payment_number: str | None = None
    amount: Decimal | None = None
    note: str = ""


@dataclass(slots=True)
class Dataset:
    """Everything the generator produced for one seed."""

    seed: int
    as_of: dt.date
    practice: Practice
    payer: PayerInfo
    patients: list[Patient]
    claims: list[Claim]
    payments: list[Payment]
    statuses: list[ClaimStatusRecord]
    discrepancies: list[Discrepancy]
    enrollments: list[Enrollment] = field(default_factory=list)
    """The payer's eligibility records (the Eligibility & Benefits page answers from these)."""
    visits: list[Visit] = field(default_factory=list)
    """Upcoming appointments (the schedule export) with what their eligibility check must report."""

    def payment(self, payment_number: str) -> Payment | None:
        """The payment with this number."""
        return next((p for p in self.payments if p.payment_number == payment_number), None)
