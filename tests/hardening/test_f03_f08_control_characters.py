"""Findings 3 and 8: control characters in claim ids are held, refused by every X12 writer, reported by
`x12 validate`; and every message that shows input shows it escaped, never raw."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.claims.plan import plan_batches
from connector.cli import app
from connector.errors import InputError, PMExportError, X12ParseError
from connector.logging import RedactingFilter
from connector.pm.reader import read_export
from connector.scrub import ScrubContext, scrub
from connector.x12 import ControlNumbers, Submitter, validate_837, write_837
from tests.hardening.conftest import FIXTURES

HOSTILE_IDS = {
    "C1001": "C1\x1b[2J001",  # ESC: clears the screen of whoever prints it
    "C1002": "C10\r\nNM1*PR",  # CR/LF and a delimiter: a new segment in the 837
    "C1003": "C10\x0003",  # NUL
    "H2001": "H20\u202e01",  # right-to-left override
}
RAW = ("\x1b", "\r", "\x00", "\u202e")


def hostile_export(tmp_path: Path) -> Path:
    text = (FIXTURES / "generic_sample.csv").read_text()
    for clean, hostile in HOSTILE_IDS.items():
        text = text.replace(f"\n{clean},", f'\n"{hostile}",')
    target = tmp_path / "hostile-ids.csv"
    target.write_text(text, newline="")
    return target


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in this process (Typer's runner), as a completed process: exit code, stdout, stderr."""
    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


@pytest.mark.finding(3)
def test_scrub_holds_claims_whose_id_has_control_characters(tmp_path: Path) -> None:
    export = read_export(hostile_export(tmp_path))
    assert sorted(c.claim_id for c in export.claims) == sorted(HOSTILE_IDS.values())
    report = scrub(export.claims, ScrubContext(today=dt.date(2026, 11, 20)))
    held = {f.claim_id: f.message for f in report.findings if f.rule_id == "CLAIM-ID-CHARACTERS"}
    assert set(held) == set(HOSTILE_IDS.values())
    assert "ESC (U+001B) at position 3" in held["C1\x1b[2J001"]
    assert "CR (U+000D)" in held["C10\r\nNM1*PR"]
    assert "NUL (U+0000)" in held["C10\x0003"]
    assert "RIGHT-TO-LEFT OVERRIDE (U+202E)" in held["H20\u202e01"]
    assert report.clean_claims == ()


@pytest.mark.finding(3)
def test_every_x12_writer_refuses_control_characters() -> None:
    claims = read_export(FIXTURES / "generic_sample.csv").claims
    submitter = Submitter(name="ELM", id="123456789", contact_phone="5125550100")
    control = ControlNumbers(interchange=7, group=7, sender_id="123456789")
    (plan, *_) = plan_batches([claims[0]], submitter)
    for bad in ("C1\x1b[2J", "C1\x00", "C1\u202e", "C1\nX"):
        plan.batch.claims[0].claim_id = bad
        with pytest.raises(InputError, match=r"CLM01: value contains|CLM01: value contains an X12 delimiter"):
            write_837(plan.batch, control=control)
    plan.batch.claims[0].claim_id = "C1001"
    with pytest.raises(InputError, match="ISA sender id: value contains the control character ESC"):
        write_837(plan.batch, control=ControlNumbers(interchange=7, group=7, sender_id="12\x1b34"))


@pytest.mark.finding(3)
def test_claims_build_holds_them_and_validate_reports_them(tmp_path: Path) -> None:
    done = run_cli("claims", "build", str(hostile_export(tmp_path)), "--out", "b.837", cwd=tmp_path)
    assert "Traceback" not in done.stderr
    out = done.stdout + done.stderr
    assert not any(ch in out for ch in RAW), "a control character from the export was printed raw"
    assert "\\x1b[2J" in out and "\\u202e" in out
    assert not (tmp_path / "b.837").exists()  # nothing clean to send: no file
    # an 837 written elsewhere with ESC in CLM01: validate says INVALID and names it, escaped
    claims = read_export(FIXTURES / "generic_sample.csv").claims
    (plan, *_) = plan_batches([claims[0]], Submitter(name="ELM", id="123456789", contact_phone="5125550100"))
    good = write_837(plan.batch, control=ControlNumbers(interchange=7, group=7, sender_id="123456789"))
    assert validate_837(good) is not None
    bad = good.replace(b"CLM*C1001*", b"CLM*C1\x1b[31m001*")
    with pytest.raises(X12ParseError, match=r"CLM01.*ESC \(U\+001B\) at position 3"):
        validate_837(bad)
    (tmp_path / "esc.837").write_bytes(bad)
    done = run_cli("x12", "validate", "esc.837", cwd=tmp_path)
    assert done.returncode == 1 and "INVALID" in done.stderr and "ESC (U+001B)" in done.stderr
    assert "\x1b" not in done.stdout + done.stderr


@pytest.mark.finding(8)
def test_messages_quote_input_bytes_safely(tmp_path: Path) -> None:
    (tmp_path / "esc.835").write_bytes(b"\x1b[2JISA*00*")
    done = run_cli("x12", "inspect", "esc.835", cwd=tmp_path)
    assert done.returncode == 1 and "MALFORMED" in done.stderr
    assert "\x1b" not in done.stderr and "\\x1b[2" in done.stderr
    bad_amount = (FIXTURES / "bad_amount.csv").read_text().replace('"25,OO"', '"2\x1b]0;pwned\x07"')
    (tmp_path / "amount.csv").write_text(bad_amount)
    with pytest.raises(PMExportError) as caught:
        read_export(tmp_path / "amount.csv")
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)
    done = run_cli("claims", "scrub", "amount.csv", cwd=tmp_path)
    assert done.returncode == 2 and "\\x1b]0;pwned\\x07" in done.stderr and "\x1b" not in done.stderr
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "file %s", ("a\x1b[2Jb",), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "file a\\x1b[2Jb"
