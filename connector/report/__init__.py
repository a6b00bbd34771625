"""The reconciliation workbook (openpyxl, write-only): Summary with charts, then one sheet per finding.

::

    from connector.report import write_report
    write_report(result, Path("report.xlsx"), extra={"Claim status": [...], "Scrub exceptions": [...]})

    writer = ReportWriter()                     # or as the reconciliation streams:
    result = reconcile(..., sink=writer.add)    # each claim's rows go to the sheets' spools as produced
    writer.save(result, Path("report.xlsx"))

Written atomically (temp file in the same folder, fsync, rename) with mode 0600: the report is PHI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.fileio import atomic_writer
from connector.reconcile.model import ClaimRow, DepositRow, LineRow, ReconciliationResult
from connector.report.parts import save_workbook
from connector.report.sheets import DetailSheets, write_details
from connector.report.styles import register_styles
from connector.report.summary import write_summary

SHEETS = (
    "Summary", "Claims", "Lines", "Underpaid", "Denials", "Missing ERA", "Not in PM",
    "Provider adjustments & interest",
)  # fmt: skip
"""Sheets every report has, in order (then Deposits, Claim status, Scrub exceptions when given)."""


Extra = Mapping[str, Sequence[Mapping[str, object]]]
"""Further sheets: title -> rows as mappings."""


def build_workbook(result: ReconciliationResult, extra: Extra | None = None) -> Workbook:
    """The report of a result holding its rows, as a write-only workbook, ready to save once."""
    book = _new_book()
    counts = write_details(book, result, extra)
    write_summary(book, result, counts)
    return book


class ReportWriter:
    """The report written while the reconciliation streams: pass :meth:`add` as ``reconcile()``'s sink (the
    rows go to the sheets' spool files as they come), then :meth:`save` the result it returned."""

    def __init__(self) -> None:
        self.book = _new_book()
        self.sheets = DetailSheets(self.book)

    def add(self, claim: ClaimRow, lines: list[LineRow]) -> None:
        """One claim row and its line rows (``reconcile()``'s sink)."""
        self.sheets.add(claim, lines)

    def add_deposits(self, rows: Iterable[DepositRow]) -> None:
        """Deposit rows, after the last claim: written now, and the result's ``deposits`` not again."""
        self.sheets.deposits(rows)

    def save(self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None) -> Path:
        """Finish the sheets, write the Summary from the result's totals, save atomically (mode 0600)."""
        counts = self.sheets.finish(result, extra)
        write_summary(self.book, result, counts)
        return _save(self.book, Path(path))

    def start_save(
        self, result: ReconciliationResult, path: Path, *, extra: Extra | None = None
    ) -> Callable[[], Path]:
        """Save now (this process writes the workbook); the function returned gives the path (the same call
        as a writer in a child process, whose save goes on while the caller works)."""
        saved = self.save(result, path, extra=extra)
        return lambda: saved


def _new_book() -> Workbook:
    book = Workbook(write_only=True)
    register_styles(book)
    book.create_sheet("Summary")
    return book


def _save(book: Workbook, path: Path) -> Path:
    with atomic_writer(path) as handle:
        save_workbook(book, handle)
    return path


def write_report(
    result: ReconciliationResult,
    path: Path,
    *,
    extra: Extra | None = None,
) -> Path:
    """Write the workbook to ``path`` atomically (mode 0600). ``extra``: sheet title -> rows as mappings."""
    return _save(build_workbook(result, extra), Path(path))


__all__ = ["SHEETS", "Extra", "ReportWriter", "build_workbook", "write_report"]
