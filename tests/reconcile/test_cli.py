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
    assert not list(out.parent.glob(".*.part"))


def test_reconcile_command_rejects_a_missing_era_path(tmp_path: Path) -> None:
    pm = tmp_path / "pm.csv"
    pm.write_text("claim_id\n")
    result = CliRunner().invoke(app, ["reconcile", "--era", str(tmp_path / "nope"), "--pm", str(pm),
                                      "--out", str(tmp_path / "r.xlsx")])  # fmt: skip
    assert result.exit_code == 2
    assert "no such ERA" in " ".join(result.output.split()).replace(" \n", " ")
    assert not (tmp_path / "r.xlsx").exists()
