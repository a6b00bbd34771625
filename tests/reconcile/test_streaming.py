"""The streamed report equals the reference: every cell of every sheet, on sandbox data and hostile text.

The reference is the report table as it was written before rows were serialised as text and spliced into the
sheet (one lxml element per cell, through openpyxl's write-only stream); it is kept here, only as the
yardstick. Values, types, styles, number formats, quote prefixes, panes, filters and widths must match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.functions import Element, SubElement

from connector.reconcile import read_bank_csv
from connector.report import sheets, summary, write_report
from connector.report.styles import DATE, HEADER, MONEY, QUOTED, category_style
from connector.report.table import (
    _EPOCH,
    _EPOCH_TIME,
    _STYLE_OF,
    Column,
    _number,
    clean_text,
    is_risky,
    landscape,
    style_index,
)
from tests.reconcile.book import reconcile

_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", "\x00=1+1",
           " lead", "trail ", "a & b < c > d", "line\r\nbreak", "tab\tin", "caf\u00e9 \u2013 \U0001f600",
           "\x85x\ud800"]  # fmt: skip


class ReferenceTable:
    """The report table as written before the spliced rows: one lxml element per row and cell."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column]) -> None:
        sheet = book.create_sheet(title)
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        self.columns = tuple(columns)
        self.rows = 0
        self._row = 1
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
            if column.hidden:
                sheet.column_dimensions[get_column_letter(index)].hidden = True
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        landscape(sheet)
        self._letters = [get_column_letter(i) for i in range(1, len(self.columns) + 1)]
        self._kinds = [c.kind for c in self.columns]
        self._typed = [style_index(sheet, _STYLE_OF[k]) if k in _STYLE_OF else "" for k in self._kinds]
        self._quoted = style_index(sheet, QUOTED, quote=True)
        self._header = style_index(sheet, HEADER)
        self._fills: dict[str, str] = {}
        sheet._get_writer()
        sheet._values_to_row = lambda row, _index: row
        sheet._writer.write_row = lambda xf, row, _index: xf.write(row[0])

    def header(self) -> None:
        """The header row (bold, filled)."""
        self._emit([(c.header, "s", self._header) for c in self.columns])

    def append(self, values: Sequence[object]) -> None:
        """One data row; None and "" leave the cell empty."""
        cells: list[tuple[str, str, str] | None] = []
        for index, value in enumerate(values):
            if value is None or value == "":
                cells.append(None)
            elif isinstance(value, str):
                text = clean_text(value)
                if is_risky(text):
                    cells.append((text, "s", self._quoted))
                elif self._kinds[index] == "category":
                    cells.append((text, "s", self._fill(text)))
                else:
                    cells.append((text, "s", ""))
            elif isinstance(value, bool):
                cells.append(("1" if value else "0", "b", ""))
            elif isinstance(value, dt.datetime):
                serial = (value - _EPOCH_TIME).total_seconds() / 86400
                cells.append((repr(serial), "n", self._typed[index]))
            elif isinstance(value, dt.date):
                cells.append((str(value.toordinal() - _EPOCH), "n", self._typed[index]))
            elif isinstance(value, Decimal | int | float):
                number = _number(value)
                cells.append((number, "n", self._typed[index]) if number else None)
            else:
                cells.append((clean_text(str(value)), "s", ""))
        self._emit(cells)
        self.rows += 1

    def close(self) -> None:
        """Autofilter over the header and the data rows."""
        last = self._letters[-1] if self._letters else "A"
        self.sheet.auto_filter.ref = f"A1:{last}{1 + max(self.rows, 1)}"

    def _fill(self, text: str) -> str:
        style = self._fills.get(text)
        if style is None:
            name = category_style(text)
            style = self._fills[text] = style_index(self.sheet, name) if name else ""
        return style

    def _emit(self, cells: Sequence[tuple[str, str, str] | None]) -> None:
        number = str(self._row)
        row = Element("row", r=number)
        letters = self._letters
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            text, kind, style = cell
            attrs = {"r": letters[index] + number}
            if style:
                attrs["s"] = style
            if kind == "s":
                attrs["t"] = "inlineStr"
                holder = SubElement(SubElement(row, "c", attrs), "is")
                node = SubElement(holder, "t")
                if text != text.strip():
                    node.set(_SPACE, "preserve")
                node.text = text
            else:
                if kind == "b":
                    attrs["t"] = "b"
                SubElement(SubElement(row, "c", attrs), "v").text = text
        self.sheet.append((row,))
        self._row += 1


