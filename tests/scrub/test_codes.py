"""Format checks: NPI Luhn with the 80840 prefix (property-tested), TIN, ICD-10-CM, CPT/HCPCS, UB codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.scrub.codes import (
    icd10cm_ok,
    luhn_ok,
    modifier_ok,
    npi_ok,
    procedure_ok,
    revenue_code_ok,
    tin_ok,
    type_of_bill_ok,
)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_makes_an_npi_valid(first_nine: str) -> None:
    valid = [d for d in "0123456789" if npi_ok(first_nine + d)]
    assert len(valid) == 1
    # the check digit is the Luhn digit of 80840 + the first nine (CMS NPI standard)
    assert luhn_ok("80840" + first_nine + valid[0])


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_known_good_npis(npi: str) -> None:
    assert npi_ok(npi)


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "12345678 3", "", "A234567893"])
def test_bad_npis(npi: str) -> None:
    assert not npi_ok(npi)


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            tin_ok,
            ["12-3456789", "123456789", "123-45-6789"],
            ["12345678", "1234567890", "000000000", "12-34567X9"],
        ),
        (
            icd10cm_ok,
            ["E119", "I10", "S72001A", "U071", "Z0000", "M5450"],
            ["250", "E11.9", "9E11", "E1", "E11900000"],
        ),
        (
            procedure_ok,
            ["99213", "0001F", "0075T", "J1885", "G0439"],
            ["9921", "992134", "0001X", "JJ885", ""],
        ),
        (modifier_ok, ["25", "TC", "XU", "59", "Q5"], ["2", "255", "-5", ""]),
        (revenue_code_ok, ["0450", "0301"], ["450", "04500", "04A0"]),
        (type_of_bill_ok, ["0131", "131", "0111", "0837"], ["", "0031", "13", "01311"]),
    ],
)
def test_code_formats(check: object, good: list[str], bad: list[str]) -> None:
    assert callable(check)
    assert all(check(code) for code in good), [c for c in good if not check(c)]
    assert not any(check(code) for code in bad), [c for c in bad if check(c)]
