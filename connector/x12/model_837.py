"""Typed input models for the 837P (005010X222A1) and 837I (005010X223A2) writers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from connector.x12.model_common import Address

ClaimKind = Literal["professional", "institutional"]


@dataclass(slots=True)
class Submitter:
    """Loop 1000A: who sends the batch (the practice or billing service) and a contact."""

    name: str
    id: str
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(slots=True)
class Receiver:
    """Loop 1000B: who receives the batch (the payer or clearinghouse)."""

    name: str
    id: str


@dataclass(slots=True)
class Provider:
    """A provider: billing (2010AA), rendering (82), referring (DN), attending (71), ...

    ``first`` empty means an organisation (NM102=2).
    """

    last_or_org: str
    npi: str
    first: str = ""
    middle: str = ""
    taxonomy: str = ""
    """PRV03 taxonomy code, if any."""

    @property
    def is_person(self) -> bool:
        """NM102=1 when a first name is given."""
        return bool(self.first)


@dataclass(slots=True)
class BillingProvider:
    """Loop 2010AA: billing provider with NPI, TIN (EIN or SSN) and a street address (no PO box)."""

    name: str
    npi: str
    tin: str
    address: Address
    first: str = ""
    """Set for an individual billing provider (NM102=1)."""
    tin_qualifier: str = "EI"
    """REF01: EI (EIN) or SY (SSN)."""
    taxonomy: str = ""


@dataclass(slots=True)
class Person:
    """A subscriber or patient: names, DOB, sex (F/M/U), address, member id (subscribers)."""

    last: str
    first: str
    birth_date: dt.date
    sex: str
    address: Address
    member_id: str = ""
    middle: str = ""


@dataclass(slots=True)
class Payer:
    """Loop 2010BB: payer name and payer id (NM109, qualifier PI)."""

    name: str
    id: str
    address: Address | None = None


@dataclass(slots=True)
class ServiceLine837:
    """Loop 2400: LX + SV1 (professional) or SV2 (institutional), DTP*472 and REF*6R."""

    line_control_number: str
    """REF*6R; always sent so the ERA line can be matched back."""
    procedure_code: str
    charge: Decimal
    units: Decimal = Decimal(1)
    service_date: dt.date | None = None
    service_end: dt.date | None = None
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = (1,)
    """1-based pointers into Claim837.diagnosis_codes (SV107, professional only)."""
    place_of_service: str = ""
    """SV105 when different from the claim's place of service (professional)."""
    revenue_code: str = ""
    """SV201 (institutional)."""
    procedure_qualifier: str = "HC"
    unit_basis: str = "UN"
    """SV103/SV204: UN units, MJ minutes (DA days on institutional)."""


@dataclass(slots=True)
class Claim837:
    """Loop 2300 with its subscriber, patient and payer (loops 2000B/2000C) and service lines."""

    claim_id: str
    """CLM01: the patient control number (comes back as CLP01 on the 835)."""
    total_charge: Decimal
    subscriber: Person
    payer: Payer
    diagnosis_codes: tuple[str, ...]
    """ICD-10-CM codes without the dot; the first is the principal diagnosis."""
    lines: list[ServiceLine837]
    frequency_code: str = "1"
    """CLM05-3: 1 original, 7 replacement, 8 void."""
    place_of_service: str = "11"
    """CLM05-1 on 837P."""
    facility_type_code: str = ""
    """CLM05-1 on 837I: the first two digits of the type of bill (e.g. 13 hospital outpatient)."""
    original_claim_number: str = ""
    """REF*F8 (payer claim control number), needed for frequency 7/8."""
    patient: Person | None = None
    """Set when the patient is not the subscriber (loop 2000C)."""
    patient_relationship: str = "19"
    """PAT01 when ``patient`` is set (01 spouse, 19 child, G8 other)."""
    rendering: Provider | None = None
    referring: Provider | None = None
    attending: Provider | None = None
    """837I attending provider (loop 2310A); the billing provider's NPI is used when absent."""
    prior_authorization: str = ""
    """REF*G1."""
    statement_from: dt.date | None = None
    """837I DTP*434 statement period start (defaults to the first service date)."""
    statement_to: dt.date | None = None
    admission_type: str = "1"
    """837I CL101."""
    admission_source: str = "1"
    """837I CL102."""
    patient_status: str = "01"
    """837I CL103."""
    admission_date: dt.date | None = None
    """837I DTP*435 (inpatient)."""
    group_number: str = ""
    """SBR03."""
    filing_indicator: str = "CI"
    """SBR09: CI commercial, MB Medicare B, MC Medicaid, BL BCBS, ..."""
    payer_responsibility: str = "P"
    """SBR01: P primary, S secondary, T tertiary."""
    icd9: bool = False
    """ICD-9-CM diagnoses (HI BK/BF, service dates before 2015-10-01); else ICD-10-CM (ABK/ABF)."""

    @property
    def type_of_bill(self) -> str:
        """837I type of bill without the leading zero: facility type code + frequency code."""
        return f"{self.facility_type_code}{self.frequency_code}"

    @property
    def line_total(self) -> Decimal:
        """Σ line charges (must equal total_charge)."""
        return sum((line.charge for line in self.lines), Decimal(0))


@dataclass(slots=True)
class ClaimBatch837:
    """One 837 transaction: submitter, receiver, billing provider and claims."""

    kind: ClaimKind
    submitter: Submitter
    receiver: Receiver
    billing_provider: BillingProvider
    claims: list[Claim837] = field(default_factory=list)
    reference: str = ""
    """BHT03: the originator's batch reference (defaults to the ST02 control number)."""

    @property
    def version(self) -> str:
        """GS08/ST03 implementation guide for this kind."""
        return "005010X222A1" if self.kind == "professional" else "005010X223A2"