class ReferenceSummarySheet:
    """The Summary sheet's row writer as it was before its rows were serialised as text: openpyxl cells."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.row = 0

    def put(self, *values: object, styles: Sequence[str | None] = ()) -> int:
        cells: list[object] = []
        for index, value in enumerate(values):
            style = styles[index] if index < len(styles) else None
            if isinstance(value, str):
                value = clean_text(value)
            if style is None and isinstance(value, dt.date):
                style = DATE
            if style is None and isinstance(value, Decimal):
                style = MONEY
            risky = isinstance(value, str) and is_risky(value)
            if style is None and not risky:
                cells.append(value)
                continue
            cell = WriteOnlyCell(self.sheet, value)
            if risky:
                cell.data_type = "s"
                cell.quotePrefix = True
            if style:
                cell.style = style
            cells.append(cell)
        self.sheet.append(cells)
        self.row += 1
        return self.row

    def heading(self, *titles: str) -> int:
        return self.put(*titles, styles=[HEADER] * len(titles))

    def gap(self) -> None:
        self.put()

    def pad(self, last_row: int) -> None:
        self.gap()
        while self.row < last_row:
            self.gap()

    def close(self) -> None:
        pass


def _cells(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    out: dict[str, Any] = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        out[f"{sheet.title}/layout"] = (
            sheet.freeze_panes, sheet.auto_filter.ref, sheet.print_title_rows,
            {k: (d.width, d.hidden) for k, d in sheet.column_dimensions.items()},
        )  # fmt: skip
        out[sheet.title] = [
            [(c.value, c.data_type, c.style, c.number_format, c.quotePrefix, c.font.b, c.fill.fgColor.rgb)
             for c in row]
            for row in sheet.iter_rows()
        ]  # fmt: skip
    return out


@pytest.fixture(scope="module")
def sandbox_result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from connector.pm.reader import read_export
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import read_835

    data = generate(seed=17, payments=150)
    folder = tmp_path_factory.mktemp("streaming")
    paths = exports.write_exports(data, folder)
    remittances = [r for p in data.payments for r in read_835(era.era_bytes(data, p))]
    claims = read_export(paths.pm_csv, "generic").claims
    deposits = read_bank_csv(paths.bank_csv.read_text())
    return reconcile(remittances, claims, as_of=data.as_of, deposits=deposits, inputs={"PM export": "pm.csv"})


def test_every_cell_of_every_sheet_equals_the_reference(
    sandbox_result: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = {
        "Hostile text": [{"text": t, "amount": Decimal("-1.50"), "day": dt.date(2026, 2, 3),
                          "at": dt.datetime(2026, 2, 3, 12, 30), "flag": i % 2 == 0, "n": i,
                          "ratio": 0.25 * i} for i, t in enumerate(HOSTILE)],
        "Empty": [],
    }  # fmt: skip
    assert len(sandbox_result.claims) > 500 and len(sandbox_result.lines) > 800
    inputs = {**sandbox_result.inputs, **{f"input {i}": text for i, text in enumerate(HOSTILE)}}
    result = dataclasses.replace(sandbox_result, inputs=inputs)  # hostile text on the Summary too
    streamed = write_report(result, tmp_path / "streamed.xlsx", extra=extra)
    monkeypatch.setattr(sheets, "Table", ReferenceTable)
    monkeypatch.setattr(summary, "_Sheet", ReferenceSummarySheet)
    reference = write_report(result, tmp_path / "reference.xlsx", extra=extra)
    ours, theirs = _cells(streamed), _cells(reference)
    assert ours["sheets"] == theirs["sheets"]
    for name in theirs:
        assert ours[name] == theirs[name], name
    hostile = [row[0][0] for row in ours["Hostile text"][1:]]
    assert hostile[0] == HOSTILE[0] and hostile[8] == "trail " and "\r" in hostile[10]
