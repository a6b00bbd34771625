"""A streaming table on a write-only sheet: typed columns, shared styles, safe text, frozen header, filter.

Text that starts with ``= + - @``, tab or CR is written as a text cell (quote prefix), never as a formula;
control characters are stripped. Styled cells are reused from row to row (openpyxl writes each row as it is
appended), so a 100k-row sheet costs no per-cell style objects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from connector.report.styles import DATE, HEADER, MONEY, NUMBER, PERCENT, QUOTED, category_style

Kind = Literal["text", "money", "date", "number", "percent", "category"]
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RISKY_START = frozenset("=+-@\t\r")
_STYLE_OF: dict[str, str] = {"money": MONEY, "date": DATE, "number": NUMBER, "percent": PERCENT}


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


@dataclass(frozen=True, slots=True)
class Column:
    """One column: header, kind of value, width in characters."""

    header: str
    kind: Kind = "text"
    width: float = 14


class Table:
    """Rows of typed values on a new write-only sheet; call :meth:`close` after the last row."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column], *, first_row: int = 1) -> None:
        sheet = book.create_sheet(title)
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        self.columns = tuple(columns)
        self.rows = 0
        self.first_row = first_row
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = f"A{first_row + 1}"
        sheet.print_title_rows = f"{first_row}:{first_row}"
        landscape(sheet)
        self._typed: list[WriteOnlyCell | None] = []
        self._quoted: list[WriteOnlyCell] = []
        self._categories: list[dict[str, WriteOnlyCell]] = []
        for column in self.columns:
            typed = None
            if column.kind in _STYLE_OF:
                typed = WriteOnlyCell(sheet)
                typed.style = _STYLE_OF[column.kind]
            self._typed.append(typed)
            quoted = WriteOnlyCell(sheet)
            quoted.style = QUOTED
            quoted.quotePrefix = True
            self._quoted.append(quoted)
            self._categories.append({})

    def preamble(self, values: Sequence[object]) -> None:
        """A line above the header (only before the header is written)."""
        cells: list[object] = []
        for value in values:
            text = clean_text(value) if isinstance(value, str) else None
            if text is not None and is_risky(text):
                cell = WriteOnlyCell(self.sheet, text)
                cell.data_type = "s"
                cell.style = QUOTED
                cell.quotePrefix = True
                cells.append(cell)
            else:
                cells.append(text if text is not None else value)
        self.sheet.append(cells)

    def header(self) -> None:
        """The header row (bold, filled)."""
        cells = []
        for column in self.columns:
            cell = WriteOnlyCell(self.sheet, column.header)
            cell.style = HEADER
            cells.append(cell)
        self.sheet.append(cells)

    def append(self, values: Sequence[object]) -> None:
        """One data row; None and "" leave the cell empty."""
        out: list[object] = []
        for index, value in enumerate(values):
            if value is None or value == "":
                out.append(None)
                continue
            kind = self.columns[index].kind
            if isinstance(value, str):
                if kind == "category":
                    out.append(self._category_cell(index, value))
                else:
                    out.append(self._text_cell(index, value))
                continue
            typed = self._typed[index]
            if typed is not None:
                typed.value = value
                out.append(typed)
            else:
                out.append(value)
        self.sheet.append(out)
        self.rows += 1

    def close(self) -> None:
        """Autofilter over the header and the data rows."""
        last = get_column_letter(len(self.columns))
        self.sheet.auto_filter.ref = f"A{self.first_row}:{last}{self.first_row + max(self.rows, 1)}"

    def _text_cell(self, index: int, value: str) -> object:
        text = clean_text(value)
        if not is_risky(text):
            return text
        cell = self._quoted[index]
        cell.value = text
        cell.data_type = "s"
        return cell

    def _category_cell(self, index: int, value: str) -> object:
        text = clean_text(value)
        cache = self._categories[index]
        cell = cache.get(text)
        if cell is None:
            style = category_style(text)
            if not style or is_risky(text):
                return self._text_cell(index, text)
            cell = cache[text] = WriteOnlyCell(self.sheet, text)
            cell.style = style
        return cell
