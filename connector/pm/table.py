"""Read a PM export file (CSV in any common encoding and delimiter, or XLSX) into a header and raw rows.

Nothing here evaluates a formula. CSV cells are text as written (``=HYPERLINK(...)`` stays that string).
XLSX is read with python-calamine (about ten times faster than openpyxl read-only, see
``benchmarks/scrub.py``), which returns the value stored in each cell;
a workbook that contains formula cells is read with openpyxl instead
(``data_only=False``) so that those cells come back as their formula text, never as a computed result.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import importlib
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from connector.errors import PMExportError
from connector.settings import ArchiveLimits
from connector.zipguard import check_zip

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(slots=True)
class RawTable:
    """A header row and the data rows under it, as the file holds them."""

    source: str
    """File name without folder, for messages."""
    sheet: str | None
    header: list[str]
    rows: list[list[Cell]]
    first_row_number: int = 2
    """Row number (1-based, as a spreadsheet shows it) of ``rows[0]``."""


def decode_text(data: bytes, source: str) -> str:
    """Decode CSV bytes: BOM first (UTF-8, UTF-16), then strict UTF-8, then Windows-1252, then Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sniff_delimiter(header_line: str) -> str:
    """Pick the delimiter that splits the first lines best among ``,`` ``;`` tab and ``|`` (a title line
    above the header may hold none)."""
    lines = header_line.splitlines()[:10] or [""]
    counts = {d: max(line.count(d) for line in lines) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, *, stream: bool = False, share: bool = True) -> RawTable:
    """Read a delimited text export; blank lines are skipped but row numbers stay those of the file.

    Equal cells are shared between rows (a payer's name, a practice address, a date): the table of a large
    export holds each distinct text once. ``stream``: the rows past the first few are parsed while they are
    read, once, and not kept (:class:`StreamedRows`, for one pass such as ``pm.reader.read_rows``); an
    unreadable line is then reported when the pass reaches it. ``share=False`` (streamed rows only): the
    cells are not shared, for a reader that keeps few of them and shares those itself."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PMExportError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    text = decode_text(data, path.name)
    first_lines = "\n".join(text[:65536].split("\n", 10)[:10])
    del data
    reader = csv.reader(_lines(text), delimiter=sniff_delimiter(first_lines))
    try:
        header = next(reader)
    except StopIteration:
        raise PMExportError(f"{path.name}: the file is empty (no header row)") from None
    except csv.Error as exc:
        raise PMExportError(f"{path.name}, row 1: unreadable CSV ({exc})") from exc
    rows = _csv_rows(path.name, reader, share or not stream)
    if not stream:
        return RawTable(path.name, None, [h.strip() for h in header], list(rows))
    head = list(itertools.islice(rows, STREAM_HEAD_ROWS))
    return RawTable(path.name, None, [h.strip() for h in header], StreamedRows(head, rows))


STREAM_HEAD_ROWS = 64
"""Rows parsed up front when streaming: room for the header search and a title block above the header."""


class StreamedRows(list):  # type: ignore[type-arg]
    """The first rows of a table (a list: sliced and indexed for the header search) and, after them, the rest
    parsed on the way when iterated (once). Slicing from a row onwards keeps the rest attached."""

    def __init__(self, head: list[list[Cell]], rest: Iterator[list[Cell]]) -> None:
        super().__init__(head)
        self.rest = rest

    def __iter__(self) -> Iterator[list[Cell]]:
        yield from list.__iter__(self)
        yield from self.rest

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice) and index.stop is None and index.step is None:
            return StreamedRows(list.__getitem__(self, index), self.rest)
        return list.__getitem__(self, index)


def _csv_rows(source: str, reader: Any, share: bool) -> Iterator[list[Cell]]:
    seen: dict[str, str] = {}
    same = seen.setdefault
    try:
        if not share:
            yield from reader
            return
        for row in reader:
            yield [same(cell, cell) for cell in row]
    except csv.Error as exc:
        raise PMExportError(f"{source}, row {reader.line_num}: unreadable CSV ({exc})") from exc


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, split as universal newlines do (``\\r\\n``, ``\\r``, ``\\n``),
    one at a time: no second copy of the whole file (``io.StringIO`` holds four bytes per character)."""
    for match in _LINE.finditer(text):
        yield match.group()


