"""Canonical PM export models: claims with their service lines (pure dataclasses, Decimal money).

Every PM profile (``mappings/pm/*.yaml``) is read into these shapes; the scrubber, the 837 builder and the
reconciliation engine consume them. Field names follow ``docs/pm-export-generic.md``. Content is kept as
the PM wrote it (codes upper-cased and stripped, nothing "fixed"): judging it is the scrubber's job.
Only types are enforced by the reader (dates are dates, money is Decimal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

ClaimType = Literal["P", "I"]
"""P: professional (837P); I: institutional (837I)."""


@dataclass(slots=True, frozen=True)
class Address:
    """A street address as the PM holds it."""

    line1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""


@dataclass(slots=True, frozen=True)
class Patient:
    """The patient (who is also the subscriber in this export shape). PHI: never log these values."""

    account_id: str
    """PM patient account number (``patient_id``)."""
    last_name: str = ""
    first_name: str = ""
    dob: dt.date | None = None
    sex: str = ""
    """M, F or U as written by the PM."""
    address: Address = field(default_factory=Address)
    member_id: str = ""
    """Payer member id; empty when the PM has none (the scrubber flags it)."""


@dataclass(slots=True, frozen=True)
class BillingProvider:
    """The billing provider (loop 2010AA)."""

    npi: str = ""
    tin: str = ""
    name: str = ""
    address: Address = field(default_factory=Address)


@dataclass(slots=True, frozen=True)
class ServiceLine:
    """One service line: sent as loop 2400 with REF*6R = ``line_id``, comes back on the 835."""

    line_id: str
    service_date: dt.date | None
    procedure_code: str
    """CPT/HCPCS as written (upper-cased, stripped); may be empty on an institutional line."""
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    place_of_service: str = ""
    revenue_code: str = ""
    diagnosis_pointers: tuple[int, ...] = ()
    """1-based pointers into the claim's ``diagnosis_codes``."""
    expected_amount: Decimal | None = None
    """Contracted (allowed) amount the practice expects, when the PM has it."""
    posted_payment: Decimal | None = None
    """Amount posted in the PM for the line, when the PM has it."""
    source_row: int = 0
    """1-based row number in the export (header = row 1), for messages that point the biller at the file."""


@dataclass(slots=True, frozen=True)
class Claim:
    """One claim (CLM01 = ``claim_id``, comes back as CLP01) with its service lines in export order."""

    claim_id: str
    claim_type: ClaimType
    patient: Patient
    payer_id: str
    payer_name: str
    billing: BillingProvider
    lines: tuple[ServiceLine, ...]
    total_charge: Decimal
    """Claim total as the PM states it (the scrubber checks it against the sum of the lines)."""
    diagnosis_codes: tuple[str, ...] = ()
    """ICD-10-CM codes as written (dots removed, upper-cased); the first is the principal diagnosis."""
    rendering_npi: str = ""
    referring_npi: str = ""
    frequency_code: str = "1"
    """1 original, 7 replacement, 8 void."""
    original_claim_number: str = ""
    """Payer claim number of the claim replaced or voided (needed for frequency 7/8)."""
    type_of_bill: str = ""
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    submitted_date: dt.date | None = None
    status: str = ""
    """PM status: open / paid / denied / closed (lower-cased), empty when the PM has none."""
    rendering_last_name: str = ""
    rendering_first_name: str = ""
    """Rendering provider's name when the PM exports it (an 837 needs it to send a person, NM102=1)."""
    referring_last_name: str = ""
    referring_first_name: str = ""
    """Referring provider's name when the PM exports it (NM1*DN is always a person)."""

    @property
    def first_service_date(self) -> dt.date | None:
        """Earliest line service date (None when no line has one)."""
        dates = [line.service_date for line in self.lines if line.service_date is not None]
        return min(dates) if dates else None

    @property
    def lines_total(self) -> Decimal:
        """Sum of the line charges."""
        return sum((line.charge for line in self.lines), Decimal("0"))


@dataclass(slots=True, frozen=True)
class PMExport:
    """Everything read from one export file, all-or-nothing (a schema problem raises instead)."""

    source: str
    """File name (no folder) the claims came from."""
    sheet: str | None
    """Sheet read for an XLSX export, None for CSV."""
    profile: str
    claims: tuple[Claim, ...]
    row_count: int
    """Data rows read (header excluded)."""
    absent: frozenset[str] = frozenset()
    """837 fields the export lacks (the profile's ``absent:``); scrubbing holds every claim for them."""

    @property
    def line_count(self) -> int:
        """Number of service lines across all claims."""
        return sum(len(claim.lines) for claim in self.claims)


@dataclass(slots=True, frozen=True)
class ChargeLine:
    """A service line as reconciled: line id, date, procedure, modifiers, units, charge, contracted amount."""

    line_id: str
    service_date: dt.date | None
    procedure_code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    expected_amount: Decimal | None = None


@dataclass(slots=True, frozen=True)
class ChargeClaim:
    """A claim as reconciled (compact: read straight from the export, or ``charge_claim`` of a Claim).

    Only what matching, the report and the KPIs read; the patient's name and member id match an ERA without
    the claim number. PHI: never log these values.
    """

    claim_id: str
    payer_name: str
    member_id: str
    last_name: str
    first_name: str
    total_charge: Decimal
    submitted_date: dt.date | None
    status: str
    lines: tuple[ChargeLine, ...]
    first_service_date: dt.date | None
    """Earliest line service date (None when no line has one)."""


def charge_line(line: ServiceLine) -> ChargeLine:
    """The compact line of a full service line."""
    return ChargeLine(line.line_id, line.service_date, line.procedure_code, line.modifiers, line.units,
                      line.charge, line.expected_amount)  # fmt: skip


def charge_claim(claim: Claim | ChargeClaim) -> ChargeClaim:
    """The compact claim of a full one (a compact one is returned as it is)."""
    if isinstance(claim, ChargeClaim):
        return claim
    patient = claim.patient
    lines = tuple(charge_line(line) for line in claim.lines)
    return ChargeClaim(claim.claim_id, claim.payer_name, patient.member_id, patient.last_name,
                       patient.first_name, claim.total_charge, claim.submitted_date, claim.status, lines,
                       claim.first_service_date)  # fmt: skip


@dataclass(slots=True, frozen=True)
class ChargeExport:
    """An export read for reconciling: its compact claims (``reader.read_charges``)."""

    source: str
    profile: str
    claims: tuple[ChargeClaim, ...]
    row_count: int

    @property
    def line_count(self) -> int:
        """Number of service lines across all claims."""
        return sum(len(claim.lines) for claim in self.claims)
