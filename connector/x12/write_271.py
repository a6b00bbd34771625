"""Writers of eligibility inquiries (270) and responses (271): 005010X279A1, and a 004010X092A1 270."""

from __future__ import annotations

from collections.abc import Sequence

from connector.eligibility.model import Accumulator, Coverage, EligibilityResult, Inquiry
from connector.errors import InputError
from connector.x12.model_common import ControlNumbers
from connector.x12.write_common import SegmentList, date8, interchange, transaction

VERSION_5010 = "005010X279A1"
VERSION_4010 = "004010X092A1"
REJECT_CODES = {Coverage.NOT_FOUND: "75", Coverage.SEVERAL_MATCHES: "76", Coverage.REJECTED: "42"}
"""AAA03 written for a result without coverage: subscriber not found, duplicate id, unable to respond."""
DOB_MISMATCH_CODE = "71"


def _check(inquiry: Inquiry) -> None:
    if not inquiry.member_id:
        raise InputError("270: an inquiry needs a member id")
    if not inquiry.payer_id or not inquiry.provider_npi:
        raise InputError("270: an inquiry needs the payer id and the provider NPI")


def _groups(inquiries: Sequence[Inquiry]) -> dict[tuple[str, str], dict[tuple[str, str], list[Inquiry]]]:
    """Inquiries by payer, then by provider (one HL 20 per payer, one HL 21 per provider)."""
    out: dict[tuple[str, str], dict[tuple[str, str], list[Inquiry]]] = {}
    for inquiry in inquiries:
        _check(inquiry)
        payer = (inquiry.payer_id, inquiry.payer_name)
        provider = (inquiry.provider_npi, inquiry.provider_name)
        out.setdefault(payer, {}).setdefault(provider, []).append(inquiry)
    return out


def write_270(
    inquiries: Sequence[Inquiry],
    control: ControlNumbers,
    *,
    reference: str,
    version: str = VERSION_5010,
    originator: str = "9000000000",
) -> bytes:
    """One 270 transaction asking about every inquiry (TRN02 = ``inquiry.trace``, or its position)."""
    if not inquiries:
        raise InputError("270: nothing to ask")
    five = version == VERSION_5010
    body = SegmentList(control.delimiters)
    created = control.created
    body.add("BHT", "0022", "13", reference, created.strftime("%Y%m%d"), created.strftime("%H%M"))
    hl = 0
    number = 0
    for (payer_id, payer_name), providers in _groups(inquiries).items():
        hl += 1
        payer_hl = hl
        body.add("HL", str(hl), None, "20", "1")
        body.add("NM1", "PR", "2", payer_name or payer_id, None, None, None, None, "PI", payer_id)
        for (npi, provider_name), asked in providers.items():
            hl += 1
            provider_hl = hl
            body.add("HL", str(hl), str(payer_hl), "21", "1")
            body.add("NM1", "1P", "2", provider_name or "PROVIDER", None, None, None, None, "XX", npi)
            for inquiry in asked:
                hl += 1
                number += 1
                body.add("HL", str(hl), str(provider_hl), "22", "0")
                body.add("TRN", "1", inquiry.trace or str(number), originator)
                body.add(
                    "NM1", "IL", "1", inquiry.last_name, inquiry.first_name, None, None, None, "MI",
                    inquiry.member_id,
                )  # fmt: skip
                if inquiry.dob is not None:
                    body.add("DMG", "D8", date8(inquiry.dob), inquiry.sex or None)
                body.add("DTP", "291" if five else "307", "D8", date8(inquiry.service_date))
                for service in inquiry.service_types:
                    body.add("EQ", service)
    st = transaction(body, "270", control.transaction, VERSION_5010 if five else None)
    return interchange([st], control, "HS", version, "00501" if five else "00401")


def _accumulator(body: SegmentList, code: str, level: str, figures: Accumulator, network: str) -> None:
    if figures.amount is not None:
        body.add("EB", code, level, "30", None, None, "23", figures.amount, *[None] * 4, network)
    if figures.remaining is not None:
        body.add("EB", code, level, "30", None, None, "29", figures.remaining, *[None] * 4, network)


