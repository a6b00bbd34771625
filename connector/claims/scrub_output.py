"""Write scrub results for the biller: JSON, or an XLSX with Summary, Findings and Held claims sheets.

Files are written atomically with mode 0600 (temp file in the same folder, fsync, rename). Text cells are
stored as strings, never as formulas, and control characters are stripped (OWASP CSV/formula injection).
"""

from __future__ import annotations

import importlib
import io
import json
import re
from pathlib import Path
from typing import Any

from connector.fileio import atomic_write_bytes
from connector.pm.models import PMExport
from connector.scrub.findings import Finding, ScrubReport

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FINDING_COLUMNS = ("claim_id", "line_id", "row", "severity", "rule", "field", "message")


def finding_dict(f: Finding) -> dict[str, Any]:
    """One finding as a JSON-ready mapping."""
    return {
        "claim_id": f.claim_id,
        "line_id": f.line_id,
        "row": f.row,
        "severity": f.severity,
        "rule": f.rule_id,
        "field": f.field,
        "message": f.message,
    }


def report_dict(export: PMExport, report: ScrubReport) -> dict[str, Any]:
    """The whole result: source, summary, findings and a per-claim verdict."""
    held = report.held_ids
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for f in report.findings:
        by_claim.setdefault(f.claim_id, []).append(finding_dict(f))
    return {
        "source": export.source,
        "sheet": export.sheet,
        "profile": export.profile,
        "summary": report.summary(),
        "claims": [
            {
                "claim_id": c.claim_id,
                "verdict": "held" if c.claim_id in held else "clean",
                "lines": len(c.lines),
                "total_charge": str(c.total_charge),
                "findings": by_claim.get(c.claim_id, []),
            }
            for c in report.claims
        ],
    }


def held_reasons(report: ScrubReport) -> dict[str, list[str]]:
    """Held claim id -> the messages of its errors, in export order."""
    reasons: dict[str, list[str]] = {c.claim_id: [] for c in report.held_claims}
    for f in report.findings:
        if f.severity == "error":
            reasons[f.claim_id].append(f.message)
    return reasons


def write_json(path: Path, export: PMExport, report: ScrubReport) -> None:
    """The scrub result as indented JSON."""
    text = json.dumps(report_dict(export, report), indent=2)
    atomic_write_bytes(path, text.encode("utf-8") + b"\n")


def _safe(value: object) -> object:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    return value


def write_xlsx(path: Path, export: PMExport, report: ScrubReport) -> None:
    """A workbook with a Summary, every Finding and the Held claims with their reasons."""
    openpyxl = importlib.import_module("openpyxl")  # untyped library: imported as Any
    cell_module = importlib.import_module("openpyxl.cell")
    book = openpyxl.Workbook(write_only=True)

    def row(sheet: Any, values: list[object]) -> None:
        cells = []
        for value in values:
            cell = cell_module.WriteOnlyCell(sheet, value=_safe(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            cells.append(cell)
        sheet.append(cells)

    summary = report.summary()
    sheet = book.create_sheet("Summary")
    row(sheet, ["Export", export.source])
    row(sheet, ["Profile", export.profile])
    for key in ("claims", "lines", "clean_claims", "held_claims", "errors", "warnings"):
        row(sheet, [key.replace("_", " ").capitalize(), summary[key]])
    row(sheet, ["Clean claim rate (%)", float(report.clean_claim_rate)])
    row(sheet, [])
    row(sheet, ["Rule", "Findings"])
    for rule_id, count in report.counts_by_rule().items():
        row(sheet, [rule_id, count])
    sheet = book.create_sheet("Findings")
    row(sheet, list(FINDING_COLUMNS))
    for f in report.findings:
        d = finding_dict(f)
        row(sheet, [d[c] for c in FINDING_COLUMNS])
    sheet = book.create_sheet("Held claims")
    row(sheet, ["claim_id", "errors", "reasons"])
    for claim_id, errors in held_reasons(report).items():
        row(sheet, [claim_id, len(errors), "; ".join(errors)])
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
