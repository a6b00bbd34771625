"""Typed models of acknowledgements and statuses: 999, 277CA (005010X214) and 277 (005010X212)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connector.x12.model_common import Envelope, Name, ReadFinding, Reference

ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})
"""277CA claim status categories that mean the claim entered adjudication."""
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
"""277CA claim status categories that mean the claim was rejected / returned."""


@dataclass(slots=True)
class ElementError:
    """IK4: element position (IK401-1), component (IK401-2), element number, error code, copy."""

    position: int
    component: int | None = None
    data_element: str = ""
    error_code: str = ""
    bad_value: str = ""


@dataclass(slots=True)
class SegmentError:
    """IK3: segment id, position in the transaction set, loop id, error code, and its IK4 element errors."""

    segment_id: str
    position: int
    loop_id: str = ""
    error_code: str = ""
    element_errors: list[ElementError] = field(default_factory=list)


@dataclass(slots=True)
class TransactionAck:
    """AK2 .. IK5: one acknowledged transaction set; A accepted, E with errors, R/M/W/X rejected."""

    transaction_set_id: str
    control_number: str
    status: str
    implementation_reference: str = ""
    error_codes: tuple[str, ...] = ()
    """IK502–IK506."""
    segment_errors: list[SegmentError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """IK501 A or E."""
        return self.status in ("A", "E")


@dataclass(slots=True)
class Acknowledgement999:
    """One 999 transaction: AK1 group, AK2..IK5 per transaction, AK9 group result."""

    envelope: Envelope
    functional_id: str
    """AK101: the acknowledged group's GS01 (HC for 837)."""
    group_control_number: str
    """AK102: the acknowledged group's GS06."""
    version: str = ""
    """AK103."""
    transactions: list[TransactionAck] = field(default_factory=list)
    group_status: str = "A"
    """AK901: A, E, P (partially accepted), R, M, W, X."""
    included: int = 0
    """AK902."""
    received: int = 0
    """AK903."""
    accepted_count: int = 0
    """AK904."""
    group_error_codes: tuple[str, ...] = ()
    """AK905–AK909."""
    read_findings: list[ReadFinding] = field(default_factory=list, compare=False)
    """Envelope and layout faults read past (``connector.x12.ReadFinding``)."""

    @property
    def accepted(self) -> bool:
        """AK901 A or E. A 999 'accepted' does not mean the claims were accepted (see the 277CA)."""
        return self.group_status in ("A", "E")


@dataclass(slots=True)
class StatusInfo:
    """One STC status composite: category (A1, A3, F1, ...), status code, entity code; with STC02 date etc."""

    category: str
    code: str = ""
    entity: str = ""
    code_list: str = ""
    """The fourth component (NCPDP reject code list) when present."""
    date: dt.date | None = None
    """STC02 effective date."""
    action_code: str = ""
    """STC03 (WQ accepted, U rejected, ...)."""
    amount: Decimal | None = None
    """STC04 total claim charge."""
    paid: Decimal | None = None
    """STC05 claim payment amount (277)."""
    adjudication_date: dt.date | None = None
    """STC06 (277)."""
    payment_method: str = ""
    """STC07 (277)."""
    payment_date: dt.date | None = None
    """STC08 (277)."""
    check_number: str = ""
    """STC09 (277)."""
    message: str = ""
    """STC12 free-form message."""


@dataclass(slots=True)
class ClaimStatus:
    """One claim in a 277CA (loop 2200D) or 277 (loop 2200D/E): trace, references, statuses, lines."""

    claim_id: str
    """TRN02 in 2200D: the patient control number from the 837 (277CA) or the 276 trace (277)."""
    statuses: list[StatusInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    """REF 1K payer claim number, D9 clearinghouse trace, BLT bill type, EJ patient account."""
    patient: Name | None = None
    """NM1*QC (or IL in 277 subscriber loop)."""
    provider: Name | None = None
    """NM1*85 / 1P of the provider level the claim sits under."""
    service_from: dt.date | None = None
    """DTP*472 (or 232) start."""
    service_to: dt.date | None = None
    line_statuses: list[LineStatus] = field(default_factory=list)

    def reference(self, qualifier: str) -> str | None:
        """The first REF with this qualifier."""
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    @property
    def payer_claim_number(self) -> str | None:
        """REF*1K."""
        return self.reference("1K")

    @property
    def category(self) -> str:
        """The first STC01-1 category code (A1, A3, F1, P1, ...)."""
        return self.statuses[0].category if self.statuses else ""

    @property
    def accepted(self) -> bool:
        """277CA: accepted when every category is A1/A2/A5 and none is a rejection."""
        cats = {s.category for s in self.statuses}
        return bool(cats) and not (cats & REJECTED_CATEGORIES)

    @property
    def rejected(self) -> bool:
        """277CA: any category A3/A4/A6/A7/A8."""
        return any(s.category in REJECTED_CATEGORIES for s in self.statuses)


@dataclass(slots=True)
class LineStatus:
    """Loop 2220D: SVC procedure, charge, paid, STC statuses, REF*FJ line control number, date."""

    procedure: str
    charge: Decimal
    paid: Decimal | None = None
    statuses: list[StatusInfo] = field(default_factory=list)
    line_control_number: str = ""
    service_date: dt.date | None = None


@dataclass(slots=True)
class ClaimAcknowledgement277CA:
    """One 277CA transaction (005010X214): information source/receiver, provider summaries, claims."""

    envelope: Envelope
    reference: str
    """BHT03."""
    created: dt.date | None
    """BHT04."""
    information_source: Name | None = None
    """NM1*PR/AY (the payer or clearinghouse)."""
    information_receiver: Name | None = None
    """NM1*41 (the submitter)."""
    receipt_date: dt.date | None = None
    """DTP*050 (2200A)."""
    process_date: dt.date | None = None
    """DTP*009 (2200A)."""
    claims: list[ClaimStatus] = field(default_factory=list)
    summary_statuses: list[StatusInfo] = field(default_factory=list)
    """STC at information receiver / billing provider level."""
    read_findings: list[ReadFinding] = field(default_factory=list, compare=False)
    """Envelope and layout faults read past (``connector.x12.ReadFinding``)."""

    @property
    def accepted_claims(self) -> list[ClaimStatus]:
        """Claims with A1/A2/A5 only."""
        return [c for c in self.claims if c.accepted]

    @property
    def rejected_claims(self) -> list[ClaimStatus]:
        """Claims with any A3/A4/A6/A7/A8."""
        return [c for c in self.claims if c.rejected]


@dataclass(slots=True)
class ClaimStatusResponse277:
    """One 277 claim status response (005010X212): payer, provider, and per-claim statuses."""

    envelope: Envelope
    reference: str
    """BHT03."""
    created: dt.date | None
    payer: Name | None = None
    information_receiver: Name | None = None
    claims: list[ClaimStatus] = field(default_factory=list)
    read_findings: list[ReadFinding] = field(default_factory=list, compare=False)
    """Envelope and layout faults read past (``connector.x12.ReadFinding``)."""
