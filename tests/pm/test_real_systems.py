"""Profiles for real systems' documented layouts: pm check, claims scrub and reconcile read each fixture."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from connector.cli import app
from connector.pm.models import Claim
from connector.pm.reader import read_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
SYSTEMS = {
    # profile: (export, claims, lines)
    "synthea": ("synthea/claims_transactions.csv", 3, 5),
    "desynpuf-carrier": ("desynpuf/DE1_0_2008_to_2010_Carrier_Claims_Sample_1A.csv", 3, 6),
    "openemr": ("openemr/billing.csv", 2, 4),
}
PRACTICE = {
    "practice_name": "ELM FAMILY PRACTICE",
    "practice_npi": "1234567893",
    "practice_tin": "123456789",
    "practice_address": "9 OAK AVE",
    "practice_city": "AUSTIN",
    "practice_state": "TX",
    "practice_zip": "787011234",
}
CONFIG = """
[accounts.elm]
practice_name = "ELM FAMILY PRACTICE"
base_url = "http://127.0.0.1:9"
username = "biller"
password = "not-used"
totp_secret = "JBSWY3DPEHPK3PXP"
npis = ["1234567893"]
tins = ["123456789"]
[accounts.elm.address]
line1 = "9 OAK AVE"
city = "AUSTIN"
state = "TX"
zip = "787011234"
"""


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One configured account (the practice whose NPI/TIN/address the profiles take from settings)."""
    config = tmp_path / "connector.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("CONNECTOR_CONFIG", str(config))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("profile", sorted(SYSTEMS))
def test_pm_check_reads_the_fixture(profile: str, account: None) -> None:
    export, claims, lines = SYSTEMS[profile]
    code, out = invoke("pm", "check", str(FIXTURES / export), "--profile", profile)
    assert code == 0, out
    assert f"{claims} claims, {lines} lines" in out
    assert "no problems" in out and "billing_npi            account settings: practice_npi" in out


@pytest.mark.parametrize("profile", sorted(SYSTEMS))
def test_claims_scrub_reads_the_fixture(profile: str, account: None) -> None:
    export, claims, lines = SYSTEMS[profile]
    code, out = invoke("claims", "scrub", str(FIXTURES / export), "-p", profile, "--today", "2026-11-20")
    assert code == 0, out
    assert f"{claims} claims, {lines} lines, profile {profile}" in out


def test_desynpuf_absent_payer_holds_every_claim_with_the_reason(account: None) -> None:
    export = FIXTURES / SYSTEMS["desynpuf-carrier"][0]
    code, out = invoke("claims", "scrub", str(export), "-p", "desynpuf-carrier", "--today", "2026-11-20")
    assert code == 0, out
    assert "clean 0, held 3" in out and "FIELD-NOT-IN-EXPORT      3" in out
    assert "(its profile lists it under absent:): payer id" in out


def _era(claim: Claim, paid_share: str = "0.80") -> str:
    """A small balanced 835 paying ``claim``'s lines (REF*6R = the PM line ids)."""
    from decimal import Decimal

    share = Decimal(paid_share)
    body = ["BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261110",
            "TRN*1*EFT20261110*1512345678", "N1*PR*TEST PAYER", "N1*PE*ELM FAMILY PRACTICE*XX*1234567893",
            "LX*1", "CLP*{claim}*1*{charge}*{paid}**12*PAYER-{claim}"]  # fmt: skip
    charge = paid = Decimal(0)
    for line in claim.lines:
        line_paid = (line.charge * share).quantize(Decimal("0.01"))
        charge, paid = charge + line.charge, paid + line_paid
        day = line.service_date.strftime("%Y%m%d") if line.service_date else "20261001"
        body += [f"SVC*HC:{line.procedure_code}*{line.charge}*{line_paid}**{line.units}", f"DTM*472*{day}",
                 f"CAS*CO*45*{line.charge - line_paid}", f"REF*6R*{line.line_id}"]  # fmt: skip
    text = "~".join(body).format(total=paid, claim=claim.claim_id, charge=charge, paid=paid)
    segments = text.split("~")
    isa = ("ISA*00*          *00*          *ZZ*PAYER          *ZZ*ELM            *261110*1200*^*00501*"
           "000000001*0*P*:")  # fmt: skip
    st = ["ST*835*0001", *segments, f"SE*{len(segments) + 2}*0001"]
    return (
        "~".join([isa, "GS*HP*PAYER*ELM*20261110*1200*1*X*005010X221A1", *st, "GE*1*1", "IEA*1*000000001"])
        + "~"
    )


@pytest.mark.parametrize("profile", sorted(SYSTEMS))
def test_reconcile_reads_the_fixture_as_the_pm_side(profile: str, account: None, tmp_path: Path) -> None:
    export, claims, lines = SYSTEMS[profile]
    pm = read_export(FIXTURES / export, profile, practice=PRACTICE)
    (tmp_path / "eras").mkdir()
    (tmp_path / "eras" / "paid.835").write_text(_era(pm.claims[0]))
    out = tmp_path / "report.xlsx"
    code, output = invoke("reconcile", "--era", str(tmp_path / "eras"), "--pm", str(FIXTURES / export),
                          "--profile", profile, "--as-of", "2026-11-20", "--out", str(out))  # fmt: skip
    assert code == 0, output
    assert "Totals tie out." in output and "missing_era" in output  # the other claims have no ERA
    assert "era_not_in_pm" not in output and "charge_mismatch" not in output  # the paid claim matched the PM
    cells = [str(c) for ws in openpyxl.load_workbook(out).worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None]  # fmt: skip
    assert f"{export.split('/')[-1]} ({profile}, {claims} claims, {lines} lines)" in cells
    assert pm.claims[0].claim_id in cells
    assert pm.claims[0].lines[0].line_id in cells  # the ERA's lines matched the PM's by line id


def test_reconcile_needs_no_account_when_the_settings_fields_are_not_used(tmp_path: Path) -> None:
    """Reconciling does not use the billing provider: a from_settings profile reads without an account."""
    export, claims, lines = SYSTEMS["openemr"]
    pm = read_export(FIXTURES / export, "openemr", needs=frozenset({"claim_id", "line_charge", "line_id"}))
    assert len(pm.claims) == claims and pm.line_count == lines and pm.claims[0].billing.npi == ""
