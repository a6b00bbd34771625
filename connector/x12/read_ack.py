"""Readers of acknowledgements and statuses: 999, 277CA (005010X214) and 277 (005010X212)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TypeVar

from connector.x12.model_ack import (
    Acknowledgement999,
    ClaimAcknowledgement277CA,
    ClaimStatus,
    ClaimStatusResponse277,
    ElementError,
    LineStatus,
    SegmentError,
    StatusInfo,
    TransactionAck,
)
from connector.x12.model_common import Name, Reference
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions
from connector.x12.values import parse_date, parse_decimal

_PAD = [""] * 20
T = TypeVar("T")


def read_999(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> Iterator[Acknowledgement999]:
    """Yield one Acknowledgement999 per 999 transaction set (envelope faults in ``read_findings``)."""
    for txn in iter_transactions(data, source, strict=strict):
        if txn.envelope.transaction_set_id == "999":
            yield parse_999(txn)


def read_277ca(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> Iterator[ClaimAcknowledgement277CA]:
    """Yield one ClaimAcknowledgement277CA per 277CA (X214) transaction set."""
    for txn in iter_transactions(data, source, strict=strict):
        if txn.envelope.transaction_set_id == "277" and "X212" not in _version(txn):
            yield parse_277ca(txn)


def read_277(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> Iterator[ClaimStatusResponse277]:
    """Yield one ClaimStatusResponse277 per 277 (X212) transaction set."""
    for txn in iter_transactions(data, source, strict=strict):
        if txn.envelope.transaction_set_id == "277" and "X214" not in _version(txn):
            yield parse_277(txn)


def _version(txn: Transaction) -> str:
    return txn.envelope.implementation_reference or txn.envelope.group_version


class _Position:
    index = 0


def _guard(txn: Transaction, parse: Callable[[Transaction, _Position], T]) -> T:
    pos = _Position()
    try:
        return parse(txn, pos)
    except (IndexError, KeyError, ValueError, AttributeError, TypeError) as exc:
        raise txn.error(f"malformed segment ({type(exc).__name__})", pos.index) from None


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0


def _parse_999(txn: Transaction, pos: _Position) -> Acknowledgement999:
    ack = Acknowledgement999(txn.envelope, functional_id="", group_control_number="")
    current: TransactionAck | None = None
    segment: SegmentError | None = None
    comp = txn.envelope.delimiters.component
    seen_ak1 = False
    for index in range(1, len(txn.segments) - 1):
        pos.index = index
        seg = txn.segments[index]
        e = seg + _PAD
        sid = seg[0]
        if sid == "AK1":
            seen_ak1 = True
            ack.functional_id, ack.group_control_number, ack.version = e[1], e[2], e[3]
        elif sid == "AK2":
            current = TransactionAck(e[1], e[2], "", e[3])
            segment = None
            ack.transactions.append(current)
        elif sid == "IK3":
            if current is None:
                raise txn.error("IK3 before AK2", index)
            segment = SegmentError(e[1], _int(e[2]), e[3], e[4])
            current.segment_errors.append(segment)
        elif sid == "IK4":
            if segment is None:
                raise txn.error("IK4 before IK3", index)
            parts = e[1].split(comp)
            component = _int(parts[1]) if len(parts) > 1 and parts[1] else None
            segment.element_errors.append(ElementError(_int(parts[0]), component, e[2], e[3], e[4]))
        elif sid == "IK5":
            if current is None:
                raise txn.error("IK5 before AK2", index)
            current.status = e[1]
            current.error_codes = tuple(c for c in seg[2:7] if c)
        elif sid == "AK9":
            ack.group_status = e[1]
            ack.included, ack.received, ack.accepted_count = _int(e[2]), _int(e[3]), _int(e[4])
            ack.group_error_codes = tuple(c for c in seg[5:10] if c)
    if not seen_ak1:
        raise txn.error("999 has no AK1 segment", 1)
    return ack


def _name(e: list[str]) -> Name:
    return Name(e[1], e[2], e[3], e[4], e[5], e[7], e[8], e[9])


def _status(e: list[str], comp: str) -> list[StatusInfo]:
    parts = e[1].split(comp) + _PAD[:4]
    first = StatusInfo(
        parts[0],
        parts[1],
        parts[2],
        parts[3],
        parse_date(e[2]),
        e[3],
        parse_decimal(e[4]),
        parse_decimal(e[5]),
        parse_date(e[6]),
        e[7],
        parse_date(e[8]),
        e[9],
        e[12],
    )
    more = []
    for extra in (e[10], e[11]):
        if extra:
            p = extra.split(comp) + _PAD[:4]
            more.append(StatusInfo(p[0], p[1], p[2], p[3]))
    return [first, *more]


def _dates(text: str) -> tuple[str, str]:
    start, _, end = text.partition("-")
    return start, end or start


class _Levels:
    """Shared walk over the HL levels of a 277CA or 277 (source, receiver, provider, patient/claim)."""

    def __init__(self, txn: Transaction, pos: _Position) -> None:
        self.source: Name | None = None
        self.receiver: Name | None = None
        self.claims: list[ClaimStatus] = []
        self.summary: list[StatusInfo] = []
        self.receipt: dt.date | None = None
        self.process: dt.date | None = None
        self.reference = ""
        self.created: dt.date | None = None
        comp = txn.envelope.delimiters.component
        level = ""
        provider: Name | None = None
        patient: Name | None = None
        claim: ClaimStatus | None = None
        line: LineStatus | None = None
        for index in range(1, len(txn.segments) - 1):
            pos.index = index
            seg = txn.segments[index]
            e = seg + _PAD
            sid = seg[0]
            if sid == "HL":
                level, claim, line = e[3], None, None
                if level in ("22", "PT"):
                    patient = None
            elif sid == "NM1":
                if level == "20":
                    self.source = _name(e)
                elif level == "21":
                    self.receiver = _name(e)
                elif level == "19":
                    provider = _name(e)
                elif e[1] in ("QC", "IL") and (patient is None or e[1] == "QC"):
                    patient = _name(e)
            elif sid == "TRN":
                if level in ("PT", "22", "23"):
                    claim = ClaimStatus(e[2], patient=patient, provider=provider)
                    line = None
                    self.claims.append(claim)
            elif sid == "STC":
                statuses = _status(e, comp)
                if line is not None:
                    line.statuses.extend(statuses)
                elif claim is not None:
                    claim.statuses.extend(statuses)
                elif level != "19":
                    self.summary.extend(statuses)
            elif sid == "REF":
                if line is not None and e[1] == "FJ":
                    line.line_control_number = e[2]
                elif claim is not None:
                    claim.references.append(Reference(e[1], e[2]))
            elif sid == "DTP":
                start, end = _dates(e[3])
                if line is not None:
                    line.service_date = parse_date(start)
                elif claim is not None and e[1] in ("472", "232"):
                    claim.service_from, claim.service_to = parse_date(start), parse_date(end)
                elif e[1] == "050":
                    self.receipt = parse_date(e[3])
                elif e[1] == "009":
                    self.process = parse_date(e[3])
            elif sid == "SVC" and claim is not None:
                procedure = ":".join(e[1].split(comp))
                line = LineStatus(procedure, parse_decimal(e[2]) or Decimal(0), parse_decimal(e[3]))
                claim.line_statuses.append(line)
            elif sid == "BHT":
                self.reference, self.created = e[3], parse_date(e[4])


def _parse_277ca(txn: Transaction, pos: _Position) -> ClaimAcknowledgement277CA:
    w = _Levels(txn, pos)
    return ClaimAcknowledgement277CA(
        txn.envelope,
        w.reference,
        w.created,
        w.source,
        w.receiver,
        w.receipt,
        w.process,
        w.claims,
        w.summary,
    )


def _parse_277(txn: Transaction, pos: _Position) -> ClaimStatusResponse277:
    w = _Levels(txn, pos)
    return ClaimStatusResponse277(txn.envelope, w.reference, w.created, w.source, w.receiver, w.claims)


def parse_999(txn: Transaction) -> Acknowledgement999:
    """Build an Acknowledgement999 from one 999 transaction set."""
    ack = _guard(txn, _parse_999)
    ack.read_findings = txn.findings
    return ack


def parse_277ca(txn: Transaction) -> ClaimAcknowledgement277CA:
    """Build a ClaimAcknowledgement277CA from one 277CA transaction set."""
    ack = _guard(txn, _parse_277ca)
    ack.read_findings = txn.findings
    return ack


def parse_277(txn: Transaction) -> ClaimStatusResponse277:
    """Build a ClaimStatusResponse277 from one 277 (X212) transaction set."""
    response = _guard(txn, _parse_277)
    response.read_findings = txn.findings
    return response
