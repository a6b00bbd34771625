"""Typed models of an 835 remittance (ERA): payment, payer, payee, claims, service lines, PLB, findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connector.pickling import pickled_by_position
from connector.x12.model_common import (
    Address,
    AmountEntry,
    Contact,
    DateEntry,
    Envelope,
    Name,
    QuantityEntry,
    ReadFinding,
    Reference,
)

ZERO = Decimal(0)


@pickled_by_position
@dataclass(slots=True)
class Adjustment:
    """One CAS triple: group (CO/PR/OA/PI/CR), CARC reason, amount (positive reduces payment), quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@pickled_by_position
@dataclass(slots=True, frozen=True)
class ProcedureCode:
    """An SVC01/SVC06 composite: qualifier (HC, AD, ER, IV, N4, NU, ...), code, up to four modifiers."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...] = ()
    description: str = ""


@pickled_by_position
@dataclass(slots=True)
class Remark:
    """LQ: HE (RARC) or RX (NCPDP reject) and the code."""

    qualifier: str
    code: str


@dataclass(slots=True)
class ServiceLine:
    """Loop 2110: one SVC with its dates, adjustments, references, amounts and remarks."""

    procedure: ProcedureCode
    charge: Decimal
    """SVC02."""
    paid: Decimal
    """SVC03."""
    revenue_code: str = ""
    """SVC04 (NUBC revenue code on institutional lines)."""
    units: Decimal | None = None
    """SVC05 paid units of service."""
    original_procedure: ProcedureCode | None = None
    """SVC06: the procedure as submitted when the payer restated it in SVC01."""
    original_units: Decimal | None = None
    """SVC07."""
    dates: list[DateEntry] = field(default_factory=list)
    """DTM 472 (service date), 150 (start), 151 (end)."""
    adjustments: list[Adjustment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    """REF, including 6R (line control number) and LU (location)."""
    amounts: list[AmountEntry] = field(default_factory=list)
    """AMT, including B6 (allowed)."""
    quantities: list[QuantityEntry] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    claim_dates: list[DateEntry] = field(default_factory=list, compare=False, repr=False)
    """The claim's DTM list (set by the reader): a line without dates of its own takes the claim's
    service period (DTM*232/233), as X12 says claim dates apply to every line that has none."""

    @property
    def line_control_number(self) -> str | None:
        """REF*6R: the line item control number we sent on the 837, if the payer echoed it."""
        return next((r.value for r in self.references if r.qualifier == "6R"), None)

    @property
    def allowed(self) -> Decimal | None:
        """AMT*B6: the allowed amount."""
        return next((a.amount for a in self.amounts if a.qualifier == "B6"), None)

    @property
    def service_date(self) -> dt.date | None:
        """DTM*472, else DTM*150 (start of the service period), else the claim's DTM*232 (then 233)."""
        for qualifier in ("472", "150"):
            for entry in self.dates:
                if entry.qualifier == qualifier:
                    return entry.date
        if not self.dates:
            for qualifier in ("232", "233"):
                for entry in self.claim_dates:
                    if entry.qualifier == qualifier and entry.date is not None:
                        return entry.date
        return None

    @property
    def service_date_end(self) -> dt.date | None:
        """DTM*151, else the end of a DTM*472 range, else the claim's DTM*233 when the line has no dates."""
        for entry in self.dates:
            if entry.qualifier == "151" and entry.date is not None:
                return entry.date
        ranged = next((d.end for d in self.dates if d.qualifier in ("472", "150") and d.end), None)
        if ranged is not None or self.dates:
            return ranged
        return next((d.date for d in self.claim_dates if d.qualifier == "233" and d.date), None)

    @property
    def dated_by_claim(self) -> bool:
        """True when the line has no dates of its own and takes the claim's service period."""
        return not self.dates and any(d.qualifier in ("232", "233") for d in self.claim_dates)

    @property
    def adjustment_total(self) -> Decimal:
        """Σ line CAS amounts."""
        return sum((a.amount for a in self.adjustments), ZERO)


@dataclass(slots=True)
class ClaimPayment:
    """Loop 2100: CLP01–CLP09 (plus CLP11–CLP13), claim CAS, names, MIA/MOA, dates and service lines."""

    claim_id: str
    """CLP01: the patient control number we sent on the 837."""
    status_code: str
    """CLP02: 1/2/3 processed, 4 denied, 19/20/21 forwarded, 22 reversal, 23/25 other."""
    charge: Decimal
    """CLP03."""
    paid: Decimal
    """CLP04."""
    patient_responsibility: Decimal | None = None
    """CLP05."""
    filing_indicator: str = ""
    """CLP06."""
    payer_claim_number: str = ""
    """CLP07."""
    facility_type: str = ""
    """CLP08 (place of service or facility type)."""
    frequency_code: str = ""
    """CLP09."""
    drg_code: str = ""
    """CLP11."""
    drg_weight: Decimal | None = None
    """CLP12."""
    discharge_fraction: Decimal | None = None
    """CLP13."""
    header_number: str = ""
    """LX01 of the header group the claim sits in."""
    adjustments: list[Adjustment] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    """NM1 QC patient, IL insured, 74 corrected insured, 82 rendering, TT crossover, PR payer"""
    inpatient: tuple[str, ...] = ()
    """MIA01–MIA24 as read (amounts as text; RARCs in MIA05/20–24)."""
    outpatient: tuple[str, ...] = ()
    """MOA01–MOA09 as read (RARCs in MOA03–07)."""
    dates: list[DateEntry] = field(default_factory=list)
    """DTM 232/233 statement period, 050 received, 036 coverage expiration."""
    contacts: list[Contact] = field(default_factory=list)
    amounts: list[AmountEntry] = field(default_factory=list)
    quantities: list[QuantityEntry] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    service_lines: list[ServiceLine] = field(default_factory=list)

    def name(self, entity: str) -> Name | None:
        """The NM1 with this entity code (QC, IL, 74, 82, TT, PR, ...), if present."""
        return next((n for n in self.names if n.entity == entity), None)

    @property
    def patient(self) -> Name | None:
        """NM1*QC."""
        return self.name("QC")

    @property
    def insured(self) -> Name | None:
        """NM1*IL."""
        return self.name("IL")

    @property
    def rendering_provider(self) -> Name | None:
        """NM1*82."""
        return self.name("82")

    @property
    def crossover_carrier(self) -> Name | None:
        """NM1*TT."""
        return self.name("TT")

    @property
    def corrected_payer(self) -> Name | None:
        """NM1*PR."""
        return self.name("PR")

    @property
    def adjustment_total(self) -> Decimal:
        """Σ claim CAS + Σ line CAS."""
        total = sum((a.amount for a in self.adjustments), ZERO)
        for line in self.service_lines:
            total += line.adjustment_total
        return total

    @property
    def is_reversal(self) -> bool:
        """CLP02=22: reverses an earlier payment of the same claim."""
        return self.status_code == "22"


