"""Claim batch intake: read an uploaded 837, check what a payer front end checks, build the 999 and 277CA."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from connector.errors import X12ParseError
from connector.sandbox.codes import npi_is_valid
from connector.sandbox.era import empty_envelope
from connector.x12 import ControlNumbers, iter_transactions, write_277ca, write_999
from connector.x12.models import (
    Acknowledgement999,
    ClaimAcknowledgement277CA,
    ClaimStatus,
    Name,
    Reference,
    StatusInfo,
    TransactionAck,
)

ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z]([0-9A-Z]{1,4})?$")
PROCEDURE = re.compile(r"^([0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4})$")


@dataclass(slots=True)
class IntakeClaim:
    """One CLM as the payer front end sees it, with the problems found (status code, entity)."""

    claim_id: str
    charge: Decimal
    billing_npi: str
    member_id: str = ""
    dob: dt.date | None = None
    patient: Name | None = None
    rendering_npi: str = ""
    diagnoses: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)
    line_total: Decimal = Decimal(0)
    service_dates: list[dt.date] = field(default_factory=list)
    lines_without_date: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    payer_claim_number: str = ""
    """Given to accepted claims (REF*1K on the 277CA)."""


@dataclass(slots=True)
class Intake:
    """What one uploaded file produced: claims, the 999 and 277CA bytes, counts."""

    claims: list[IntakeClaim]
    ack_999: bytes
    ack_277ca: bytes
    accepted: int
    rejected: int


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text or "0")
    except InvalidOperation:
        return Decimal(-1)


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _element(segment: list[str], index: int) -> str:
    return segment[index] if len(segment) > index else ""


def _claims(segments: list[list[str]], component: str) -> list[IntakeClaim]:
    claims: list[IntakeClaim] = []
    billing, member, dob, patient = "", "", None, None
    current: IntakeClaim | None = None
    for seg in segments:
        tag = seg[0]
        if tag == "NM1" and _element(seg, 1) == "85":
            billing = _element(seg, 9)
        elif tag == "NM1" and _element(seg, 1) in ("IL", "QC"):
            if _element(seg, 1) == "IL":
                member = _element(seg, 9)
            patient = Name("QC", "1", _element(seg, 3), _element(seg, 4), id_qualifier="MI", id=member)
            current = None
        elif tag == "DMG":
            dob = _date(_element(seg, 2))
        elif tag == "CLM":
            current = IntakeClaim(_element(seg, 1), _decimal(_element(seg, 2)), billing, member, dob, patient)
            claims.append(current)
        elif current is None:
            continue
        elif tag == "NM1" and _element(seg, 1) == "82":
            current.rendering_npi = _element(seg, 9)
        elif tag == "HI":
            current.diagnoses.extend(e.split(component)[1] for e in seg[1:] if component in e)
        elif tag in ("SV1", "SV2"):
            composite = _element(seg, 1 if tag == "SV1" else 2).split(component)
            current.procedures.append(composite[1] if len(composite) > 1 else "")
            current.line_total += _decimal(_element(seg, 2 if tag == "SV1" else 3))
            current.lines_without_date += 1
        elif tag == "DTP" and _element(seg, 1) == "472":
            when = _date(_element(seg, 3).split("-")[0])
            if when is not None:
                current.service_dates.append(when)
                current.lines_without_date = max(0, current.lines_without_date - 1)
    return claims


def check(claim: IntakeClaim) -> None:
    """Fill ``claim.problems`` with the 277CA (status code, entity) of every error the sandbox detects."""
    p = claim.problems
    if not npi_is_valid(claim.billing_npi):
        p.append(("562", "85"))
    if claim.rendering_npi and not npi_is_valid(claim.rendering_npi):
        p.append(("562", "82"))
    if not claim.claim_id:
        p.append(("21", ""))
    if not claim.member_id:
        p.append(("33", "IL"))
    if claim.dob is None:
        p.append(("158", "QC"))
    if not claim.diagnoses or not all(ICD10.match(d.replace(".", "")) for d in claim.diagnoses):
        p.append(("254", ""))
    if not claim.procedures or not all(PROCEDURE.match(c) for c in claim.procedures):
        p.append(("454", ""))
    if claim.lines_without_date or not claim.service_dates:
        p.append(("187", ""))
    if claim.charge != claim.line_total:
        p.append(("178", ""))


def _status(claim: IntakeClaim, today: dt.date) -> ClaimStatus:
    if claim.problems:
        statuses = [
            StatusInfo("A7", code, entity, date=today, action_code="U", amount=claim.charge)
            for code, entity in claim.problems
        ]
    else:
        statuses = [
            StatusInfo("A1", "19", "PR", date=today, action_code="WQ", amount=claim.charge),
            StatusInfo("A2", "20", "PR", date=today, action_code="WQ", amount=claim.charge),
        ]
    dates = sorted(claim.service_dates)
    references = [Reference("1K", claim.payer_claim_number)] if claim.payer_claim_number else []
    return ClaimStatus(
        claim_id=claim.claim_id or "UNKNOWN",
        statuses=statuses,
        references=[*references, Reference("D9", f"SBX{claim.claim_id}")],
        patient=claim.patient,
        provider=Name("85", "2", "BILLING PROVIDER", id_qualifier="XX", id=claim.billing_npi or "0000000000"),
        service_from=dates[0] if dates else None,
        service_to=dates[-1] if dates else None,
    )


def intake(content: bytes, batch_number: int, received: dt.datetime, payer_id: str = "87726") -> Intake:
    """Read an 837 file and build its 999 and 277CA; raises X12ParseError when it is not X12 at all."""
    transactions = list(iter_transactions(content, source="upload.837"))
    if not transactions:
        raise X12ParseError("no transaction sets in the file")
    first = transactions[0].envelope
    acks: list[TransactionAck] = []
    claims: list[IntakeClaim] = []
    for txn in transactions:
        env = txn.envelope
        found = _claims(txn.segments, env.delimiters.component)
        ok = env.transaction_set_id == "837" and bool(found)
        acks.append(
            TransactionAck(env.transaction_set_id, env.transaction_control_number, "A" if ok else "R",
                           env.implementation_reference, () if ok else ("5",))
        )  # fmt: skip
        if ok:
            claims.extend(found)
    for index, claim in enumerate(claims, start=1):
        check(claim)
        if not claim.problems:
            claim.payer_claim_number = f"9{batch_number:05d}{index:06d}"
    accepted_txns = sum(1 for a in acks if a.status == "A")
    group_status = "A" if accepted_txns == len(acks) else ("P" if accepted_txns else "R")
    ack999 = Acknowledgement999(
        envelope=empty_envelope("999", "FA", "005010X231A1"),
        functional_id=first.functional_id,
        group_control_number=first.group_control_number,
        version=first.group_version,
        transactions=acks,
        group_status=group_status,
        included=len(acks),
        received=len(acks),
        accepted_count=accepted_txns,
    )
    control = ControlNumbers(
        interchange=500000 + batch_number, group=batch_number, sender_id=payer_id,
        receiver_id=first.sender_id.strip() or "SUBMITTER", created=received.replace(microsecond=0),
    )  # fmt: skip
    ack277 = ClaimAcknowledgement277CA(
        envelope=empty_envelope("277", "HN", "005010X214"),
        reference=f"B{batch_number:06d}",
        created=received.date(),
        information_source=Name("PR", "2", "UNITEDHEALTHCARE", id_qualifier="PI", id=payer_id),
        information_receiver=Name("41", "2", "SUBMITTER", id_qualifier="46", id=control.receiver_id),
        receipt_date=received.date(),
        process_date=received.date(),
        claims=[_status(c, received.date()) for c in claims],
    )
    rejected = sum(1 for c in claims if c.problems)
    return Intake(
        claims=claims,
        ack_999=write_999(ack999, control=control),
        ack_277ca=write_277ca(ack277, control=control) if claims else b"",
        accepted=len(claims) - rejected,
        rejected=rejected,
    )
