"""`connector claims scrub` and `claims rules` on the fixtures: exit codes, summary, JSON and XLSX output."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from connector.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_scrub_prints_summary_and_exits_0_with_findings() -> None:
    code, out = run("claims", "scrub", str(FIXTURES / "generic_sample.csv"), "--today", "2026-11-20")
    assert code == 0, out
    assert "4 claims, 6 lines" in out and "clean claim rate 75.0%" in out
    assert "claim C1003 line C1003-1 (row 7): Place of service is not on the CMS list" in out


def test_scrub_json_output(tmp_path: Path) -> None:
    out_file = tmp_path / "scrub.json"
    code, out = run(
        "claims", "scrub", str(FIXTURES / "clinicsuite_sample.csv"), "-p", "clinicsuite",
        "--today", "2026-11-20", "--out", str(out_file),
    )  # fmt: skip
    assert code == 0, out
    data = json.loads(out_file.read_text())
    assert data["summary"]["claims"] == 3 and data["summary"]["held_claims"] == 1
    verdicts = {c["claim_id"]: c["verdict"] for c in data["claims"]}
    assert verdicts == {"K-1": "clean", "K-2": "held", "K-3": "clean"}
    rules = {f["rule"] for c in data["claims"] for f in c["findings"]}
    assert rules == {"UNITS-POSITIVE", "DXPTR-INVALID"}
    assert out_file.stat().st_mode & 0o777 == 0o600


def test_scrub_xlsx_output_keeps_formula_text_as_text(tmp_path: Path) -> None:
    out_file = tmp_path / "scrub.xlsx"
    code, out = run(
        "claims", "scrub", str(FIXTURES / "officeledger_sample.xlsx"), "--profile", "officeledger",
        "--today", "2026-11-20", "-o", str(out_file),
    )  # fmt: skip
    assert code == 0, out
    book = openpyxl.load_workbook(out_file)
    assert book.sheetnames == ["Summary", "Findings", "Held claims"]
    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0] == ("claim_id", "line_id", "row", "severity", "rule", "field", "message")
    assert {r[4] for r in findings[1:]} == {"MOD-26-TC", "FREQ-ORIGINAL-MISSING"}
    held = list(book["Held claims"].iter_rows(values_only=True))
    assert held[1][0] == "E-5002" and held[1][1] == 2


def test_scrub_unreadable_export_exits_2_naming_row_and_column() -> None:
    code, out = run("claims", "scrub", str(FIXTURES / "bad_date.csv"))
    assert code == 2
    assert "bad_date.csv, row 4, column service_date" in out
    code, _ = run("claims", "scrub", str(FIXTURES / "does_not_exist.csv"))
    assert code == 2
    code, out = run("claims", "scrub", str(FIXTURES / "generic_sample.csv"), "--profile", "nope")
    assert code == 2 and "not found" in out


def test_rules_lists_every_rule() -> None:
    from connector.scrub import RULES

    code, out = run("claims", "rules")
    assert code == 0
    assert all(rule_id in out for rule_id in RULES)
