"""Scrub test fixtures: one clean professional and one clean institutional claim, and a context."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connector.claims.scrub_tables import load_scrub_settings
from connector.pm.models import Address, BillingProvider, Claim, Patient, ServiceLine
from connector.scrub import ScrubContext, ScrubSettings

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="session")
def scrub_settings() -> ScrubSettings:
    return load_scrub_settings()


@pytest.fixture()
def ctx(scrub_settings: ScrubSettings) -> ScrubContext:
    return ScrubContext(today=TODAY, settings=scrub_settings)


def _patient() -> Patient:
    return Patient(
        account_id="PAT001",
        last_name="TESTPATIENT",
        first_name="ALEX",
        dob=dt.date(1970, 5, 17),
        sex="F",
        address=Address("1 ELM ST", "AUSTIN", "TX", "78701"),
        member_id="W123456789",
    )


def _billing() -> BillingProvider:
    return BillingProvider(
        npi="1234567893",
        tin="12-3456789",
        name="ELM CLINIC",
        address=Address("9 OAK AVE", "AUSTIN", "TX", "787011234"),
    )


@pytest.fixture()
def professional() -> Claim:
    """A claim every rule accepts: two lines, two diagnoses, valid NPIs, within timely filing."""
    dos = TODAY - dt.timedelta(days=10)
    lines = (
        ServiceLine("L1", dos, "99213", ("25",), Decimal("1"), Decimal("125.00"), "11", "", (1, 2)),
        ServiceLine("L2", dos, "36415", (), Decimal("1"), Decimal("25.00"), "11", "", (1,)),
    )
    return Claim(
        claim_id="C1",
        claim_type="P",
        patient=_patient(),
        payer_id="87726",
        payer_name="UnitedHealthcare",
        billing=_billing(),
        lines=lines,
        total_charge=Decimal("150.00"),
        diagnosis_codes=("E119", "I10"),
        rendering_npi="1245319599",
        referring_npi="",
    )


@pytest.fixture()
def institutional() -> Claim:
    """A clean outpatient hospital claim (type of bill 0131)."""
    dos = TODAY - dt.timedelta(days=5)
    lines = (
        ServiceLine("I1", dos, "", (), Decimal("1"), Decimal("300.00"), "", "0450", ()),
        ServiceLine("I2", dos, "80053", (), Decimal("1"), Decimal("45.50"), "", "0301", ()),
    )
    return Claim(
        claim_id="H1",
        claim_type="I",
        patient=_patient(),
        payer_id="87726",
        payer_name="UnitedHealthcare",
        billing=_billing(),
        lines=lines,
        total_charge=Decimal("345.50"),
        diagnosis_codes=("R079",),
        type_of_bill="0131",
        statement_from=dos,
        statement_to=dos,
    )
