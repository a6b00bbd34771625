"""Parsed 835 remittances are stored with claims, lines, CAS and PLB, deduped on the full key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store import (
    AdjustmentLevel,
    AdjustmentRow,
    ClaimPaymentRow,
    FileKind,
    RemittanceRow,
    ServiceLineRow,
    dedupe_key,
    find_remittance,
    record_file,
    save_remittance,
)
from connector.x12.models import (
    Adjustment,
    BalanceFinding,
    ClaimPayment,
    DateEntry,
    Envelope,
    Name,
    Party,
    ProcedureCode,
    ProviderAdjustment,
    Reference,
    Remark,
    Remittance,
    ServiceLine,
)

D = Decimal


def _envelope(isa13: str = "000000101", gs06: str = "101", st02: str = "0001") -> Envelope:
    return Envelope(
        sender_qualifier="ZZ",
        sender_id="87726",
        receiver_qualifier="ZZ",
        receiver_id="CLINIC",
        interchange_date=dt.date(2026, 5, 1),
        interchange_time="1200",
        interchange_control_number=isa13,
        version="00501",
        usage="P",
        functional_id="HP",
        application_sender="87726",
        application_receiver="CLINIC",
        group_date=dt.date(2026, 5, 1),
        group_control_number=gs06,
        group_version="005010X221A1",
        transaction_set_id="835",
        transaction_control_number=st02,
    )


def remittance(isa13: str = "000000101", trace: str = "EFT0001") -> Remittance:
    line = ServiceLine(
        procedure=ProcedureCode("HC", "99214", ("25",)),
        charge=D("200.00"),
        paid=D("120.00"),
        units=D("1"),
        original_procedure=ProcedureCode("HC", "99215", ("25", "59")),
        dates=[DateEntry("472", dt.date(2026, 4, 2))],
        adjustments=[Adjustment("CO", "45", D("60.00")), Adjustment("PR", "2", D("20.00"), D("1"))],
        references=[Reference("6R", "LINE-1")],
        amounts=[],
        remarks=[Remark("HE", "N130")],
    )
    claim = ClaimPayment(
        claim_id="PCN-1",
        status_code="1",
        charge=D("250.00"),
        paid=D("120.00"),
        patient_responsibility=D("20.00"),
        payer_claim_number="PAYER-9",
        adjustments=[Adjustment("CO", "253", D("50.00"))],
        names=[Name("QC", "1", "DOE", "JANE", id_qualifier="MI", id="M123")],
        dates=[DateEntry("050", dt.date(2026, 4, 10)), DateEntry("232", dt.date(2026, 4, 2))],
        service_lines=[line],
    )
    denied = ClaimPayment(
        claim_id="PCN-2",
        status_code="4",
        charge=D("80.00"),
        paid=D("0.00"),
        adjustments=[Adjustment("CO", "29", D("80"))],
    )
    return Remittance(
        envelope=_envelope(isa13=isa13),
        handling_code="I",
        payment_amount=D("115.50"),
        payment_method="ACH",
        payment_date=dt.date(2026, 5, 1),
        trace_number=trace,
        originating_company_id="1876543210",
        production_date=dt.date(2026, 4, 30),
        payer=Party("PR", name="UNITED", references=[Reference("2U", "87726")]),
        payee=Party(
            "PE",
            name="MAIN ST CLINIC",
            id_qualifier="XX",
            id="1234567893",
            references=[Reference("TJ", "123456789")],
        ),
        claims=[claim, denied],
        provider_adjustments=[
            ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", "PCN-0", D("4.50"))
        ],
        findings=[
            BalanceFinding("claim", "CLP03 - CAS != CLP04", D("120.00"), D("119.00"), claim_id="PCN-1")
        ],
    )


def _file(session: Session, n: int = 1) -> int:
    row, _ = record_file(
        session,
        kind=FileKind.ERA_835,
        sha256=hashlib.sha256(bytes([n])).hexdigest(),
        size=1,
        stored_path=f"{n}",
    )
    return row.id


def test_save_remittance_maps_every_level(session: Session) -> None:
    file_id = _file(session)
    row, created = save_remittance(session, remittance(), file_id)
    assert created
    session.commit()
    session.expire_all()
    stored = session.get(RemittanceRow, row.id)
    assert stored is not None
    assert (stored.payer_id, stored.payment_number, stored.isa13, stored.gs06, stored.st02) == (
        "87726",
        "EFT0001",
        "000000101",
        "101",
        "0001",
    )
    assert (
        stored.amount == D("115.50") and stored.payee_npi == "1234567893" and stored.payee_tin == "123456789"
    )
    assert stored.claim_count == 2 and not stored.balanced
    assert stored.findings[0]["expected"] == "120.00"
    assert [c.patient_control_number for c in stored.claims] == ["PCN-1", "PCN-2"]
    claim = stored.claims[0]
    assert (claim.patient_last_name, claim.member_id, claim.received_date) == (
        "DOE",
        "M123",
        dt.date(2026, 4, 10),
    )
    assert claim.statement_from == claim.statement_to == dt.date(2026, 4, 2)
    assert [(a.group_code, a.reason_code, a.amount) for a in claim.adjustments] == [("CO", "253", D("50.00"))]
    line = claim.service_lines[0]
    assert (line.procedure_code, line.modifiers, line.original_procedure_code, line.original_modifiers) == (
        "99214",
        "25",
        "99215",
        "25:59",
    )
    assert (line.line_control_number, line.service_date, line.units, line.remark_codes) == (
        "LINE-1",
        dt.date(2026, 4, 2),
        D("1.000"),
        ["N130"],
    )
    assert [(a.level, a.reason_code, a.amount, a.quantity) for a in line.adjustments] == [
        (AdjustmentLevel.LINE, "45", D("60.00"), None),
        (AdjustmentLevel.LINE, "2", D("20.00"), D("1.000")),
    ]
    assert all(a.claim_id == claim.id for a in line.adjustments)
    plb = stored.provider_adjustments[0]
    assert (plb.reason_code, plb.reference, plb.amount) == ("WO", "PCN-0", D("4.50"))
    assert session.scalar(select(func.count()).select_from(AdjustmentRow)) == 4


def test_same_transaction_is_stored_once(session: Session) -> None:
    file_id = _file(session)
    first, created = save_remittance(session, remittance(), file_id)
    again, created_again = save_remittance(session, remittance(), _file(session, 2))
    assert created and not created_again and again.id == first.id
    assert session.scalar(select(func.count()).select_from(ClaimPaymentRow)) == 2
    assert session.scalar(select(func.count()).select_from(ServiceLineRow)) == 1
    assert find_remittance(session, dedupe_key(remittance())) is not None


def test_reused_trace_number_in_another_interchange_is_a_new_remittance(session: Session) -> None:
    file_id = _file(session)
    one, _ = save_remittance(session, remittance(isa13="000000101"), file_id)
    two, created = save_remittance(session, remittance(isa13="000000202"), file_id)
    assert created and two.id != one.id
    other_payer = remittance()
    other_payer.payer = dataclasses.replace(other_payer.payer, references=[Reference("2U", "60054")])
    three, created = save_remittance(session, other_payer, file_id)
    assert created and three.payer_id == "60054"
    assert session.scalar(select(func.count()).select_from(RemittanceRow)) == 3
