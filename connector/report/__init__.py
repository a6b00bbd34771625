"""The reconciliation workbook (openpyxl, write-only): Summary with charts, then one sheet per finding.

::

    from connector.report import write_report
    write_report(result, Path("report.xlsx"), extra={"Claim status": [...], "Scrub exceptions": [...]})

Written atomically (temp file in the same folder, fsync, rename) with mode 0600: the report is PHI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.fileio import atomic_writer
from connector.reconcile.model import ReconciliationResult
from connector.report.sheets import write_details
from connector.report.styles import register_styles
from connector.report.summary import write_summary

SHEETS = (
    "Summary", "Claims", "Lines", "Underpaid", "Denials", "Missing ERA", "Not in PM",
    "Provider adjustments & interest",
)  # fmt: skip
"""Sheets every report has, in order (then Deposits, Claim status, Scrub exceptions when given)."""


def build_workbook(
    result: ReconciliationResult, extra: Mapping[str, Sequence[Mapping[str, object]]] | None = None
) -> Workbook:
    """The report as a write-only workbook, ready to save once."""
    book = Workbook(write_only=True)
    register_styles(book)
    book.create_sheet("Summary")
    counts = write_details(book, result, extra)
    write_summary(book, result, counts)
    return book


def write_report(
    result: ReconciliationResult,
    path: Path,
    *,
    extra: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> Path:
    """Write the workbook to ``path`` atomically (mode 0600). ``extra``: sheet title -> rows as mappings."""
    path = Path(path)
    book = build_workbook(result, extra)
    with atomic_writer(path) as handle:
        book.save(handle)
    return path


__all__ = ["SHEETS", "build_workbook", "write_report"]
