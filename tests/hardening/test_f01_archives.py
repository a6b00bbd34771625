"""Finding 1: an XLSX decompression bomb is refused with one line naming the file, never read.

On the code before the fix the 1 GiB bomb made python-calamine try a 30 GB allocation (SIGABRT, exit 134).
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from connector.cli import app
from connector.errors import ArchiveRefused, InputError, PMExportError
from connector.ops.cycle import run_cycle
from connector.ops.incidents import StoreIncidentLog
from connector.ops.notify import Notifier
from connector.pm.reader import read_export
from connector.settings import ArchiveLimits, ConnectorSettings, PortalAccount
from connector.zipguard import check_zip
from tests.hardening.conftest import FIXTURES

pytestmark = pytest.mark.finding(1)


def test_row_bomb_is_refused_at_once_naming_the_file(row_bomb: Path) -> None:
    assert row_bomb.stat().st_size < 8_000_000  # a few MB on disk
    started = time.monotonic()
    with pytest.raises(ArchiveRefused) as caught:
        read_export(row_bomb)
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert message.startswith("charges-bomb.xlsx: refused") and "\n" not in message
    assert "xl/worksheets/sheet1.xml" in message and "limit 200 MB" in message
    assert isinstance(caught.value, InputError)  # every caller that handles a bad input handles this one


def test_space_padded_workbook_is_refused_for_its_ratio(space_bomb: Path) -> None:
    with pytest.raises(ArchiveRefused, match=r"charges-spaces\.xlsx: refused.*inflates [\d,]+ times"):
        read_export(space_bomb)


def test_limits_are_settings(space_bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert check_zip(space_bomb, ArchiveLimits(max_ratio=5000)) > 60_000_000  # a looser limit lets it by
    monkeypatch.setenv("CONNECTOR_ARCHIVE_LIMITS__MAX_TOTAL_MB", "0.001")
    with pytest.raises(ArchiveRefused, match=r"archive_limits\.max_total_mb"):
        read_export(FIXTURES / "generic_sample.xlsx")  # the file-only commands read the limit on their own
    assert ConnectorSettings().archive_limits.max_total_mb == 0.001


def test_too_many_members_and_not_a_zip(tmp_path: Path) -> None:
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for n in range(30):
            archive.writestr(f"part{n}.xml", b"<x/>")
    with pytest.raises(ArchiveRefused, match="holds 30 files"):
        check_zip(many, ArchiveLimits(max_members=20), what="XLSX workbook")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"Name,Amount\n")
    with pytest.raises(PMExportError, match=r"fake\.xlsx: not a readable XLSX workbook"):
        read_export(fake)


def test_ordinary_workbooks_pass() -> None:
    for name in ("generic_sample.xlsx", "formula_cells.xlsx", "officeledger_sample.xlsx"):
        check_zip(FIXTURES / name)


def test_reconcile_command_refuses_the_bomb_in_one_line(row_bomb: Path, tmp_path: Path) -> None:
    (tmp_path / "eras").mkdir()
    args = ["reconcile", "--era", "eras", "--pm", str(row_bomb), "--out", "r.xlsx"]
    done = subprocess.run(  # its own process: before the fix the reader died with SIGABRT (exit 134)
        [sys.executable, "-m", "connector.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-1500:])
    assert "Traceback" not in done.stderr and "charges-bomb.xlsx: refused" in done.stderr
    assert not (tmp_path / "r.xlsx").exists()


def test_claims_build_refuses_the_bomb_in_one_line(row_bomb: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["claims", "build", str(row_bomb), "--out", str(tmp_path / "b.837")])
    assert result.exit_code == 2 and "charges-bomb.xlsx: refused" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "b.837").exists()


async def test_scheduled_reconcile_records_the_refusal_and_alerts_once(
    row_bomb: Path, tmp_path: Path, webhook: Any
) -> None:
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        base_url="http://127.0.0.1:9",
        username="u",
        password=SecretStr("p"),
        totp_secret=SecretStr("JBSWY3DPEHPK3PXP"),
        pm_export=row_bomb,
    )
    settings = ConnectorSettings(
        accounts={"prairie": account},
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        notify_urls=[SecretStr(webhook.apprise_url)],
    )
    notifier = Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    for _ in range(2):
        outcome = await run_cycle("prairie", settings, notifier=notifier, jobs=("reconcile",))
        result = outcome.results[-1]
        assert (result.outcome, result.error_class) == ("FAILED", "ArchiveRefused")
        assert result.run_id is not None and "charges-bomb.xlsx: refused" in (result.error_message or "")
    assert [m["type"] for m in webhook.messages] == ["failure"]
    assert "charges-bomb.xlsx" in webhook.messages[0]["message"]
    assert not (tmp_path / "data" / "reports").exists()
