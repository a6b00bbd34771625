"""The sandbox generator's PM export: read by the generic profile, clean until errors are planted, builds."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.claims.scrub_tables import load_scrub_settings
from connector.cli import app
from connector.pm.reader import read_export
from connector.sandbox.exports import ExportPaths, write_exports
from connector.sandbox.generator import DEFAULT_AS_OF, generate
from connector.scrub import ScrubContext, scrub
from connector.scrub.registry import submitted_keys

runner = CliRunner()


@pytest.fixture(scope="module")
def sandbox_export(tmp_path_factory: pytest.TempPathFactory) -> ExportPaths:
    return write_exports(generate(), tmp_path_factory.mktemp("sandbox"))


def scrub_file(path: Path) -> tuple[int, dict[str, set[str]]]:
    export = read_export(path)
    ctx = ScrubContext(
        today=DEFAULT_AS_OF, settings=load_scrub_settings(), already_submitted=submitted_keys(export.claims)
    )
    report = scrub(export.claims, ctx)
    errors: dict[str, set[str]] = {}
    for f in report.findings:
        if f.severity == "error":
            errors.setdefault(f.claim_id, set()).add(f.rule_id)
    return len(export.claims), errors


def test_sandbox_export_scrubs_clean(sandbox_export: ExportPaths) -> None:
    for path in (sandbox_export.pm_csv, sandbox_export.pm_xlsx):
        count, errors = scrub_file(path)
        assert count > 100
        assert errors == {}, path.name


def test_planted_errors_are_exactly_what_fires(sandbox_export: ExportPaths, tmp_path: Path) -> None:
    with sandbox_export.pm_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    claim_ids = list(dict.fromkeys(r[col["claim_id"]] for r in body))
    plants = {
        claim_ids[3]: ("billing_npi", "1234567890", "NPI-BILLING"),
        claim_ids[10]: ("place_of_service", "98", "POS-INVALID"),
        claim_ids[20]: ("procedure_code", "9921", "PROC-FORMAT"),
        claim_ids[30]: ("frequency_code", "7", "FREQ-ORIGINAL-MISSING"),
        claim_ids[40]: ("service_date", (DEFAULT_AS_OF + dt.timedelta(days=3)).isoformat(), "DOS-FUTURE"),
        claim_ids[50]: ("member_id", "", "MEMBER-ID-MISSING"),
    }
    for row in body:
        plant = plants.get(row[col["claim_id"]])
        if plant:
            row[col[plant[0]]] = plant[1]
    path = tmp_path / "planted.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    _, errors = scrub_file(path)
    assert errors == {claim_id: {rule} for claim_id, (_, _, rule) in plants.items()}


def test_sandbox_export_builds_a_valid_837(
    sandbox_export: ExportPaths, tmp_path: Path, pyx12_errors: Callable[[bytes], list[str]]
) -> None:
    base = ["claims", "build", str(sandbox_export.pm_xlsx), "--today", DEFAULT_AS_OF.isoformat()]
    base += ["--database-url", f"sqlite:///{tmp_path / 'c.db'}", "--contact-email", "billing@example.org"]
    result = runner.invoke(app, [*base, "--out", str(tmp_path / "skip.837")])
    assert result.exit_code == 0, result.output
    assert "no 837 written" in result.output and "already submitted" in result.output
    assert not (tmp_path / "skip.837").exists()
    result = runner.invoke(app, [*base, "--out", str(tmp_path / "all.837"), "--include-submitted"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "all.837").read_bytes()
    assert pyx12_errors(data) == []
    text = data.decode()
    count, _ = scrub_file(sandbox_export.pm_xlsx)
    assert text.count("\nCLM*") == count
    export = read_export(sandbox_export.pm_xlsx)
    assert text.count("\nREF*6R*") == export.line_count
