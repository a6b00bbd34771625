"""837 writer: structure of what it writes, and refusals (InputError) for claims it cannot express."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from connector.errors import InputError
from connector.x12 import ControlNumbers, iter_transactions, validate_837, write_837

from .factories import claim_batch, professional_claim

CONTROL = ControlNumbers(
    interchange=77, group=78, transaction="1234", sender_id="SUB123", receiver_id="87726"
)


def _segments(data: bytes) -> list[list[str]]:
    return next(iter_transactions(data)).segments


def test_envelope_uses_the_callers_control_numbers() -> None:
    txn = next(iter_transactions(write_837(claim_batch("professional", 2), control=CONTROL)))
    env = txn.envelope
    assert (env.interchange_control_number, env.group_control_number, env.transaction_control_number) == (
        "000000077",
        "78",
        "1234",
    )
    assert env.group_version == "005010X222A1" and env.implementation_reference == "005010X222A1"
    assert (env.sender_id, env.receiver_id) == ("SUB123", "87726")


def test_professional_claim_content() -> None:
    segs = _segments(write_837(claim_batch("professional", 3), control=CONTROL))
    clm = [s for s in segs if s[0] == "CLM"]
    assert [c[1] for c in clm] == ["PCN000001", "PCN000002", "PCN000003"]
    assert clm[2][5] == "11:B:7"  # replacement claim
    assert ["REF", "F8", "ORIG123"] in segs
    hi = next(s for s in segs if s[0] == "HI")
    assert hi[1:] == ["ABK:E119", "ABF:I10", "ABF:Z794", "ABF:R079"]
    sv1 = [s for s in segs if s[0] == "SV1"]
    assert sv1[0][1:3] == ["HC:99214:25", "150"]
    assert [s[2] for s in segs if s[0] == "REF" and s[1] == "6R"][:3] == ["C1L1", "C1L2", "C2L1"]
    assert ["PAT", "19"] in segs  # the dependent got a patient level


def test_institutional_claim_content() -> None:
    segs = _segments(write_837(claim_batch("institutional", 1), control=CONTROL))
    assert next(s for s in segs if s[0] == "CLM")[5] == "13:A:1"
    assert ["HI", "ABK:R079"] in segs and ["HI", "ABF:I10", "ABF:E785"] in segs
    assert next(s for s in segs if s[0] == "SV2")[:3] == ["SV2", "0450", "HC:99284"]
    assert any(s[:3] == ["DTP", "434", "RD8"] for s in segs)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: dataclasses.replace(c, diagnosis_codes=()),
        lambda c: dataclasses.replace(c, diagnosis_codes=tuple(f"A0{i}" for i in range(13))),
        lambda c: dataclasses.replace(c, lines=[]),
        lambda c: dataclasses.replace(c, frequency_code="8", original_claim_number=""),
        lambda c: dataclasses.replace(c, claim_id="PCN*1"),
        lambda c: dataclasses.replace(
            c, lines=[dataclasses.replace(c.lines[0], modifiers=("1", "2", "3", "4", "5"))]
        ),
        lambda c: dataclasses.replace(c, lines=[dataclasses.replace(c.lines[0], diagnosis_pointers=(9,))]),
    ],
    ids=[
        "no-diagnosis",
        "13-diagnoses",
        "no-lines",
        "void-without-original",
        "delimiter",
        "5-modifiers",
        "bad-pointer",
    ],
)
def test_unwritable_claims_are_refused(change: object) -> None:
    batch = claim_batch("professional", 1)
    batch.claims[0] = change(batch.claims[0])  # type: ignore[operator]
    with pytest.raises(InputError):
        write_837(batch, control=CONTROL)


def test_institutional_needs_revenue_codes_and_type_of_bill() -> None:
    batch = claim_batch("institutional", 1)
    batch.claims[0] = dataclasses.replace(batch.claims[0], facility_type_code="1")
    with pytest.raises(InputError):
        write_837(batch, control=CONTROL)
    batch = claim_batch("institutional", 1)
    batch.claims[0].lines[0] = dataclasses.replace(batch.claims[0].lines[0], revenue_code="")
    with pytest.raises(InputError):
        write_837(batch, control=CONTROL)


def test_validate_warns_about_totals_and_missing_line_control_numbers() -> None:
    batch = claim_batch("professional", 1)
    batch.claims[0] = dataclasses.replace(professional_claim(1), total_charge=Decimal("1"))
    data = write_837(batch, control=CONTROL)
    assert validate_837(data) == ["claim PCN000001: CLM02 1 is not the sum of its lines 195.5"]
    stripped = data.replace(b"REF*6R*C1L2~\n", b"").replace(b"SE*30*", b"SE*29*")
    warnings = validate_837(stripped)
    assert "claim PCN000001: 1 line(s) without a REF*6R line control number" in warnings


def test_icd9_claims_use_bk_bf_and_pass_pyx12() -> None:
    from .pyx12_check import pyx12_errors

    batch = claim_batch("professional", 1)
    old = professional_claim(1)
    for line in old.lines:
        line.service_date = dt.date(2014, 6, 2)
    batch.claims[0] = dataclasses.replace(old, icd9=True, diagnosis_codes=("4019", "25000", "V700", "7865"))
    data = write_837(batch, control=CONTROL)
    assert ["HI", "BK:4019", "BF:25000", "BF:V700", "BF:7865"] in _segments(data)
    assert pyx12_errors(data) == []


def test_envelope_ids_that_do_not_fit_the_isa_are_refused() -> None:
    with pytest.raises(InputError):
        write_837(
            claim_batch("professional", 1), control=ControlNumbers(interchange=1, group=1, sender_id="X" * 16)
        )
    with pytest.raises(InputError):
        write_837(
            claim_batch("professional", 1), control=ControlNumbers(interchange=1, group=1, receiver_id="")
        )