def _benefits(body: SegmentList, r: EligibilityResult) -> None:
    network = "" if r.in_network is None else "Y" if r.in_network else "N"
    if r.status in (Coverage.INACTIVE, Coverage.TERMINATED):
        body.add("EB", "6", None, "30", None, r.plan or None)
        return
    body.add("EB", "1", None, "30", None, r.plan or None)
    if r.office_copay is not None:
        body.add("EB", "B", None, "98", None, None, "27", r.office_copay, *[None] * 4, network)
    if r.specialist_copay is not None:
        body.add("EB", "B", None, "98", None, None, "27", r.specialist_copay, *[None] * 4, network)
        body.add("MSG", "SPECIALIST")
    if r.coinsurance is not None:
        body.add("EB", "A", None, "30", None, None, "27", None, r.coinsurance, None, None, None, network)
    _accumulator(body, "C", "IND", r.deductible_individual, network)
    _accumulator(body, "C", "FAM", r.deductible_family, network)
    _accumulator(body, "G", "IND", r.out_of_pocket_individual, network)
    _accumulator(body, "G", "FAM", r.out_of_pocket_family, network)
    if r.referral_required:
        body.add("EB", "D", None, "98")
        body.add("MSG", "REFERRAL REQUIRED")
    if r.auth_required:
        body.add("EB", "D", None, "30", None, None, None, None, None, None, None, "Y")
        body.add("MSG", "PRIOR AUTHORIZATION REQUIRED")
    if r.other_payer:
        body.add("EB", "R", None, "30")
        body.add("LS", "2120")
        body.add("NM1", "PRP", "2", r.other_payer)
        body.add("LE", "2120")


def write_271(
    answers: Sequence[tuple[Inquiry, EligibilityResult]],
    control: ControlNumbers,
    *,
    reference: str,
    dob_mismatch: bool = False,
) -> bytes:
    """One 271 (005010X279A1) answering each inquiry with its result; ``read_271`` reads it back equal.

    A result without coverage (not found, several matches, refused) is an AAA in the subscriber loop
    (``dob_mismatch`` writes AAA 71 instead of 75 for a not-found result)."""
    if not answers:
        raise InputError("271: nothing to answer")
    body = SegmentList(control.delimiters)
    created = control.created
    body.add("BHT", "0022", "11", reference, created.strftime("%Y%m%d"), created.strftime("%H%M"))
    first = answers[0][0]
    body.add("HL", "1", None, "20", "1")
    body.add(
        "NM1", "PR", "2", first.payer_name or first.payer_id, None, None, None, None, "PI", first.payer_id
    )
    body.add("HL", "2", "1", "21", "1")
    body.add(
        "NM1", "1P", "2", first.provider_name or "PROVIDER", None, None, None, None, "XX", first.provider_npi
    )
    for number, (inquiry, result) in enumerate(answers, start=3):
        body.add("HL", str(number), "2", "22", "0")
        body.add("TRN", "2", inquiry.trace or str(number - 2), "9000000000")
        found = result.status not in REJECT_CODES
        last, first_name = (
            (result.last_name, result.first_name) if found else (inquiry.last_name, inquiry.first_name)
        )
        member = result.member_id or inquiry.member_id
        body.add("NM1", "IL", "1", last, first_name, None, None, None, "MI", member)
        if found and result.group:
            body.add("REF", "6P", result.group)
        if not found:
            code = DOB_MISMATCH_CODE if dob_mismatch and result.status is Coverage.NOT_FOUND else None
            body.add("AAA", "Y", None, code or REJECT_CODES[result.status], "C")
        dob = result.dob if found else inquiry.dob
        if dob is not None:
            body.add("DMG", "D8", date8(dob))
        if found:
            if result.effective is not None:
                body.add("DTP", "346", "D8", date8(result.effective))
            if result.end is not None:
                body.add("DTP", "347", "D8", date8(result.end))
            body.add("DTP", "472", "D8", date8(inquiry.service_date))
            _benefits(body, result)
    st = transaction(body, "271", control.transaction, VERSION_5010)
    return interchange([st], control, "HB", VERSION_5010)


__all__ = ["VERSION_4010", "VERSION_5010", "write_270", "write_271"]