@pickled_by_position
@dataclass(slots=True)
class ProviderAdjustment:
    """One PLB adjustment: reason (PLB03-1: WO, FB, L6, 72, CS, IR, ...), reference (PLB03-2), amount.

    Positive amounts reduce the payment; a negative L6 (interest) adds to it.
    """

    provider_id: str
    """PLB01."""
    fiscal_period_date: dt.date | None
    """PLB02."""
    reason: str
    reference: str
    amount: Decimal


@pickled_by_position
@dataclass(slots=True)
class Party:
    """N1 loop 1000A payer or 1000B payee: name, id, address, references, contacts."""

    entity: str
    """N101: PR payer, PE payee."""
    name: str = ""
    id_qualifier: str = ""
    """N103: XV/PI payer id, XX NPI, FI TIN, ..."""
    id: str = ""
    address: Address | None = None
    references: list[Reference] = field(default_factory=list)
    """REF: 2U payer id, TJ TIN, PQ, ..."""
    contacts: list[Contact] = field(default_factory=list)

    def reference(self, qualifier: str) -> str | None:
        """The first REF value with this qualifier."""
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    @property
    def npi(self) -> str | None:
        """N104 when N103=XX."""
        return self.id if self.id_qualifier == "XX" else None

    @property
    def tin(self) -> str | None:
        """N104 when N103=FI, else REF*TJ."""
        return self.id if self.id_qualifier == "FI" else self.reference("TJ")


@pickled_by_position
@dataclass(slots=True)
class BalanceFinding:
    """A balancing rule that does not hold. Reported, never corrected."""

    level: str
    """line, claim or transaction."""
    message: str
    expected: Decimal
    actual: Decimal
    claim_id: str | None = None
    line_index: int | None = None
    """0-based index of the service line inside its claim (level=line)."""

    @property
    def difference(self) -> Decimal:
        """actual − expected."""
        return self.actual - self.expected


@dataclass(slots=True)
class Remittance:
    """One 835 transaction set (ST..SE): payment, trace, payer, payee, claims, PLB and balance findings."""

    envelope: Envelope
    handling_code: str
    """BPR01: I remittance with payment, H notification only, C payment + remittance, ..."""
    payment_amount: Decimal
    """BPR02."""
    credit_debit: str = "C"
    """BPR03."""
    payment_method: str = ""
    """BPR04: ACH, CHK, NON, BOP, FWT."""
    payment_format: str = ""
    """BPR05: CCP, CTX."""
    payer_account: tuple[str, ...] = ()
    """BPR06–BPR11 as read (sender DFI qualifier, id, account qualifier, number, company id, supplemental)."""
    payee_account: tuple[str, ...] = ()
    """BPR12–BPR15 as read (receiver DFI qualifier, id, account qualifier, number)."""
    payment_date: dt.date | None = None
    """BPR16."""
    trace_type: str = "1"
    """TRN01."""
    trace_number: str = ""
    """TRN02: the check or EFT number (the payment number)."""
    originating_company_id: str = ""
    """TRN03."""
    originating_company_supplemental: str = ""
    """TRN04."""
    receiver_id: str = ""
    """REF*EV."""
    version_reference: str = ""
    """REF*F2."""
    production_date: dt.date | None = None
    """DTM*405."""
    payer: Party = field(default_factory=lambda: Party("PR"))
    payee: Party = field(default_factory=lambda: Party("PE"))
    provider_summaries: list[tuple[str, ...]] = field(default_factory=list)
    """LX/TS3/TS2 header groups as read, one tuple of the raw TS3 elements per LX (LX01 first)."""
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    findings: list[BalanceFinding] = field(default_factory=list)
    """Balancing rules that do not hold (the integrity gate: reported, never corrected)."""
    read_findings: list[ReadFinding] = field(default_factory=list, compare=False)
    """What was odd about how the file was written and was read past: envelope and layout faults, codes
    not in the published lists, RARCs used after their stop date. Never a wrong figure."""

    @property
    def claim_count(self) -> int:
        """Number of CLP segments."""
        return len(self.claims)

    @property
    def total_paid(self) -> Decimal:
        """Σ CLP04."""
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def plb_total(self) -> Decimal:
        """Σ PLB amounts."""
        return sum((p.amount for p in self.provider_adjustments), ZERO)

    @property
    def balanced(self) -> bool:
        """True when no balancing rule failed."""
        return not self.findings

    @property
    def payment_number(self) -> str:
        """TRN02, as the portal and the PDF remit call it."""
        return self.trace_number
