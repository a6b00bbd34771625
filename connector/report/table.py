"""A streaming table on a write-only sheet: typed columns, shared styles, safe text, frozen header, filter.

openpyxl owns the workbook, the named styles, the sheet (widths, panes, autofilter) and the packaging; the
data rows are serialised here as XML text (one ``<row>`` at a time, into a temporary file) with the style
index of each shared named style computed once, and put into the sheet's ``<sheetData>`` when the table
closes, as its part is deflated in a thread (``report.parts``; openpyxl's per-cell objects, or one lxml
element per cell, cost several times more).

Text that starts with ``= + - @``, tab or CR is written as a text cell with a quote prefix, never a formula;
characters an XLSX cannot hold (C0/C1 controls except tab, LF, CR; lone surrogates) are stripped.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Literal

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from connector.report.parts import close_sheet
from connector.report.styles import DATE, HEADER, MONEY, NUMBER, PERCENT, QUOTED, category_style

Kind = Literal["text", "money", "date", "number", "percent", "category"]
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_RISKY_START = frozenset("=+-@\t\r")
_STYLE_OF: dict[str, str] = {"money": MONEY, "date": DATE, "number": NUMBER, "percent": PERCENT}
_EPOCH = dt.date(1899, 12, 30).toordinal()
_EPOCH_TIME = dt.datetime(1899, 12, 30)
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
"""What lxml escapes in text: markup characters, and CR (kept as a character reference)."""
_ROWS_PER_WRITE = 500
SHARED_TEXTS = 2048
"""Distinct texts a column's cells are remembered for (a column with more is not remembered)."""


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
    """Rows of typed values on a new write-only sheet; call :meth:`close` after the last row.

    The rows are serialised as XML text into a temporary file as they come (nothing per row stays in
    memory) and put into the sheet's ``<sheetData>`` when the table is closed.
    """

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
        self._typed = [_s(style_index(sheet, _STYLE_OF[k])) if k in _STYLE_OF else "" for k in self._kinds]
        self._quoted = _s(style_index(sheet, QUOTED, quote=True))
        self._header = _s(style_index(sheet, HEADER))
        self._fills: dict[str, str] = {}
        sheet._get_writer()
        self._spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._pending: list[str] = []
        self._texts: list[dict[str, str] | None] = [{} for _ in self.columns]
        """Per column, a text cell after its reference (style, escaped text) by text: most columns repeat a
        few texts (payers, categories, codes, reasons); a column with more than SHARED_TEXTS is not kept."""

    def header(self) -> None:
        """The header row (bold, filled)."""
        number = str(self._row)
        cells = [
            _text_cell(self._letters[i] + number, self._header, c.header) for i, c in enumerate(self.columns)
        ]
        self._add(number, cells)

    def append(self, values: Sequence[object]) -> None:
        """One data row; None and "" leave the cell empty."""
        number = str(self._row)
        letters, kinds, typed, texts = self._letters, self._kinds, self._typed, self._texts
        cells: list[str] = []
        for index, value in enumerate(values):
            kind = type(value)  # the common exact types first (the same cells as the general path below)
            if kind is Decimal:
                if value.is_finite():  # type: ignore[attr-defined]
                    cells.append(f'<c r="{letters[index]}{number}"{typed[index]}><v>{value!s}</v></c>')
                continue
            if kind is dt.date:
                serial = value.toordinal() - _EPOCH  # type: ignore[attr-defined]
                cells.append(f'<c r="{letters[index]}{number}"{typed[index]}><v>{serial}</v></c>')
                continue
            if kind is str:
                if value:
                    seen = texts[index]
                    tail = seen.get(value) if seen is not None else None  # type: ignore[call-overload]
                    if tail is None:
                        tail = self._text_tail(index, value)  # type: ignore[arg-type]
                    cells.append(f'<c r="{letters[index]}{number}"{tail}')
                continue
            if value is None or value == "":
                continue
            ref = letters[index] + number
            if isinstance(value, str):
                text = clean_text(value)
                if is_risky(text):
                    cells.append(_text_cell(ref, self._quoted, text))
                elif kinds[index] == "category":
                    cells.append(_text_cell(ref, self._fill(text), text))
                else:
                    cells.append(_text_cell(ref, "", text))
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{"1" if value else "0"}</v></c>')
            elif isinstance(value, dt.datetime):
                serial = (value - _EPOCH_TIME).total_seconds() / 86400
                cells.append(f'<c r="{ref}"{typed[index]}><v>{serial!r}</v></c>')
            elif isinstance(value, dt.date):
                cells.append(f'<c r="{ref}"{typed[index]}><v>{value.toordinal() - _EPOCH}</v></c>')
            elif isinstance(value, Decimal | int | float):
                number_text = _number(value)
                if number_text:
                    cells.append(f'<c r="{ref}"{typed[index]}><v>{number_text}</v></c>')
            else:
                cells.append(_text_cell(ref, "", clean_text(str(value))))
        self._add(number, cells)
        self.rows += 1

    def close(self) -> None:
        """Autofilter over the header and the data rows; the rows go into the sheet, which is closed."""
        last = self._letters[-1] if self._letters else "A"
        self.sheet.auto_filter.ref = f"A1:{last}{1 + max(self.rows, 1)}"
        self._flush()
        close_sheet(self.sheet, self._spool)

    def _text_tail(self, index: int, value: str) -> str:
        """A text cell after its ``<c r="A1"``, as the general path below writes it; remembered while the
        column's texts repeat."""
        text = clean_text(value)
        if is_risky(text):
            tail = _text_cell("", self._quoted, text)
        elif self._kinds[index] == "category":
            tail = _text_cell("", self._fill(text), text)
        else:
            tail = _text_cell("", "", text)
        tail = tail[len('<c r=""') :]
        seen = self._texts[index]
        if seen is not None:
            seen[value] = tail
            if len(seen) > SHARED_TEXTS:
                self._texts[index] = None  # ids, names: every text differs, remembering them costs memory
        return tail

    def _fill(self, text: str) -> str:
        style = self._fills.get(text)
        if style is None:
            name = category_style(text)
            style = self._fills[text] = _s(style_index(self.sheet, name)) if name else ""
        return style

    def _add(self, number: str, cells: list[str]) -> None:
        self._pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        self._row += 1
        if len(self._pending) >= _ROWS_PER_WRITE:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._spool.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


def text_cell(ref: str, style: str, text: str) -> str:
    """An inline-string cell (``style``: the ``s`` attribute text or '')."""
    return _text_cell(ref, style, text)


def _s(index: str) -> str:
    """A style index as the attribute text of a cell."""
    return f' s="{index}"'


def _text_cell(ref: str, style: str, text: str) -> str:
    escaped = text.translate(_ESCAPE)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _number(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else ""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return ""
    return repr(value)
