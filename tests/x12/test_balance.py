"""835 balancing: line, claim and transaction findings are reported, never corrected, never raised."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from connector.x12 import (
    Adjustment,
    ClaimPayment,
    ControlNumbers,
    ProcedureCode,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    read_835,
    write_835,
)

from .strategies import EMPTY_ENVELOPE

D = Decimal


def small_remittance() -> Remittance:
    """One balanced payment: two claims (one with lines), a recoupment and interest in PLB."""
    line = ServiceLine(
        ProcedureCode("HC", "99213", ("25",)),
        D("100"),
        D("80"),
        adjustments=[Adjustment("CO", "45", D("20"))],
    )
    first = ClaimPayment("A1", "1", D("100"), D("80"), D("0"), "12", "P1", "11", "1", header_number="1")
    first.service_lines.append(line)
    second = ClaimPayment("B2", "4", D("50.00"), D("0"), header_number="1")
    second.adjustments.append(Adjustment("CO", "50", D("50.00")))
    return Remittance(
        EMPTY_ENVELOPE,
        "I",
        D("65.25"),
        payment_method="ACH",
        payment_date=dt.date(2026, 5, 1),
        trace_number="EFT1",
        claims=[first, second],
        provider_adjustments=[
            ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "WO", "A0", D("15.00")),
            ProviderAdjustment("1234567893", dt.date(2026, 12, 31), "L6", "", D("-0.25")),
        ],
    )


def _read(model: Remittance) -> Remittance:
    return next(read_835(write_835(model, control=ControlNumbers(interchange=1, group=1))))


def test_balanced_remittance_has_no_findings() -> None:
    remit = _read(small_remittance())
    assert remit.balanced and remit.findings == []
    assert remit.total_paid == D("80") and remit.plb_total == D("14.75")
    assert remit.payment_amount == remit.total_paid - remit.plb_total


def test_line_claim_and_transaction_imbalances_are_findings() -> None:
    model = small_remittance()
    model.claims[0].service_lines[0].paid = D("79.99")
    model.claims[1].paid = D("1.00")
    remit = _read(model)
    levels = [(f.level, f.claim_id, f.line_index) for f in remit.findings]
    assert levels == [("line", "A1", 0), ("claim", "B2", None), ("transaction", None, None)]
    line, claim, txn = remit.findings
    assert line.expected == D("80") and line.actual == D("79.99") and line.difference == D("-0.01")
    assert claim.expected == D("0") and claim.actual == D("1.00")
    assert txn.expected == D("81") - D("14.75") and txn.actual == D("65.25")
    # nothing was "fixed"
    assert remit.claims[1].paid == D("1.00") and remit.payment_amount == D("65.25")


def test_claim_balance_counts_claim_and_line_adjustments() -> None:
    model = small_remittance()
    model.claims[0].adjustments.append(Adjustment("PR", "1", D("5")))
    remit = _read(model)
    assert [(f.level, f.claim_id) for f in remit.findings] == [("claim", "A1")]
    assert remit.findings[0].expected == D("75")


def test_reversal_and_negative_amounts_balance() -> None:
    model = small_remittance()
    reversal = dataclasses.replace(model.claims[0], status_code="22", charge=D("-100"), paid=D("-80"))
    reversal.service_lines = []
    reversal.adjustments = [Adjustment("CO", "45", D("-20"))]
    model.claims.append(reversal)
    model.payment_amount = D("-14.75")
    remit = _read(model)
    assert remit.findings == []
    assert remit.claims[-1].is_reversal
