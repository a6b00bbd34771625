"""Code tables (CARC, RARC, group codes, CLP02, 277 categories, PLB reasons, POS): the model and its parser.

Reading the files is the caller's (``connector.codetables.load_code_table``): the core reads no file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TABLES = (
    "carc",
    "rarc",
    "group_codes",
    "claim_status",
    "status_category",
    "plb_reasons",
    "place_of_service",
)
"""Names of the shipped tables (files mappings/codes/<name>.tsv)."""


@dataclass(frozen=True, slots=True)
class CodeTable:
    """One code list: code -> description, with the public source named in the file's header."""

    name: str
    source: str
    codes: dict[str, str] = field(default_factory=dict)
    periods: dict[str, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    """code -> (start date, stop date), for tables with ``start_date``/``stop_date`` columns (RARC; CARC
    once a list with dates is published). A code without dates is not in it."""

    def stop_date(self, code: str) -> dt.date | None:
        """The date after which the code may no longer be used, when the list has one."""
        return self.periods.get(code.strip(), (None, None))[1]

    def describe(self, code: str) -> str:
        """The description, or ``"unknown <name> code <code>"`` for a code not in the table."""
        return self.codes.get(code.strip(), f"unknown {self.name} code {code}")

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code.strip() in self.codes

    def __len__(self) -> int:
        return len(self.codes)


def _date(text: str, name: str, number: int) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"code table {name or '?'} line {number}: {text!r} is not a YYYY-MM-DD date"
        ) from None


def parse_code_table(text: str, name: str = "") -> CodeTable:
    """Parse a table: ``#`` header lines (one starting ``# Source:``), a ``code<TAB>description`` title row
    (optionally ``<TAB>start_date<TAB>stop_date``), then one code per line. Blank lines are skipped; a line
    without a tab or with a bad date is an error (ValueError)."""
    source_lines: list[str] = []
    codes: dict[str, str] = {}
    periods: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    columns = ["code", "description"]
    in_source = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line.lstrip("#").strip()
            if body.lower().startswith("source:"):
                in_source = True
                source_lines.append(body.split(":", 1)[1].strip())
            elif in_source and not body.lower().startswith(
                ("transcribed", "subset", "put ", "positive", "machine-readable", "generated")
            ):
                source_lines.append(body)
            else:
                in_source = False
            continue
        cells = line.split("\t")
        if len(cells) < 2:
            raise ValueError(f"code table {name or '?'} line {number}: expected code<TAB>description")
        if cells[0] == "code" and not codes:
            columns = [c.strip() for c in cells]
            continue
        row = dict(zip(columns, cells, strict=False))
        code = cells[0].strip()
        codes[code] = row.get("description", cells[1]).strip()
        start = _date(row.get("start_date", ""), name, number)
        stop = _date(row.get("stop_date", ""), name, number)
        if start is not None or stop is not None:
            periods[code] = (start, stop)
    return CodeTable(name, " ".join(source_lines), codes, periods)
