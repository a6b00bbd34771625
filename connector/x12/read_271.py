"""Readers of eligibility inquiries (270) and responses (271): 005010X279A1, and 004010X092A1 too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from connector.eligibility.benefits import summarize
from connector.eligibility.model import Benefit, Coverage, EligibilityResult, Inquiry, Rejection
from connector.x12.model_271 import EligibilityInquiry270, EligibilityResponse271
from connector.x12.model_common import Name
from connector.x12.read_ack import _guard, _name, _Position
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions
from connector.x12.values import parse_date, parse_decimal

_PAD = [""] * 20
_LEVELS = {"20": "source", "21": "receiver", "22": "subscriber", "23": "dependent"}


def read_271(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> list[EligibilityResponse271]:
    """Every 271 transaction set in ``data``. Envelope and layout faults (SE01, SE02, GE01/02, IEA01/02, text
    around the interchange...) are read past and listed in ``findings``, as for every reader sharing the
    envelope layer; ``strict`` refuses them instead. Anything else malformed raises X12ParseError."""
    out = []
    for txn in iter_transactions(data, source, strict=strict):
        if txn.envelope.transaction_set_id == "271":
            response = _guard(txn, _parse_271)
            response.findings = list(txn.findings)
            out.append(response)
    return out


def read_270(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> list[EligibilityInquiry270]:
    """Every 270 transaction set in ``data`` (``strict`` as for :func:`read_271`)."""
    return [
        _guard(txn, _parse_270)
        for txn in iter_transactions(data, source, strict=strict)
        if txn.envelope.transaction_set_id == "270"
    ]


def _range(e: list[str]) -> tuple[dt.date | None, dt.date | None]:
    start, _, end = e[3].partition("-")
    return parse_date(start), parse_date(end) if end else None


@dataclass(slots=True)
class _Patient:
    """What one subscriber (2000C) or dependent (2000D) loop said, before it becomes a result."""

    level: str
    has_children: bool
    name: Name | None = None
    dob: dt.date | None = None
    sex: str = ""
    traces: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    dates: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    member_id: str = ""
    parent: _Patient | None = None


@dataclass(slots=True)
class _Open:
    """The EB being read (its MSG, DTP and 2120 entities come after it)."""

    e: list[str]
    rep: str
    messages: list[str] = field(default_factory=list)
    dates: list[tuple[str, dt.date | None, dt.date | None]] = field(default_factory=list)
    related: list[tuple[str, str, str]] = field(default_factory=list)

    def close(self) -> Benefit:
        e = self.e
        return Benefit(
            code=e[1],
            coverage_level=e[2],
            service_types=tuple(s for s in e[3].split(self.rep) if s)
            if self.rep
            else (e[3],)
            if e[3]
            else (),
            insurance_type=e[4],
            plan_description=e[5],
            period=e[6],
            amount=parse_decimal(e[7]),
            percent=parse_decimal(e[8]),
            quantity=parse_decimal(e[10]),
            authorization=e[11],
            in_network=e[12],
            messages=tuple(self.messages),
            dates=tuple(self.dates),
            related=tuple(self.related),
        )


def _parse_271(txn: Transaction, pos: _Position) -> EligibilityResponse271:
    response = EligibilityResponse271(txn.envelope, "")
    rep = txn.envelope.delimiters.repetition or "^"
    patients: list[_Patient] = []
    patient: _Patient | None = None
    subscriber: _Patient | None = None
    level = ""
    benefit: _Open | None = None
    in_2120 = False

    def close_benefit() -> None:
        nonlocal benefit
        if benefit is not None and patient is not None:
            patient.benefits.append(benefit.close())
        benefit = None

    for index in range(1, len(txn.segments) - 1):
        pos.index = index
        seg = txn.segments[index]
        e = seg + _PAD
        sid = seg[0]
        if sid == "HL":
            close_benefit()
            level, in_2120 = _LEVELS.get(e[3], e[3]), False
            if level in ("subscriber", "dependent"):
                patient = _Patient(level, e[4] == "1")
                if level == "subscriber":
                    subscriber = patient
                elif subscriber is not None:
                    patient.member_id, patient.parent = subscriber.member_id, subscriber
                patients.append(patient)
            else:
                patient = None
        elif sid == "BHT":
            response.reference = e[3]
        elif sid == "EB":
            close_benefit()
            if patient is None:
                raise txn.error("EB outside a subscriber or dependent loop", index)
            benefit, in_2120 = _Open(e, rep), False
        elif sid == "LS":
            in_2120 = True
        elif sid == "LE":
            in_2120 = False
        elif sid == "AAA":
            where = "benefit" if benefit is not None else level
            rejection = Rejection(e[3], e[4], e[1], where)
            if patient is not None:
                patient.rejections.append(rejection)
            else:
                response.rejections.append(rejection)
        elif benefit is not None:
            if sid == "MSG":
                benefit.messages.append(e[1])
            elif sid == "DTP":
                benefit.dates.append((e[1], *_range(e)))
            elif sid == "NM1" and in_2120:
                benefit.related.append((e[1], " ".join(p for p in (e[3], e[4]) if p), e[9]))
        elif sid == "NM1":
            name = _name(e)
            if level == "source":
                response.payer = name
            elif level == "receiver":
                response.provider = name
            elif patient is not None and e[1] in ("IL", "03"):
                patient.name = name
                if e[1] == "IL" and e[9]:
                    patient.member_id = e[9]
        elif patient is not None:
            _patient_segment(patient, sid, e)
    close_benefit()
    for p in patients:
        if p.parent is not None and not p.rejections:
            p.rejections = [r for r in p.parent.rejections if r.level == "subscriber"]
    response.results = [_result(p) for p in patients if p.benefits or not p.has_children]
    if not response.results and response.rejections:
        response.results = [EligibilityResult(Coverage.REJECTED, rejections=list(response.rejections))]
    for result in response.results:
        summarize(result, response.rejections)
    return response


def _patient_segment(patient: _Patient, sid: str, e: list[str]) -> None:
    if sid == "TRN":
        # TRN01 2 (referenced: our 270's trace echoed back) before 1 (the sender's own trace)
        patient.traces.insert(0 if e[1] == "2" else len(patient.traces), e[2])
    elif sid == "DMG":
        patient.dob = parse_date(e[2]) if e[1] == "D8" else None
        patient.sex = e[3]
    elif sid == "REF":
        patient.refs.setdefault(e[1], e[2])
    elif sid == "DTP":
        patient.dates.append((e[1], *_range(e)))
    elif sid == "EQ":
        patient.service_types.append(e[1])


def _result(p: _Patient) -> EligibilityResult:
    name = p.name or Name("IL")
    result = EligibilityResult(
        Coverage.NOT_CHECKED,
        member_id=p.member_id,
        last_name=name.last_or_org,
        first_name=name.first,
        dob=p.dob,
        group=p.refs.get("6P") or p.refs.get("1L") or p.refs.get("IG", ""),
        source="271",
        trace=p.traces[0] if p.traces else "",
        rejections=list(p.rejections),
        benefits=list(p.benefits),
        dependent=p.level == "dependent",
    )
    for qualifier, start, end in p.dates:
        if qualifier in ("346", "356", "291", "307") and result.effective is None:
            result.effective = start
        if qualifier in ("347", "357") and result.end is None:
            result.end = start
        if qualifier in ("291", "307") and end is not None and end.year < 9999 and result.end is None:
            result.end = end
        if qualifier == "472":
            result.service_date = start
    return result


def _parse_270(txn: Transaction, pos: _Position) -> EligibilityInquiry270:
    inquiry = EligibilityInquiry270(txn.envelope, "")
    level = ""
    patient: _Patient | None = None
    subscriber: _Patient | None = None
    patients: list[_Patient] = []
    for index in range(1, len(txn.segments) - 1):
        pos.index = index
        seg = txn.segments[index]
        e = seg + _PAD
        sid = seg[0]
        if sid == "HL":
            level = _LEVELS.get(e[3], e[3])
            patient = None
            if level in ("subscriber", "dependent"):
                patient = _Patient(level, e[4] == "1")
                if level == "subscriber":
                    subscriber = patient
                elif subscriber is not None:
                    patient.member_id = subscriber.member_id
                patients.append(patient)
        elif sid == "BHT":
            inquiry.reference = e[3]
        elif sid == "NM1" and level == "source":
            inquiry.payer = _name(e)
        elif sid == "NM1" and level == "receiver":
            inquiry.provider = _name(e)
        elif sid == "NM1" and patient is not None:
            patient.name = _name(e)
            if e[1] == "IL" and e[9]:
                patient.member_id = e[9]
        elif patient is not None:
            _patient_segment(patient, sid, e)
    payer, provider = inquiry.payer or Name("PR"), inquiry.provider or Name("1P")
    for p in patients:
        if p.has_children and not p.service_types:
            continue
        name = p.name or Name("IL")
        service = next((s for q, s, _ in p.dates if q in ("291", "307", "472") and s), None)
        inquiry.inquiries.append(
            Inquiry(
                member_id=p.member_id,
                last_name=name.last_or_org,
                first_name=name.first,
                dob=p.dob,
                service_date=service or txn.envelope.group_date or dt.date.min,
                provider_npi=provider.id if provider.id_qualifier == "XX" else "",
                provider_name=provider.last_or_org,
                payer_id=payer.id,
                payer_name=payer.last_or_org,
                service_types=tuple(p.service_types) or ("30",),
                trace=p.traces[0] if p.traces else "",
                sex=p.sex,
            )
        )
    return inquiry
