"""Typed eligibility models shared by the portal flow, the 270/271 X12 engine and the eligibility job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Coverage(StrEnum):
    """What the payer says about the patient's coverage on the date of service."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    TERMINATED = "terminated"
    """Coverage ended before the date of service (``end`` says when)."""
    NOT_FOUND = "not_found"
    SEVERAL_MATCHES = "several_matches"
    REJECTED = "rejected"
    """The payer refused the inquiry for another reason (an AAA code other than not-found/mismatch)."""
    NOT_CHECKED = "not_checked"
    """We could not ask (the schedule row is unusable, or the portal never answered)."""


class Problem(StrEnum):
    """A reason to look at an appointment before the visit (the workbook lists these first)."""

    NOT_CHECKED = "not_checked"
    INACTIVE = "inactive"
    TERMINATED = "terminated"
    NOT_FOUND = "not_found"
    SEVERAL_MATCHES = "several_matches"
    REJECTED = "rejected"
    NAME_MISMATCH = "name_mismatch"
    DOB_MISMATCH = "dob_mismatch"
    OTHER_PAYER_PRIMARY = "other_payer_primary"
    OUT_OF_NETWORK = "out_of_network"
    REFERRAL_REQUIRED = "referral_required"
    AUTH_REQUIRED = "auth_required"


PROBLEM_ORDER: tuple[Problem, ...] = tuple(Problem)
"""Problems in the order the workbook sorts and words them (most serious first)."""


@dataclass(slots=True, frozen=True)
class Accumulator:
    """A deductible or out-of-pocket maximum: the amount for the period, what is met, what remains."""

    amount: Decimal | None = None
    met: Decimal | None = None
    remaining: Decimal | None = None

    def filled(self) -> Accumulator:
        """The missing one of amount/met/remaining computed from the other two (when two are known)."""
        amount, met, remaining = self.amount, self.met, self.remaining
        if remaining is None and amount is not None and met is not None:
            remaining = max(amount - met, Decimal(0))
        if met is None and amount is not None and remaining is not None:
            met = max(amount - remaining, Decimal(0))
        if amount is None and met is not None and remaining is not None:
            amount = met + remaining
        return Accumulator(amount, met, remaining)

    @property
    def known(self) -> bool:
        """Whether the payer stated any figure."""
        return self.amount is not None or self.met is not None or self.remaining is not None


@dataclass(slots=True, frozen=True)
class Rejection:
    """An AAA segment: valid request (Y/N), reject reason code, follow-up action, and the loop it was in."""

    code: str
    follow_up: str = ""
    valid_request: str = ""
    level: str = ""
    """``source`` (payer), ``receiver`` (provider), ``subscriber``, ``dependent`` or ``benefit``."""
    description: str = ""


@dataclass(slots=True, frozen=True)
class Benefit:
    """One EB segment as the payer sent it (loop 2110C/D), with its messages and related entity."""

    code: str
    """EB01: 1 active, 6 inactive, A co-insurance, B co-pay, C deductible, G out of pocket, R other payer."""
    coverage_level: str = ""
    """EB02: IND, FAM, EMP, ESP ..."""
    service_types: tuple[str, ...] = ()
    """EB03 (repeating): 30 health benefit plan coverage, 98 office visit, ..."""
    insurance_type: str = ""
    plan_description: str = ""
    """EB05."""
    period: str = ""
    """EB06: 23 calendar year, 29 remaining, 24 year to date, 27 visit ..."""
    amount: Decimal | None = None
    """EB07."""
    percent: Decimal | None = None
    """EB08 as the payer sent it (a fraction: .2 = 20%)."""
    quantity: Decimal | None = None
    authorization: str = ""
    """EB11: Y authorization or certification required."""
    in_network: str = ""
    """EB12: Y in plan network, N out of network, W both, U unknown."""
    messages: tuple[str, ...] = ()
    dates: tuple[tuple[str, dt.date | None, dt.date | None], ...] = ()
    """DTP in the benefit loop: (qualifier, start, end)."""
    related: tuple[tuple[str, str, str], ...] = ()
    """NM1 in loop 2120 (entity code, name, id): e.g. the primary payer (PRP) or the primary care provider."""


