"""999 and 277CA writers (the sandbox portal serves them; the readers read them back)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from connector.x12.model_ack import Acknowledgement999, ClaimAcknowledgement277CA, ClaimStatus, StatusInfo
from connector.x12.model_common import ControlNumbers, Name
from connector.x12.write_common import Element, SegmentList, date8, interchange, next_control, transaction

VERSION_999 = "005010X231A1"
VERSION_277CA = "005010X214"


def write_999(acks: Acknowledgement999 | Sequence[Acknowledgement999], *, control: ControlNumbers) -> bytes:
    """One ISA/GS(FA) with one 999 ST..SE per acknowledgement."""
    items = [acks] if isinstance(acks, Acknowledgement999) else list(acks)
    sets = [
        transaction(_body_999(a, control), "999", next_control(control, i), VERSION_999)
        for i, a in enumerate(items)
    ]
    return interchange(sets, control, "FA", VERSION_999)


def _body_999(ack: Acknowledgement999, control: ControlNumbers) -> SegmentList:
    body = SegmentList(control.delimiters)
    body.add("AK1", ack.functional_id, ack.group_control_number, ack.version)
    for txn in ack.transactions:
        body.add("AK2", txn.transaction_set_id, txn.control_number, txn.implementation_reference)
        for seg in txn.segment_errors:
            body.add("IK3", seg.segment_id, seg.position, seg.loop_id, seg.error_code)
            for el in seg.element_errors:
                position: Element = (str(el.position), str(el.component)) if el.component else el.position
                body.add("IK4", position, el.data_element, el.error_code, el.bad_value)
        body.add("IK5", txn.status, *txn.error_codes[:5])
    body.add(
        "AK9", ack.group_status, ack.included, ack.received, ack.accepted_count, *ack.group_error_codes[:5]
    )
    return body


def write_277ca(
    acks: ClaimAcknowledgement277CA | Sequence[ClaimAcknowledgement277CA], *, control: ControlNumbers
) -> bytes:
    """One ISA/GS(HN) with one 277CA (005010X214) ST..SE per acknowledgement.

    Claims are grouped under one billing-provider level per distinct ``ClaimStatus.provider``; each claim
    gets its own patient level. Every status of a claim is written as its own STC segment.
    """
    items = [acks] if isinstance(acks, ClaimAcknowledgement277CA) else list(acks)
    sets = [
        transaction(_body_277ca(a, control), "277", next_control(control, i), VERSION_277CA)
        for i, a in enumerate(items)
    ]
    return interchange(sets, control, "HN", VERSION_277CA)


def _name(body: SegmentList, n: Name) -> None:
    body.add(
        "NM1", n.entity, n.entity_type, n.last_or_org, n.first, n.middle, None, n.suffix, n.id_qualifier, n.id
    )


def _stc(body: SegmentList, s: StatusInfo) -> None:
    body.add(
        "STC",
        (s.category, s.code, s.entity, s.code_list),
        date8(s.date),
        s.action_code,
        s.amount,
        s.paid,
        date8(s.adjudication_date),
        s.payment_method,
        date8(s.payment_date),
        s.check_number,
        None,
        None,
        s.message,
    )


def _provider_status(ack: ClaimAcknowledgement277CA, claims: list[ClaimStatus], dated: bool) -> StatusInfo:
    """A receiver/provider level STC (required by X214): A1 when any of the claims was accepted, else A3."""
    accepted = any(c.accepted for c in claims)
    when = ack.created if dated else None
    total = sum((s.amount for c in claims for s in c.statuses[:1] if s.amount is not None), Decimal(0))
    return StatusInfo(
        "A1" if accepted else "A3",
        "19" if accepted else "21",
        "PR",
        date=when,
        action_code="WQ" if accepted else "U",
        amount=total,
    )


def _body_277ca(ack: ClaimAcknowledgement277CA, control: ControlNumbers) -> SegmentList:
    body = SegmentList(control.delimiters)
    created = ack.created or control.created.date()
    body.add("BHT", "0085", "08", ack.reference, date8(created), control.created.strftime("%H%M"), "TH")
    body.add("HL", "1", None, "20", "1")
    _name(body, ack.information_source or Name("PR", "2", "PAYER", id_qualifier="PI", id="00000"))
    body.add("TRN", "1", ack.reference)
    if ack.receipt_date is not None:
        body.add("DTP", "050", "D8", date8(ack.receipt_date))
    if ack.process_date is not None:
        body.add("DTP", "009", "D8", date8(ack.process_date))
    body.add("HL", "2", "1", "21", "1")
    receiver = ack.information_receiver or Name("41", "2", "SUBMITTER", id_qualifier="46", id="0")
    _name(body, receiver)
    body.add("TRN", "2", ack.reference)
    for status in ack.summary_statuses or [_provider_status(ack, ack.claims, True)]:
        _stc(body, status)
    providers: dict[str, tuple[Name, list[ClaimStatus]]] = {}
    for claim in ack.claims:
        provider = claim.provider or Name("85", "2", receiver.last_or_org, id_qualifier="XX", id="0000000000")
        key = repr(provider)
        providers.setdefault(key, (provider, []))[1].append(claim)
    hl = 2
    for provider, claims in providers.values():
        hl += 1
        provider_hl = hl
        body.add("HL", str(provider_hl), "2", "19", "1")
        _name(body, provider)
        body.add("TRN", "1", "0")
        _stc(body, _provider_status(ack, claims, False))
        for claim in claims:
            hl += 1
            body.add("HL", str(hl), str(provider_hl), "PT")
            _name(body, claim.patient or Name("QC", "1", "UNKNOWN"))
            body.add("TRN", "2", claim.claim_id)
            for status in claim.statuses:
                _stc(body, status)
            for ref in claim.references:
                body.add("REF", ref.qualifier, ref.value)
            if claim.service_from is not None:
                end = claim.service_to or claim.service_from
                if end != claim.service_from:
                    body.add("DTP", "472", "RD8", f"{date8(claim.service_from)}-{date8(end)}")
                else:
                    body.add("DTP", "472", "D8", date8(claim.service_from))
            for line in claim.line_statuses:
                body.add("SVC", tuple(line.procedure.split(":")), line.charge, line.paid)
                for status in line.statuses:
                    _stc(body, status)
                if line.line_control_number:
                    body.add("REF", "FJ", line.line_control_number)
                if line.service_date is not None:
                    body.add("DTP", "472", "D8", date8(line.service_date))
    return body
