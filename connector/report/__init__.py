"""The reconciliation workbook (openpyxl, write-only): Summary with charts, then one sheet per finding.

::

    from connector.report import write_report
    write_report(result, Path("report.xlsx"), extra={"Claim status": [...], "Scrub exceptions": [...]})

Written atomically (temp file in the same folder, fsync, rename) with mode 0600: the report is PHI.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

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
    _private_dirs(path.parent)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            book.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _private_dirs(folder: Path) -> None:
    """Create ``folder`` and any missing parents with mode 0700 (existing folders are left as they are)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)


__all__ = ["SHEETS", "build_workbook", "write_report"]
