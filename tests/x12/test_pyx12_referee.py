"""pyx12 as the independent referee: our 837s pass its validator; our 835 figures equal what it reads."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import pytest

from connector.x12 import ControlNumbers, Delimiters, read_835, validate_837, write_837

from .conftest import Sample
from .factories import claim_batch, institutional_claim, professional_claim
from .pyx12_check import pyx12_errors

CONTROL = ControlNumbers(
    interchange=123456789, group=42, transaction="0001", sender_id="SUB123", receiver_id="87726"
)


@pytest.mark.parametrize("kind", ["professional", "institutional"])
def test_written_837_passes_pyx12_with_zero_errors(kind: str) -> None:
    data = write_837(claim_batch(kind, 6), control=CONTROL)  # type: ignore[arg-type]
    assert pyx12_errors(data) == []
    assert validate_837(data) == []
    assert data.count(b"REF*6R*") == sum(len(c.lines) for c in claim_batch(kind, 6).claims)  # type: ignore[arg-type]


def test_written_837_with_unusual_delimiters_passes_pyx12() -> None:
    control = ControlNumbers(
        interchange=7,
        group=8,
        delimiters=Delimiters(element="|", component=">", repetition="!", segment="\n", newline=""),
    )
    batch = claim_batch("professional", 3)
    batch.claims.append(professional_claim(12, dependent=True))
    data = write_837(batch, control=control)
    assert b"SV1|HC>99214>25|150" in data
    assert pyx12_errors(data) == []
    inst = claim_batch("institutional", 2)
    inst.claims.append(institutional_claim(9))
    assert pyx12_errors(write_837(inst, control=control)) == []


def test_pyx12_referee_really_catches_errors() -> None:
    data = write_837(claim_batch("professional", 2), control=CONTROL)
    broken = data.replace(b"NM1*85*2*", b"NM1*85*9*", 1)
    assert pyx12_errors(broken)


def _pyx12_claims(path: Path) -> tuple[int, Decimal]:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    claims, paid = 0, Decimal(0)
    with path.open(encoding="utf-8", errors="replace") as fh:
        src = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), fh)
        for node in src.iter_segments("2100"):
            if node.id == "2100":
                claims += 1
                paid += Decimal(node.get_value("CLP04") or "0")
    return claims, paid


def test_835_claim_count_and_paid_total_equal_pyx12(samples: list[Sample]) -> None:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    compared = 0
    for sample in samples:
        if sample.kind != "835" or sample.malformed:
            continue
        remits = list(read_835(sample.path.read_bytes(), sample.name))
        ours = (sum(r.claim_count for r in remits), sum((r.total_paid for r in remits), Decimal(0)))
        assert ours == _pyx12_claims(sample.path), sample.name
        compared += 1
    assert compared >= 40


def test_written_835_999_and_277ca_pass_pyx12() -> None:
    import datetime as dt

    from connector.x12 import (
        Acknowledgement999,
        Address,
        ClaimAcknowledgement277CA,
        ClaimStatus,
        Contact,
        ElementError,
        Name,
        Reference,
        SegmentError,
        StatusInfo,
        TransactionAck,
        write_277ca,
        write_835,
        write_999,
    )

    from .strategies import EMPTY_ENVELOPE
    from .test_balance import small_remittance

    remit = small_remittance()
    remit.payment_format, remit.payer.name, remit.payee.name = "CCP", "UNITEDHEALTHCARE", "SPRINGFIELD FP"
    remit.payer_account = ("01", "999999999", "DA", "123456", "1512345678", "")
    remit.payee_account = ("01", "888888888", "DA", "654321")
    remit.originating_company_id = "1512345678"
    remit.payer.contacts.append(Contact("BL", "EDI", (("TE", "8005551212"),)))
    remit.payee.id_qualifier, remit.payee.id = "XX", "1234567893"
    remit.payer.address = Address("PO BOX 1", "", "ATLANTA", "GA", "30301")
    for claim_payment in remit.claims:
        claim_payment.filing_indicator, claim_payment.payer_claim_number = "12", "PCCN1"
        claim_payment.names.append(Name("QC", "1", "DOE", "JANE", id_qualifier="MI", id="W1"))
    assert pyx12_errors(write_835(remit, control=CONTROL)) == []

    ack = Acknowledgement999(
        EMPTY_ENVELOPE,
        "HC",
        "42",
        "005010X222A1",
        [
            TransactionAck("837", "0001", "A", "005010X222A1"),
            TransactionAck(
                "837",
                "0002",
                "R",
                "005010X222A1",
                ("5",),
                [SegmentError("NM1", 23, "2010", "8", [ElementError(9, None, "67", "7", "123")])],
            ),
        ],
        "P",
        2,
        2,
        1,
    )
    assert pyx12_errors(write_999(ack, control=CONTROL)) == []

    day = dt.date(2026, 5, 2)
    claim = ClaimStatus(
        "PCN000001",
        [StatusInfo("A7", "562", "85", date=day, action_code="U", amount=Decimal("195.50"))],
        [Reference("1K", "PAYER123"), Reference("D9", "TRACE9")],
        Name("QC", "1", "DOE", "JANE", id_qualifier="MI", id="W123456789"),
        Name("85", "2", "SPRINGFIELD FP", id_qualifier="XX", id="1234567893"),
        day,
        day,
    )
    ca = ClaimAcknowledgement277CA(
        EMPTY_ENVELOPE,
        "BATCH0001",
        day,
        Name("PR", "2", "UNITEDHEALTHCARE", id_qualifier="PI", id="87726"),
        Name("41", "2", "SPRINGFIELD BILLING", id_qualifier="46", id="SUB123"),
        day,
        day,
        [claim],
        [StatusInfo("A1", "19", "PR", date=day, action_code="WQ", amount=Decimal("195.50"))],
    )
    assert pyx12_errors(write_277ca(ca, control=CONTROL)) == []
