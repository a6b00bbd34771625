"""Hostile-world fixtures: workbook bombs, and the shared sandbox, browser and webhook of the other suites."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.flows.conftest import browser, context  # noqa: F401  (one Chromium per test session)
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