@dataclass(slots=True, frozen=True)
class Inquiry:
    """One eligibility question: who, when, for which provider and service types (a 270 subscriber loop)."""

    member_id: str = field(repr=False)
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    dob: dt.date | None = field(repr=False)
    service_date: dt.date
    provider_npi: str = ""
    provider_name: str = ""
    payer_id: str = ""
    payer_name: str = ""
    service_types: tuple[str, ...] = ("30",)
    trace: str = ""
    """TRN02 (comes back on the 271)."""
    sex: str = ""


@dataclass(slots=True)
class EligibilityResult:
    """What the payer answered for one patient and date of service, from a portal page or a 271."""

    status: Coverage
    member_id: str = field(default="", repr=False)
    last_name: str = field(default="", repr=False)
    first_name: str = field(default="", repr=False)
    dob: dt.date | None = field(default=None, repr=False)
    service_date: dt.date | None = None
    plan: str = ""
    group: str = ""
    effective: dt.date | None = None
    end: dt.date | None = None
    in_network: bool | None = None
    office_copay: Decimal | None = None
    specialist_copay: Decimal | None = None
    coinsurance: Decimal | None = None
    """The patient's share as a fraction (0.20 = 20%)."""
    deductible_individual: Accumulator = field(default_factory=Accumulator)
    deductible_family: Accumulator = field(default_factory=Accumulator)
    out_of_pocket_individual: Accumulator = field(default_factory=Accumulator)
    out_of_pocket_family: Accumulator = field(default_factory=Accumulator)
    referral_required: bool = False
    """The plan needs a referral for specialist visits."""
    auth_required: bool = False
    """Prior authorisation is needed: for ``auth_codes`` when the payer names them, else for any service."""
    auth_codes: tuple[str, ...] = ()
    other_payer: str = ""
    """The other payer's name when the payer says another payer is primary."""
    source: str = "portal"
    """``portal`` or ``271``."""
    trace: str = ""
    message: str = ""
    """What the portal or the payer said when there is no coverage answer (not found, several matches ...)."""
    matches: int = 1
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    dependent: bool = False
    """The patient is a dependent of the subscriber (loop 2000D)."""

    @property
    def other_payer_primary(self) -> bool:
        """Another payer pays first (coordination of benefits)."""
        return bool(self.other_payer)


@dataclass(slots=True, frozen=True)
class Appointment:
    """One row of the PM schedule export: who is seen when, by whom, for what (PHI: names, DOB, member id)."""

    source: str
    """File (and sheet) the row came from."""
    row: int
    start: dt.datetime
    patient_id: str
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    dob: dt.date | None = field(repr=False)
    sex: str = field(repr=False)
    member_id: str = field(repr=False)
    payer_id: str = ""
    payer_name: str = ""
    provider_npi: str = ""
    visit_type: str = ""
    procedures: tuple[str, ...] = ()
    planned_charge: Decimal | None = None
    appointment_id: str = ""
    unusable: str = ""
    """Why this appointment cannot be checked (names the row and column, never the value); "" when usable."""

    @property
    def service_date(self) -> dt.date:
        """The date of service."""
        return self.start.date()

    @property
    def key(self) -> str:
        """Patient and date of service: what is checked once a day."""
        return f"{self.patient_id}|{self.service_date.isoformat()}"

    @property
    def where(self) -> str:
        """``file, row N`` for messages."""
        return f"{self.source}, row {self.row}"


def business_days_after(day: dt.date, count: int) -> list[dt.date]:
    """The ``count`` business days (Monday to Friday) after ``day``."""
    days: list[dt.date] = []
    while len(days) < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days
