"""The sandbox PM system's XLSX writer: one sheet, a header row, dates as dates and money as numbers."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal


def sheet_bytes(
    sheet_name: str, columns: Sequence[str], rows: Iterable[Sequence[object]], created: dt.datetime
) -> bytes:
    """A workbook of one sheet (Decimal written as a 0.00 number); the caller normalizes the zip."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append(list(columns))
    for row in rows:
        cells: list[object] = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=float(value))
                cell.number_format = "0.00"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    book.properties.creator = "Sandbox PM"
    book.properties.created = created
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
