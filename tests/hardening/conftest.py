"""Hostile-world fixtures: workbook bombs, and the shared sandbox, browser and webhook of the other suites."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connector.ops.incidents import StoreIncidentLog
from connector.ops.notify import Notifier
from connector.settings import ConnectorSettings, PortalAccount
from tests.ops.conftest import webhook  # noqa: F401

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
SHEET = "xl/worksheets/sheet1.xml"


def padded_workbook(target: Path, inflated_bytes: int, filler: bytes) -> Path:
    """The generic sample workbook with its first sheet padded with ``filler`` to ``inflated_bytes``."""
    source = FIXTURES / "generic_sample.xlsx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename != SHEET:
                out.writestr(info.filename, data)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            with out.open(SHEET, "w", force_zip64=True) as member:
                member.write(head)
                chunk = filler * max(1, (1 << 20) // len(filler))
                written = len(head)
                while written < inflated_bytes:
                    member.write(chunk)
                    written += len(chunk)
                member.write(b"</sheetData>" + tail)
    return target


@pytest.fixture(scope="session")
def row_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few MB on disk, a sheet of 1 GiB of ``<row>`` elements when inflated (finding 1)."""
    row = b'<row r="9"><c r="A9" t="inlineStr"><is><t>x</t></is></c></row>'
    return padded_workbook(tmp_path_factory.mktemp("bomb") / "charges-bomb.xlsx", 1 << 30, row)


@pytest.fixture(scope="session")
def space_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook padded with 60 MB of spaces: under the size limits, but it inflates about 1000 times."""
    return padded_workbook(tmp_path_factory.mktemp("spaces") / "charges-spaces.xlsx", 60_000_000, b" ")


def account_settings(sandbox: Any, tmp_path: Path, sink: Any, **account: Any) -> ConnectorSettings:
    """Settings for one account ``prairie`` on the sandbox (its credentials unless overridden), alerts to
    the webhook ``sink``."""
    values: dict[str, Any] = {
        "practice_name": "Prairie Family Medicine",
        "portal": "sandbox-v1",
        "base_url": sandbox.base_url,
        "username": sandbox.username,
        "password": SecretStr(sandbox.password),
        "totp_secret": SecretStr(sandbox.totp_secret),
        **account,
    }
    return ConnectorSettings(
        accounts={"prairie": PortalAccount(**values)},
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        notify_urls=[SecretStr(sink.apprise_url)],
    )


def notifier_for(settings: ConnectorSettings) -> Notifier:
    """A notifier that remembers incidents in the settings' store (as the scheduler's)."""
    return Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))


def admin_state(sandbox: Any) -> dict[str, Any]:
    """The sandbox's counters (sign-ins, refused passwords and codes, lock)."""
    return dict(httpx.get(f"{sandbox.base_url}/__admin/state").json())
