"""837P (005010X222A1) and 837I (005010X223A2) writer; always sends REF*6R line control numbers."""

from __future__ import annotations

from connector.errors import InputError
from connector.x12.model_837 import Claim837, ClaimBatch837, Person, Provider, ServiceLine837
from connector.x12.model_common import Address, ControlNumbers
from connector.x12.write_common import SegmentList, date8, interchange, transaction

MAX_DIAGNOSES = {"professional": 12, "institutional": 25}


def write_837(batch: ClaimBatch837, *, control: ControlNumbers) -> bytes:
    """One interchange with one 837 transaction set holding every claim of ``batch``."""
    if not batch.claims:
        raise InputError("an 837 batch needs at least one claim")
    body = SegmentList(control.delimiters)
    created = control.created
    body.add(
        "BHT",
        "0019",
        "00",
        batch.reference or control.transaction,
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        "CH",
    )
    sub = batch.submitter
    body.add("NM1", "41", "2", sub.name, None, None, None, None, "46", sub.id)
    numbers: list[str | None] = []
    if sub.contact_phone:
        numbers += ["TE", sub.contact_phone]
    if sub.contact_email:
        numbers += ["EM", sub.contact_email]
    if not numbers:
        raise InputError("the submitter needs a contact phone or email (PER*IC)")
    body.add("PER", "IC", sub.contact_name, *numbers)
    body.add("NM1", "40", "2", batch.receiver.name, None, None, None, None, "46", batch.receiver.id)
    bp = batch.billing_provider
    body.add("HL", "1", None, "20", "1")
    if bp.taxonomy:
        body.add("PRV", "BI", "PXC", bp.taxonomy)
    body.add("NM1", "85", "1" if bp.first else "2", bp.name, bp.first, None, None, None, "XX", bp.npi)
    _address(body, bp.address)
    body.add("REF", bp.tin_qualifier, bp.tin)
    hl = 1
    for claim in batch.claims:
        hl = _claim(body, batch, claim, hl)
    st = transaction(body, "837", control.transaction, batch.version)
    return interchange([st], control, "HC", batch.version)


def _address(body: SegmentList, address: Address) -> None:
    body.add("N3", address.line1, address.line2 or None)
    body.add("N4", address.city, address.state, address.postal_code, address.country or None)


def _person(body: SegmentList, entity: str, person: Person, with_id: bool) -> None:
    body.add(
        "NM1",
        entity,
        "1",
        person.last,
        person.first,
        person.middle or None,
        None,
        None,
        "MI" if with_id else None,
        person.member_id if with_id else None,
    )


def _provider(body: SegmentList, entity: str, provider: Provider, prv: str | None = None) -> None:
    kind = "1" if provider.is_person else "2"
    body.add(
        "NM1",
        entity,
        kind,
        provider.last_or_org,
        provider.first,
        provider.middle,
        None,
        None,
        "XX",
        provider.npi,
    )
    if prv and provider.taxonomy:
        body.add("PRV", prv, "PXC", provider.taxonomy)


def _claim(body: SegmentList, batch: ClaimBatch837, claim: Claim837, hl: int) -> int:
    institutional = batch.kind == "institutional"
    if not claim.lines:
        raise InputError(f"claim line {claim.claim_id!r} has no service lines")
    subscriber_hl = hl + 1
    has_patient = claim.patient is not None
    body.add("HL", str(subscriber_hl), "1", "22", "1" if has_patient else "0")
    filing = claim.filing_indicator
    body.add(
        "SBR",
        claim.payer_responsibility,
        None if has_patient else "18",
        claim.group_number,
        None,
        None,
        None,
        None,
        None,
        filing,
    )
    sub = claim.subscriber
    _person(body, "IL", sub, True)
    _address(body, sub.address)
    body.add("DMG", "D8", date8(sub.birth_date), sub.sex)
    payer = claim.payer
    body.add("NM1", "PR", "2", payer.name, None, None, None, None, "PI", payer.id)
    if payer.address is not None:
        _address(body, payer.address)
    hl = subscriber_hl
    if claim.patient is not None:
        hl += 1
        body.add("HL", str(hl), str(subscriber_hl), "23", "0")
        body.add("PAT", claim.patient_relationship)
        _person(body, "QC", claim.patient, False)
        _address(body, claim.patient.address)
        body.add("DMG", "D8", date8(claim.patient.birth_date), claim.patient.sex)
    if institutional:
        _clm_institutional(body, claim)
    else:
        _clm_professional(body, claim)
    for number, line in enumerate(claim.lines, start=1):
        body.add("LX", str(number))
        if institutional:
            _sv2(body, line)
        else:
            _sv1(body, claim, line)
        if line.service_date is not None:
            if line.service_end is not None and line.service_end != line.service_date:
                body.add("DTP", "472", "RD8", f"{date8(line.service_date)}-{date8(line.service_end)}")
            else:
                body.add("DTP", "472", "D8", date8(line.service_date))
        body.add("REF", "6R", line.line_control_number)
    return hl


