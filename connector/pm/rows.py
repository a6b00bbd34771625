"""Build canonical claims from export rows (line-per-row or claim-per-row); schema problems by cell."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from connector.pm.assemble import assemble_claim
from connector.pm.columns import ColumnMap
from connector.pm.models import Claim, ServiceLine
from connector.pm.problems import ProblemList
from connector.pm.profile import CLAIM_FIELDS, Profile
from connector.pm.table import Cell
from connector.pm.values import (
    AmountParser,
    DateParser,
    as_text,
    normalize_code,
    normalize_diagnosis,
    parse_pointer,
    split_list,
)

PHI_FIELDS = frozenset(
    {
        "patient_last_name",
        "patient_first_name",
        "patient_dob",
        "patient_address",
        "patient_city",
        "patient_zip",
        "member_id",
    }
)
"""Fields whose cell content never appears in a problem message (nor does any date)."""

NUMERIC_PAD = {
    "place_of_service": 2,
    "revenue_code": 4,
    "type_of_bill": 4,
    "patient_zip": 5,
    "billing_zip": 5,
}
"""Codes with leading zeros that a spreadsheet stores as numbers: padded back when the cell is numeric."""


Getter = Callable[[list[Cell], int], Any]


class _Skip(Exception):
    """A cell problem was recorded; stop building this row."""


@dataclass(slots=True)
class _ClaimParts:
    """A claim being assembled: its header values, its lines and the row that defined it."""

    row: int
    signature: tuple[Any, ...]
    header: dict[str, Any]
    lines: list[ServiceLine] = field(default_factory=list)


class RowBuilder:
    """Feed rows with :meth:`add_row`, then :meth:`finish` returns the claims in first-seen order."""

    def __init__(self, profile: Profile, cmap: ColumnMap, problems: ProblemList) -> None:
        self.profile = profile
        self.cmap = cmap
        self.problems = problems
        self.dates = DateParser(profile.date_formats)
        self.amounts = AmountParser(profile.amount_strip)
        self.claim_fields = [f for f in CLAIM_FIELDS if f in cmap.fields]
        self.claim_columns = [i for f in self.claim_fields for i in cmap.fields[f]]
        self.claims: dict[str, _ClaimParts] = {}
        self.line_rows: dict[str, int] = {}
        self._getters: dict[tuple[str, str, int], Getter] = {}
        columns = self.claim_columns
        pick = operator.itemgetter(*columns) if columns else (lambda row: ())
        self._signature: Callable[[list[Cell]], tuple[Any, ...]] = (
            (lambda row: (pick(row),)) if len(columns) == 1 else pick
        )
        self._last_claim_column = max(columns, default=-1)

    # -- cells -----------------------------------------------------------------------------------------------
    def _convert(self, fname: str, raw: Cell, kind: str) -> Any:
        if kind == "text":
            text = as_text(raw)
            width = NUMERIC_PAD.get(fname)
            if width and isinstance(raw, int | float) and text.isdigit():
                text = text.zfill(width)
            mapping = self.profile.values.get(fname)
            if mapping and text:
                text = mapping.get(text.casefold(), text)
            return text
        if kind == "date":
            return self.dates(raw)
        return self.amounts(raw)

    def _get(self, row: list[Cell], rownum: int, fname: str, index: int, kind: str = "text") -> Any:
        raw = row[index] if index < len(row) else ""
        try:
            return self._convert(fname, raw, kind)
        except ValueError as exc:
            if kind == "date":  # dates of service and birth are PHI: never echoed
                reason = f"not a date in the format {self.dates.expected}"
            elif fname in PHI_FIELDS:
                reason = f"not a valid {kind}"
            else:
                reason = str(exc).replace("an amount", "a number") if fname == "units" else str(exc)
            self.problems.add(rownum, self.cmap.name(index), reason)
            raise _Skip from None

    def _field(self, row: list[Cell], rownum: int, fname: str, kind: str = "text", n: int = 0) -> Any:
        """One field of the row (line ``n`` for numbered columns); joined fields come back as a tuple."""
        key = (fname, kind, n)
        getter = self._getters.get(key)
        if getter is None:
            getter = self._getters[key] = self._make_getter(fname, kind, n)
        return getter(row, rownum)

    def _make_getter(self, fname: str, kind: str, n: int) -> Getter:
        """A reader for one field, built once per field: a fast path for plain text cells."""
        empty = "" if kind == "text" else None
        numbered = self.cmap.numbered.get(fname)
        if n and numbered is not None:
            indexes = [] if numbered[n - 1] is None else [cast(int, numbered[n - 1])]
            join = False
        else:
            indexes = self.cmap.fields.get(fname) or []
            spec = self.profile.columns.get(fname)
            join = len(indexes) > 1 or bool(spec and spec.join)
        if not indexes:
            return lambda row, rownum: empty
        get = self._get
        if join:
            return lambda row, rownum: tuple(v for i in indexes if (v := get(row, rownum, fname, i, kind)))
        index = indexes[0]
        if kind == "text" and fname not in NUMERIC_PAD and fname not in self.profile.values:

            def plain_text(row: list[Cell], rownum: int) -> Any:
                raw = row[index] if index < len(row) else ""
                if type(raw) is str:
                    return raw.strip()
                return get(row, rownum, fname, index, kind)

            return plain_text
        return lambda row, rownum: get(row, rownum, fname, index, kind)

    def _list(self, row: list[Cell], rownum: int, fname: str, n: int = 0) -> tuple[str, ...]:
        value = self._field(row, rownum, fname, "text", n)
        if isinstance(value, tuple):
            return tuple(p for v in value for p in split_list(v, self.profile.separator(fname)))
        return split_list(cast(str, value), self.profile.separator(fname))

    # -- rows ------------------------------------------------------------------------------------------------
    def add_row(self, rownum: int, row: list[Cell]) -> None:
        """Add one data row (``rownum`` as the spreadsheet numbers it)."""
        try:
            claim_id = self._field(row, rownum, "claim_id")
            if not claim_id:
                self.problems.add(rownum, self._col("claim_id"), "empty (every row needs a claim id)")
                return
            if len(row) > self._last_claim_column:
                signature = self._signature(row)
            else:
                signature = tuple(row[i] if i < len(row) else "" for i in self.claim_columns)
            parts = self.claims.get(claim_id)
            if parts is None:
                parts = _ClaimParts(rownum, signature, self._claim_header(row, rownum))
                self.claims[claim_id] = parts
            elif self.profile.layout == "claim":
                self.problems.add(rownum, self._col("claim_id"), f"claim id repeats row {parts.row}")
                return
            elif signature != parts.signature:
                self._report_difference(rownum, signature, parts)
                return
            if self.profile.layout == "line":
                self._add_line(row, rownum, parts, 0, len(parts.lines) + 1)
            else:
                for n in range(1, self.profile.max_lines + 1):
                    if self._line_present(row, n):
                        self._add_line(row, rownum, parts, n, n)
        except _Skip:
            return

    def _col(self, fname: str) -> str | None:
        indexes = self.cmap.fields.get(fname)
        return self.cmap.name(indexes[0]) if indexes else None

    def _report_difference(self, rownum: int, signature: tuple[Any, ...], parts: _ClaimParts) -> None:
        for pos, (a, b) in enumerate(zip(signature, parts.signature, strict=True)):
            if a != b:
                column = self.cmap.name(self.claim_columns[pos])
                self.problems.add(rownum, column, f"differs from row {parts.row} of the same claim")
                return

    def _line_present(self, row: list[Cell], n: int) -> bool:
        for slots in self.cmap.numbered.values():
            index = slots[n - 1]
            if index is not None and index < len(row) and as_text(row[index]):
                return True
        return False

    def _claim_header(self, row: list[Cell], rownum: int) -> dict[str, Any]:
        h: dict[str, Any] = {}
        for fname in self.claim_fields:
            if fname in ("diagnosis_codes",):
                h[fname] = tuple(normalize_diagnosis(c) for c in self._list(row, rownum, fname))
            elif fname in ("patient_dob", "statement_from", "statement_to", "submitted_date"):
                h[fname] = self._field(row, rownum, fname, "date")
            elif fname == "claim_total_charge":
                h[fname] = self._field(row, rownum, fname, "amount")
            else:
                h[fname] = self._field(row, rownum, fname)
        claim_type = str(h.get("claim_type", "")).upper()
        if claim_type not in ("P", "I"):
            self.problems.add(rownum, self._col("claim_type"), f"claim type {claim_type!r} is not P or I")
            raise _Skip
        h["claim_type"] = claim_type
        return h

    def _add_line(self, row: list[Cell], rownum: int, parts: _ClaimParts, n: int, seq: int) -> None:
        line_id = self._field(row, rownum, "line_id", "text", n) if self._has("line_id") else ""
        if not line_id and self.profile.line_id_template:
            claim_id = self._field(row, rownum, "claim_id")
            line_id = self.profile.line_id_template.format(claim_id=claim_id, n=seq)
        if not line_id:
            self.problems.add(rownum, self._col("line_id"), "empty (every service line needs a line id)")
            return
        seen = self.line_rows.get(line_id)
        if seen is not None:
            self.problems.add(rownum, self._col("line_id"), f"line id {line_id!r} duplicates row {seen}")
            return
        self.line_rows[line_id] = rownum
        units = self._required_amount(row, rownum, "units", n)
        charge = self._required_amount(row, rownum, "line_charge", n)
        pointers: list[int] = []
        for token in self._list(row, rownum, "diagnosis_pointers", n):
            try:
                pointers.append(parse_pointer(token))
            except ValueError as exc:
                self.problems.add(rownum, self._col("diagnosis_pointers"), str(exc))
                raise _Skip from None
        parts.lines.append(
            ServiceLine(
                line_id=line_id,
                service_date=cast(dt.date | None, self._field(row, rownum, "service_date", "date", n)),
                procedure_code=normalize_code(self._field(row, rownum, "procedure_code", "text", n)),
                modifiers=tuple(normalize_code(m) for m in self._list(row, rownum, "modifiers", n)),
                units=units,
                charge=charge,
                place_of_service=self._field(row, rownum, "place_of_service", "text", n),
                revenue_code=self._field(row, rownum, "revenue_code", "text", n),
                diagnosis_pointers=tuple(pointers),
                expected_amount=self._field(row, rownum, "expected_amount", "amount", n),
                posted_payment=self._field(row, rownum, "posted_payment", "amount", n),
                source_row=rownum,
            )
        )

    def _has(self, fname: str) -> bool:
        return fname in self.cmap.fields or fname in self.cmap.numbered

    def _required_amount(self, row: list[Cell], rownum: int, fname: str, n: int) -> Decimal:
        value = self._field(row, rownum, fname, "amount", n)
        if value is None:
            where = self.cmap.numbered.get(fname)
            column = self.cmap.name(where[n - 1] or 0) if n and where else self._col(fname)
            self.problems.add(rownum, column, f"empty ({fname.replace('_', ' ')} is required on every line)")
            raise _Skip
        return cast(Decimal, value)

    # -- result ----------------------------------------------------------------------------------------------
    def finish(self) -> list[Claim]:
        """The claims in the order their first row appeared."""
        return [
            assemble_claim(claim_id, parts.header, parts.lines) for claim_id, parts in self.claims.items()
        ]