def _has_formulas(path: Path) -> bool:
    """True when any worksheet of the workbook stores a formula (an ``<f>`` element)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            tail = b""
            with archive.open(name) as member:
                while chunk := member.read(1 << 20):
                    window = tail + chunk
                    if b"<f>" in window or b"<f " in window or b":f>" in window or b":f " in window:
                        return True
                    tail = window[-4:]
    return False


def _pick_sheet(names: list[str], wanted: str | None, preferred: str | None, source: str) -> str:
    if not names:
        raise PMExportError(f"{source}: the workbook has no sheet")
    if wanted is not None:
        if wanted not in names:
            raise PMExportError(f"{source}: no sheet named {wanted!r} (sheets: {', '.join(names)})")
        return wanted
    if preferred is not None and preferred in names:
        return preferred
    return names[0]


def _iter_openpyxl(path: Path, wanted: str | None, preferred: str | None) -> tuple[str, Iterator[list[Cell]]]:
    openpyxl = importlib.import_module("openpyxl")  # untyped library: imported as Any
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    sheet_name = _pick_sheet(book.sheetnames, wanted, preferred, path.name)
    sheet = book[sheet_name]

    def rows() -> Iterator[list[Cell]]:
        try:
            for row in sheet.iter_rows(values_only=True):
                yield ["" if v is None else v for v in row]
        finally:
            book.close()

    return sheet_name, rows()


def read_xlsx(
    path: Path,
    sheet: str | None = None,
    preferred_sheet: str | None = None,
    limits: ArchiveLimits | None = None,
) -> RawTable:
    """Read one sheet: ``sheet`` if given (must exist), else ``preferred_sheet``, else the first.

    The workbook's zip is checked against ``limits`` first (ArchiveRefused for a decompression bomb).
    """
    check_zip(path, limits, what="XLSX workbook", unreadable=PMExportError)
    try:
        formulas = _has_formulas(path)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise PMExportError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
    all_rows: list[list[Cell]]
    if formulas:
        sheet_name, iterator = _iter_openpyxl(path, sheet, preferred_sheet)
        all_rows = list(iterator)
    else:
        import python_calamine

        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error classes for broken files
            raise PMExportError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
        sheet_name = _pick_sheet(list(book.sheet_names), sheet, preferred_sheet, path.name)
        data = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        all_rows = cast(list[list[Cell]], data)  # calamine's cell types are a subset of Cell
        book.close()
    if not all_rows:
        raise PMExportError(f"{path.name}, sheet {sheet_name}: the sheet is empty (no header row)")
    header = [_header_text(h) for h in all_rows[0]]
    return RawTable(path.name, sheet_name, header, all_rows[1:])


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a header typed as a number (2024) stays "2024"
    return str(cell).strip()


def move_header(table: RawTable, index: int) -> RawTable:
    """The same table with row ``index`` of the data (0 = the first row under the current header) as header:
    the rows above it (a report title, a print date) are dropped, row numbers stay those of the file."""
    if index < 0:
        return table
    return RawTable(
        table.source,
        table.sheet,
        [_header_text(h) for h in table.rows[index]],
        table.rows[index + 1 :],
        table.first_row_number + index + 1,
    )


def read_table(
    path: Path,
    sheet: str | None = None,
    preferred_sheet: str | None = None,
    limits: ArchiveLimits | None = None,
    *,
    stream: bool = False,
    share: bool = True,
) -> RawTable:
    """Read a CSV/TXT or XLSX export by its suffix (an XLSX is checked against the archive ``limits``);
    ``stream``: a CSV's rows are parsed during one pass over them, not kept; ``share``: see
    :func:`read_csv`."""
    if not path.is_file():
        raise PMExportError(f"{path.name}: file not found")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_xlsx(path, sheet, preferred_sheet, limits)
    if path.suffix.lower() == ".xls":
        raise PMExportError(f"{path.name}: .xls workbooks are not supported; save the export as XLSX or CSV")
    return read_csv(path, stream=stream, share=share)
