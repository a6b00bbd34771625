"""`connector reconcile` from files alone: ERAs folder, PM export, bank CSV -> report.xlsx."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from connector.cli import app


def test_reconcile_command_writes_the_report(sandbox_case: Any, tmp_path: Path) -> None:
    case = sandbox_case(7, 40, "csv")
    out = tmp_path / "reports" / "report.xlsx"
    args = ["reconcile", "--era", str(case.folder / "eras"), "--pm", str(case.folder / "pm-export.xlsx"),
            "--bank", str(case.bank_csv), "--as-of", case.as_of.isoformat(), "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Totals tie out." in result.output
    assert out.is_file() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700  # created for the report: private
    assert not list(out.parent.glob(".*.part"))


def test_reconcile_command_rejects_a_missing_era_path(tmp_path: Path) -> None:
    pm = tmp_path / "pm.csv"
    pm.write_text("claim_id\n")
    result = CliRunner().invoke(app, ["reconcile", "--era", str(tmp_path / "nope"), "--pm", str(pm),
                                      "--out", str(tmp_path / "r.xlsx")])  # fmt: skip
    assert result.exit_code == 2
    assert "no such ERA" in " ".join(result.output.split()).replace(" \n", " ")
    assert not (tmp_path / "r.xlsx").exists()


def test_reconcile_with_scrub_adds_exceptions_and_clean_claim_rate(sandbox_case: Any, tmp_path: Path) -> None:
    import csv

    from openpyxl import load_workbook

    case = sandbox_case(7, 40, "csv")
    rows = list(csv.DictReader((case.folder / "pm-export.csv").open(encoding="utf-8")))
    bad_claim = rows[0]["claim_id"]
    for row in rows:
        if row["claim_id"] == bad_claim:
            row["billing_npi"] = "1234567890"  # fails the NPI check digit
    pm = tmp_path / "pm.csv"
    with pm.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "report.xlsx"
    args = ["reconcile", "--era", str(case.folder / "eras"), "--pm", str(pm),
            "--as-of", case.as_of.isoformat(), "--out", str(out), "--scrub"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    exceptions = [[c.value for c in row] for row in book["Scrub exceptions"].iter_rows(min_row=2)]
    assert exceptions and all(row[0] == bad_claim for row in exceptions)
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row[0].value}
    claims = len({row["claim_id"] for row in rows})
    assert summary["Clean claim rate"] == round((claims - 1) * 100 / claims, 2)


def test_one_broken_era_never_blocks_the_rest(sandbox_case: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from connector.cli.reconcile_cmd import EXIT_WRITTEN_WITH_PROBLEMS

    case = sandbox_case(7, 40, "csv")
    eras = tmp_path / "eras"
    eras.mkdir()
    good = sorted((case.folder / "eras").glob("*.835"))
    for path in good[1:]:
        (eras / path.name).write_bytes(path.read_bytes())
    first = good[0].read_bytes()
    (eras / "off-by-one.835").write_bytes(
        first.replace(b"SE*", b"SE*9", 1).replace(b"ISA*", b"Mail header\nISA*", 1)
    )
    (eras / "truncated.835").write_bytes(first[: first.rfind(b"GE*")])
    out = tmp_path / "report.xlsx"
    args = ["reconcile", "--era", str(eras), "--pm", str(case.folder / "pm-export.csv"),
            "--as-of", case.as_of.isoformat(), "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_WRITTEN_WITH_PROBLEMS == 3, result.output
    assert out.is_file() and "truncated.835" in result.output
    book = load_workbook(out)
    unread = [[c.value for c in row] for row in book["Files not read"].iter_rows(min_row=2)]
    assert len(unread) == 1 and unread[0][0].endswith("truncated.835") and "IEA" in unread[0][1]
    summary = [str(c.value) for row in book["Summary"].iter_rows() for c in row if c.value]
    assert any("truncated.835" in text for text in summary)
    findings = [[c.value for c in row] for row in book["ERA findings"].iter_rows(min_row=2)]
    assert {row[3] for row in findings} >= {"envelope", "layout"}
    # the off-by-one file (the first ERA with a wrong SE01 and a mail header) was read and tied out
    assert "Totals tie out." in result.output