def _clm_professional(body: SegmentList, claim: Claim837) -> None:
    body.add(
        "CLM",
        claim.claim_id,
        claim.total_charge,
        None,
        None,
        (claim.place_of_service, "B", claim.frequency_code),
        "Y",
        "A",
        "Y",
        "Y",
    )
    _claim_refs(body, claim)
    codes = _diagnoses(claim, 12)
    principal, other = ("BK", "BF") if claim.icd9 else ("ABK", "ABF")
    body.add("HI", *[(principal if i == 0 else other, code) for i, code in enumerate(codes)])
    if claim.referring is not None:
        _provider(body, "DN", claim.referring)
    if claim.rendering is not None:
        _provider(body, "82", claim.rendering, "PE")


def _clm_institutional(body: SegmentList, claim: Claim837) -> None:
    if len(claim.facility_type_code) != 2:
        raise InputError(f"claim {claim.claim_id!r}: facility_type_code must be two digits (type of bill)")
    body.add(
        "CLM",
        claim.claim_id,
        claim.total_charge,
        None,
        None,
        (claim.facility_type_code, "A", claim.frequency_code),
        None,
        "A",
        "Y",
        "Y",
    )
    if claim.admission_date is not None:
        body.add("DTP", "435", "D8", date8(claim.admission_date))
    dates = [line.service_date for line in claim.lines if line.service_date is not None]
    start = claim.statement_from or (min(dates) if dates else None)
    end = claim.statement_to or (max(dates) if dates else start)
    if start is None or end is None:
        raise InputError(f"claim {claim.claim_id!r}: an institutional claim needs statement dates")
    body.add("DTP", "434", "RD8", f"{date8(start)}-{date8(end)}")
    body.add("CL1", claim.admission_type, claim.admission_source, claim.patient_status)
    _claim_refs(body, claim)
    codes = _diagnoses(claim, 25)
    principal, other = ("BK", "BF") if claim.icd9 else ("ABK", "ABF")
    body.add("HI", (principal, codes[0]))
    if len(codes) > 1:
        body.add("HI", *[(other, code) for code in codes[1:12]])
    if len(codes) > 12:
        body.add("HI", *[(other, code) for code in codes[12:]])
    if claim.attending is not None:
        _provider(body, "71", claim.attending, "AT")
    if claim.rendering is not None:
        _provider(body, "82", claim.rendering)
    if claim.referring is not None:
        _provider(body, "DN", claim.referring)


def _claim_refs(body: SegmentList, claim: Claim837) -> None:
    if claim.original_claim_number:
        body.add("REF", "F8", claim.original_claim_number)
    elif claim.frequency_code in ("7", "8"):
        raise InputError(
            f"claim {claim.claim_id!r}: frequency {claim.frequency_code} needs the original claim number"
        )
    if claim.prior_authorization:
        body.add("REF", "G1", claim.prior_authorization)


def _diagnoses(claim: Claim837, limit: int) -> list[str]:
    codes = [code.replace(".", "").strip().upper() for code in claim.diagnosis_codes if code.strip()]
    if not codes:
        raise InputError(f"claim {claim.claim_id!r} has no diagnosis code")
    if len(codes) > limit:
        raise InputError(f"claim {claim.claim_id!r} has more than {limit} diagnosis codes")
    return codes


def _procedure(line: ServiceLine837) -> tuple[str, ...]:
    if len(line.modifiers) > 4:
        raise InputError(f"line {line.line_control_number!r} has more than four modifiers")
    return (line.procedure_qualifier, line.procedure_code, *line.modifiers)


def _sv1(body: SegmentList, claim: Claim837, line: ServiceLine837) -> None:
    pointers = line.diagnosis_pointers[:4]
    if any(not 1 <= p <= len(claim.diagnosis_codes) for p in pointers):
        raise InputError(f"line {line.line_control_number!r} points to a diagnosis the claim does not have")
    pos = (
        line.place_of_service
        if line.place_of_service and line.place_of_service != claim.place_of_service
        else None
    )
    body.add(
        "SV1",
        _procedure(line),
        line.charge,
        line.unit_basis,
        line.units,
        pos,
        None,
        tuple(str(p) for p in pointers),
    )


def _sv2(body: SegmentList, line: ServiceLine837) -> None:
    if not line.revenue_code:
        raise InputError(f"line {line.line_control_number!r} needs a revenue code on an institutional claim")
    body.add(
        "SV2",
        line.revenue_code,
        _procedure(line) if line.procedure_code else None,
        line.charge,
        line.unit_basis if line.unit_basis in ("UN", "DA") else "UN",
        line.units,
    )
