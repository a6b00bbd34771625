"""Typed models shared by every X12 transaction: delimiters, control numbers, envelope, names, addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from connector.pickling import pickled_by_position


@dataclass(slots=True, frozen=True)
class Delimiters:
    """The four X12 separators (ISA byte 3, ISA11, ISA16, the byte after ISA16) and an optional line break."""

    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"
    newline: str = "\n"
    """Written after every segment terminator by the writers ("" for none); ignored by the readers."""


@dataclass(slots=True)
class ControlNumbers:
    """What a writer needs for the envelope; control numbers come from the caller, never invented."""

    interchange: int
    """ISA13 (written as nine digits) and IEA02."""
    group: int
    """GS06 and GE02."""
    transaction: str = "0001"
    """ST02 and SE02 (4 to 9 characters)."""
    sender_id: str = "SUBMITTER"
    sender_qualifier: str = "ZZ"
    receiver_id: str = "RECEIVER"
    receiver_qualifier: str = "ZZ"
    application_sender: str | None = None
    """GS02; defaults to sender_id."""
    application_receiver: str | None = None
    """GS03; defaults to receiver_id."""
    created: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 1, 1, 12, 0))
    """ISA09/ISA10, GS04/GS05 (and BHT04/BHT05 where the transaction has them)."""
    usage: str = "P"
    """ISA15: P production, T test."""
    delimiters: Delimiters = field(default_factory=Delimiters)


@pickled_by_position
@dataclass(slots=True, frozen=True)
class ReadFinding:
    """Something odd about how a file was written that the reader read past (never a wrong figure).

    ``kind``: ``envelope`` (SE01/GE01/IEA01 counts, SE02/GE02/IEA02 control numbers, a short GS),
    ``layout`` (text before the ISA or after the IEA, a missing last terminator, a line break before the
    segment terminator) or ``code`` (a CARC/RARC/group code not in the published lists, a RARC used after
    its stop date). ``strict`` readers raise X12ParseError for envelope and layout faults instead.
    """

    kind: str
    message: str
    segment_id: str | None = None
    offset: int | None = None
    """Byte offset of the segment in the file."""
    segment_number: int | None = None
    """1-based, counted from the start of the file (ISA = 1)."""
    element: str | None = None
    claim_id: str | None = None
    """CLP01, for code findings on a claim or a line."""
    code: str | None = None
    """The code a ``code`` finding is about."""

    def as_dict(self) -> dict[str, str | int | None]:
        """The JSON form (``connector x12 inspect --json``, the store's ``read_findings``)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "segment_id": self.segment_id,
            "offset": self.offset,
            "segment_number": self.segment_number,
            "element": self.element,
            "claim_id": self.claim_id,
            "code": self.code,
        }


@dataclass(slots=True)
class Envelope:
    """The ISA, GS and ST values around one transaction set as read from a file."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    interchange_date: dt.date | None
    interchange_time: str
    interchange_control_number: str
    """ISA13."""
    version: str
    """ISA12, e.g. 00501 or 00401."""
    usage: str
    """ISA15."""
    functional_id: str
    """GS01 (HP for 835, HC for 837, FA for 999, HN for 277CA/277)."""
    application_sender: str
    application_receiver: str
    group_date: dt.date | None
    group_control_number: str
    """GS06."""
    group_version: str
    """GS08, e.g. 005010X221A1."""
    transaction_set_id: str
    """ST01, e.g. 835."""
    transaction_control_number: str
    """ST02."""
    implementation_reference: str = ""
    """ST03 (5010 only)."""
    delimiters: Delimiters = field(default_factory=Delimiters)
    offset: int = 0
    """Byte offset of the ST segment in the file."""


@dataclass(slots=True)
class Address:
    """N3/N4: street lines, city, state, postal code, country."""

    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@pickled_by_position
@dataclass(slots=True)
class Reference:
    """REF: qualifier (REF01) and value (REF02)."""

    qualifier: str
    value: str


@pickled_by_position
@dataclass(slots=True, frozen=True)
class DateEntry:
    """DTM/DTP: qualifier (e.g. 472, 232, 050) and date; ``end`` for a date range (RD8)."""

    qualifier: str
    date: dt.date | None
    end: dt.date | None = None


@dataclass(slots=True)
class AmountEntry:
    """AMT: qualifier (e.g. AU, B6, I) and amount."""

    qualifier: str
    amount: Decimal


@dataclass(slots=True)
class QuantityEntry:
    """QTY: qualifier (e.g. CA, ZK) and quantity."""

    qualifier: str
    quantity: Decimal


@dataclass(slots=True)
class Contact:
    """PER: function code, name and communication numbers as (qualifier, number) pairs."""

    function: str
    name: str = ""
    numbers: tuple[tuple[str, str], ...] = ()


@pickled_by_position
@dataclass(slots=True)
class Name:
    """NM1: entity (NM101), type 1 person / 2 organisation, names, and the id with its qualifier."""

    entity: str
    entity_type: str = "1"
    last_or_org: str = ""
    first: str = ""
    middle: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""
