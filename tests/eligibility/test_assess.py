"""The patient estimate to the cent and the problems of one appointment (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connector.eligibility.assess import assess, patient_estimate
from connector.eligibility.model import (
    Accumulator,
    Appointment,
    Coverage,
    EligibilityResult,
    Problem,
    Rejection,
)

D = Decimal


def _appt(
    visit: str = "office", charge: str | None = "215.00", procedures: tuple[str, ...] = ()
) -> Appointment:
    return Appointment(
        "s.csv", 2, dt.datetime(2026, 11, 30, 9), "P1", "Doe", "Jane", dt.date(1980, 2, 29), "F", "W1",
        "87726", "UHC", "1234567893", visit, procedures, None if charge is None else D(charge),
    )  # fmt: skip


def _result(**changes: object) -> EligibilityResult:
    base = EligibilityResult(
        Coverage.ACTIVE, last_name="DOE", first_name="JANE", dob=dt.date(1980, 2, 29), in_network=True,
        office_copay=D("0"), specialist_copay=D("50.00"), coinsurance=D("0.15"),
        deductible_individual=Accumulator(D("3000"), D("2966.70"), D("33.30")),
    )  # fmt: skip
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@pytest.mark.parametrize(
    ("visit", "changes", "expected"),
    [
        ("office", {}, "60.56"),  # 33.30 deductible + 15% of 181.70 = 27.255 -> 27.26 (half up)
        ("specialist", {}, "50.00"),  # a specialist co-pay
        ("office", {"office_copay": D("25")}, "25.00"),
        ("office", {"deductible_family": Accumulator(remaining=D("0"))}, "32.25"),  # family met: co-insurance
        ("office", {"out_of_pocket_individual": Accumulator(remaining=D("12.34"))}, "12.34"),
        ("office", {"status": Coverage.TERMINATED}, None),
    ],
)
def test_estimate(visit: str, changes: dict[str, object], expected: str | None) -> None:
    got = patient_estimate(_appt(visit), _result(**changes))
    assert got == (None if expected is None else D(expected))


def test_no_planned_charge_no_copay_no_estimate() -> None:
    assert patient_estimate(_appt(charge=None), _result()) is None


def test_problems() -> None:
    clean = assess(_appt(), _result())
    assert clean.problems == () and clean.status is Coverage.ACTIVE
    odd = _result(last_name="DOE-REYES", other_payer="MEDICARE", in_network=False, referral_required=True,
                  auth_required=True, auth_codes=("20610",))  # fmt: skip
    got = assess(_appt("specialist", procedures=("99214", "20610")), odd).problems
    assert got == (Problem.NAME_MISMATCH, Problem.OTHER_PAYER_PRIMARY, Problem.OUT_OF_NETWORK,
                   Problem.REFERRAL_REQUIRED, Problem.AUTH_REQUIRED)  # fmt: skip
    assert assess(_appt("office", procedures=("99213",)), odd).problems[-1] is Problem.OUT_OF_NETWORK
    nobody = EligibilityResult(Coverage.NOT_FOUND, rejections=[Rejection("71")])
    assert assess(_appt(), nobody).problems == (Problem.NOT_FOUND, Problem.DOB_MISMATCH)
    skipped = assess(_appt(), None, note="s.csv, row 2, column member_id: member id missing")
    assert (skipped.status, skipped.problems) == (Coverage.NOT_CHECKED, (Problem.NOT_CHECKED,))
