"""Bank deposits: trace number in the reference or the ACH addenda text, amount and date; the leftovers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from connector.errors import InputError
from connector.reconcile import match_deposits, read_bank_csv

CSV = """Date,Amount,Description
2026-03-03,"1,060.00",ACME HCCLAIMPMT TRN*1*EFT100*1234567890\\
2026-03-04,90.00,ACME HCCLAIMPMT TRN*1*EFT200*1234567890\\
2026-03-05,55.50,MERCHANT BANKCARD DEPOSIT
2026-03-09,300.00,
"""


def test_read_bank_csv_with_loose_headers() -> None:
    deposits = read_bank_csv(CSV)
    assert [d.amount for d in deposits] == [
        Decimal("1060.00"),
        Decimal("90.00"),
        Decimal("55.50"),
        Decimal("300.00"),
    ]
    assert deposits[0].date == dt.date(2026, 3, 3) and deposits[0].row == 2
    with pytest.raises(InputError, match="date and an amount"):
        read_bank_csv("when,how much\n")
    with pytest.raises(InputError, match="row 2"):
        read_bank_csv("date,amount\n2026-13-01,5\n")


def test_deposits_match_by_trace_then_amount(models: Any) -> None:
    m = models
    clp = m.clp("A", "1", [m.era_line("A-1", "99213", "1060.00", "1060.00")])
    one = m.remit("EFT100", [clp], day=dt.date(2026, 3, 2))
    two = m.remit("EFT200", [clp], day=dt.date(2026, 3, 3), amount=Decimal("100.00"), control="2")
    three = m.remit("CHK300", [clp], day=dt.date(2026, 3, 6), amount=Decimal("300.00"), control="3")
    four = m.remit("EFT400", [clp], day=dt.date(2026, 3, 6), amount=Decimal("75.00"), control="4")
    rows = {
        r.payment_number or r.reference: r
        for r in match_deposits([one, two, three, four], read_bank_csv(CSV))
    }
    assert rows["EFT100"].status == "matched" and rows["EFT100"].deposit_date == dt.date(2026, 3, 3)
    assert rows["EFT200"].status == "amount_mismatch" and rows["EFT200"].difference == Decimal("-10.00")
    assert rows["CHK300"].status == "matched"  # no trace in the bank text: amount within the date window
    assert rows["EFT400"].status == "era_without_deposit"
    assert rows["MERCHANT BANKCARD DEPOSIT"].status == "deposit_without_era"


def test_trace_with_punctuation_is_found_as_a_whole_word(models: Any) -> None:
    m = models
    clp = m.clp("A", "1", [m.era_line("A-1", "99213", "10.00", "10.00")])
    era = m.remit("1QG-111", [clp], amount=Decimal("10.00"))
    bank = "date,amount,description\n2026-03-02,10.00,PAYER 21QG-1110 X\n2026-03-02,10.00,PAYER 1QG-111 X\n"
    [matched, stray] = match_deposits([era], read_bank_csv(bank))
    assert matched.status == "matched" and matched.reference == "PAYER 1QG-111 X"
    assert stray.status == "deposit_without_era" and stray.reference == "PAYER 21QG-1110 X"
