"""`connector x12 inspect` and `connector x12 validate`: output, JSON form and exit codes on real files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from connector.cli import app
from connector.x12 import ControlNumbers, write_835, write_837

from .factories import claim_batch
from .test_balance import small_remittance

runner = CliRunner()


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    good = tmp_path / "good.835"
    good.write_bytes(write_835(small_remittance(), control=ControlNumbers(interchange=5, group=6)))
    unbalanced_model = small_remittance()
    unbalanced_model.payment_amount += 1
    unbalanced = tmp_path / "unbalanced.835"
    unbalanced.write_bytes(write_835(unbalanced_model, control=ControlNumbers(interchange=7, group=8)))
    broken = tmp_path / "broken.835"
    broken.write_bytes(good.read_bytes().replace(b"SE*13*", b"SE*12*"))
    return good, unbalanced, broken


def test_inspect_json_form(tmp_path: Path) -> None:
    good, unbalanced, _ = _files(tmp_path)
    result = runner.invoke(app, ["x12", "inspect", "--json", str(good), str(unbalanced)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema"] == "connector.x12.inspect/1"
    first, second = doc["files"]
    txn = first["transactions"][0]
    assert first["ok"] and txn["type"] == "835" and txn["interchange_control_number"] == "000000005"
    assert (txn["bpr02"], txn["claim_count"], txn["sum_clp04"], txn["sum_plb"]) == ("65.25", 2, "80", "14.75")
    assert txn["balanced"] is True and txn["findings"] == []
    assert txn["payment_number"] == "EFT1" and txn["payment_date"] == "2026-05-01"
    finding = second["transactions"][0]["findings"][0]
    assert finding["level"] == "transaction" and finding["difference"] == "1.00"


def test_inspect_envelope_fault_is_a_finding_and_strict_names_the_segment(tmp_path: Path) -> None:
    good, _, broken = _files(tmp_path)
    result = runner.invoke(app, ["x12", "inspect", str(good), str(broken)])
    assert result.exit_code == 0, result.output
    assert "broken.835: 1 transaction set(s)" in result.stdout
    assert "finding [envelope]" in result.stdout and "SE01 says 12 segments, counted 13" in result.stdout
    strict = runner.invoke(app, ["x12", "inspect", "--strict", str(good), str(broken)])
    assert strict.exit_code == 1
    assert "good.835: 1 transaction set(s)" in strict.stdout
    assert "broken.835: MALFORMED" in strict.output and "SE01" in strict.output
    as_json = runner.invoke(app, ["x12", "inspect", "--json", "--strict", str(broken)])
    assert as_json.exit_code == 1
    error = json.loads(as_json.stdout)["files"][0]["error"]
    assert error["segment_id"] == "SE" and error["element"] == "SE01" and error["offset"] > 0


def test_inspect_unreadable_file_exits_1(tmp_path: Path) -> None:
    good, _, _ = _files(tmp_path)
    truncated = tmp_path / "truncated.835"
    truncated.write_bytes(good.read_bytes().split(b"GE*")[0])
    result = runner.invoke(app, ["x12", "inspect", "--json", str(truncated)])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["error"]["segment_id"] == "IEA"


def test_inspect_samples(samples: list[object]) -> None:
    paths = [str(s.path) for s in samples if s.kind in ("835", "999", "277CA", "277") and not s.malformed]  # type: ignore[attr-defined]
    result = runner.invoke(app, ["x12", "inspect", "--json", *paths])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(paths) and all(f["ok"] for f in files)


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = tmp_path / "claims.837"
    good.write_bytes(
        write_837(claim_batch("professional", 3), control=ControlNumbers(interchange=1, group=1))
    )
    bad = tmp_path / "bad.837"
    bad.write_bytes(
        good.read_bytes().replace(b"NM1*85*2*SPRINGFIELD FAMILY PRACTICE*****XX*1234567893~\n", b"")
    )
    ok = runner.invoke(app, ["x12", "validate", str(good)])
    assert ok.exit_code == 0 and "claims.837: OK (0 warning(s))" in ok.stdout
    failed = runner.invoke(app, ["x12", "validate", str(good), str(bad)])
    assert failed.exit_code == 1
    assert "bad.837: INVALID" in failed.output
