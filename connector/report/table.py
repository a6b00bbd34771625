"""A streaming table on a write-only sheet: typed columns, shared styles, safe text, frozen header, filter.

openpyxl owns the workbook, the named styles, the sheet (widths, panes, autofilter) and the packaging; the
data rows are serialised here straight into the sheet's XML stream, one ``<row>`` element at a time, with the
style index of each shared named style computed once (openpyxl's per-cell objects cost ~3× more).

Text that starts with ``= + - @``, tab or CR is written as a text cell with a quote prefix, never a formula;
characters an XLSX cannot hold (C0/C1 controls except tab, LF, CR; lone surrogates) are stripped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.xml.functions import Element, SubElement  # type: ignore[import-untyped]

from connector.report.styles import DATE, HEADER, MONEY, NUMBER, PERCENT, QUOTED, category_style

Kind = Literal["text", "money", "date", "number", "percent", "category"]
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RISKY_START = frozenset("=+-@\t\r")
_STYLE_OF: dict[str, str] = {"money": MONEY, "date": DATE, "number": NUMBER, "percent": PERCENT}
_EPOCH = dt.date(1899, 12, 30).toordinal()
_EPOCH_TIME = dt.datetime(1899, 12, 30)
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def clean_text(value: str) -> str:
    """Strip characters an XLSX cannot hold (C0/C1 controls except tab, LF, CR; lone surrogates)."""
    return _ILLEGAL.sub("", value) if _ILLEGAL.search(value) else value


def is_risky(text: str) -> bool:
    """Text a spreadsheet could take for a formula (OWASP CSV/formula injection)."""
    return bool(text) and text[0] in _RISKY_START


def landscape(sheet: WriteOnlyWorksheet) -> None:
    """Print landscape, one page wide."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def style_index(sheet: WriteOnlyWorksheet, name: str, *, quote: bool = False) -> str:
    """The cellXfs index of a registered named style (as the ``s`` attribute text)."""
    cell = WriteOnlyCell(sheet)
    cell.style = name
    if quote:
        cell.quotePrefix = True
    return str(cell.style_id)


@dataclass(frozen=True, slots=True)
class Column:
    """One column: header, kind of value, width in characters."""

    header: str
    kind: Kind = "text"
    width: float = 14
    hidden: bool = False
    """A technical column (identifiers for tools), hidden from the biller's view."""


class Table:
    """Rows of typed values on a new write-only sheet; call :meth:`close` after the last row."""

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
        sheet._values_to_row = _passthrough
        sheet._writer.write_row = _write_element

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


def _number(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else ""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return ""
    return repr(value)


def _passthrough(row: Any, _row_index: int) -> Any:
    """Replaces openpyxl's per-cell conversion: our rows arrive as ready ``<row>`` elements."""
    return row


def _write_element(xf: Any, row: Any, _row_index: int) -> None:
    xf.write(row[0])
