"""Build canonical claims from export rows (line-per-row or claim-per-row); schema problems by cell.

Rows a profile filters out (``where:``) are counted, rows holding a diagnosis (``diagnosis_rows:``) give it
to their claim, and every other row adds service lines. A claim's fields are compared between its rows after
mapping, blanks ignored (a later row fills a field the first left blank). Diagnosis codes given on a line (its
own ``diagnosis_code``, or pointers written as codes) become pointers once all of a claim's rows are read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from connector.pm.assemble import CHARGE_HEADER, assemble_claim, charge_claim_of
from connector.pm.columns import ColumnMap, spec_indexes
from connector.pm.fields import FieldReader, Getter, SkipRow
from connector.pm.lookups import LookupTable
from connector.pm.models import ChargeClaim, ChargeLine, Claim, ServiceLine
from connector.pm.problems import ProblemList
from connector.pm.profile import CLAIM_FIELDS, Profile
from connector.pm.rules import Condition
from connector.pm.table import Cell
from connector.pm.values import as_text, normalize_code, normalize_diagnosis, parse_pointer

CLAIM_DATES = frozenset({"patient_dob", "statement_from", "statement_to", "submitted_date"})
Test = tuple[int | None, Condition]
SHARED_VALUES = 4096
"""Distinct texts of one claim field shared between claims (a field with more is not shared)."""


@dataclass(slots=True)
class _ClaimParts:
    """A claim being assembled: its header values, its lines and the row that defined it."""

    row: int
    header: list[Any]
    """The values of ``RowBuilder.header_keys`` in order (a list, not a dict: one per claim held)."""
    lines: list[ServiceLine] = field(default_factory=list)
    charge_lines: list[ChargeLine] = field(default_factory=list)
    """The lines when the builder makes compact claims (``charges``)."""
    codes: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    """(line position, diagnosis codes) to turn into pointers when the claim is complete."""


class RowBuilder:
    """Feed rows with :meth:`add_row`, then :meth:`finish` returns the claims in first-seen order.

    With ``charges`` the lines are built compact (:class:`ChargeLine`) and :meth:`finish_charges` returns
    compact claims for reconciling; the rows are checked the same way.
    """

    def __init__(
        self,
        profile: Profile,
        cmap: ColumnMap,
        problems: ProblemList,
        *,
        needs: Collection[str],
        lookups: Mapping[str, LookupTable] | None = None,
        practice: Mapping[str, str] | None = None,
        charges: bool = False,
    ) -> None:
        self.profile = profile
        self.charges = charges
        self._shared: dict[Any, Any] = {}
        """Equal procedure codes and modifier tuples of compact lines share one object."""
        self.cmap = cmap
        self.problems = problems
        self.needs = frozenset(needs)
        self.reader = FieldReader(profile, cmap, problems, lookups or {}, practice or {}, self.needs)
        self.claim_fields = [f for f in CLAIM_FIELDS if profile.provides(f) or f in cmap.fields]
        self.header_keys = [
            *self.claim_fields,
            *(["claim_type"] if "claim_type" not in self.claim_fields else []),
        ]
        columns = [i for f in self.claim_fields for i in cmap.fields.get(f, [])]
        columns += [i for lk in profile.lookups if (i := cmap.find(lk.export_key)) is not None]
        self.claim_columns = columns
        self.claims: dict[str, _ClaimParts] = {}
        self.line_rows: dict[str, int] = {}
        self.row_diagnoses: dict[str, list[str]] = {}
        self.skipped: dict[str, int] = {"where": 0, "diagnosis rows": 0}
        pick = operator.itemgetter(*columns) if columns else (lambda row: ())
        self._signature: Callable[[list[Cell]], tuple[Any, ...]] = (
            (lambda row: (pick(row),)) if len(columns) == 1 else pick
        )
        self._last_claim_column = max(columns, default=-1)
        self._last: tuple[str, tuple[Any, ...]] | None = None
        """The claim id and claim cells of the last row: a next row of the claim with the same cells needs no
        comparing (only the last is kept: one claim's cells, not every claim's)."""
        self._header_plan: list[tuple[str, Getter]] | None = None
        """How each claim field is read (made at the first claim)."""
        self._charge_getters: dict[int, tuple[Getter, Getter, Getter]] = {}
        self.reader_shares = not charges
        """The table's reader shares equal cells (else this builder shares the claim header's texts)."""
        self._pools: list[dict[str, str] | None] = [{} for _ in self.header_keys]
        """Each claim field's distinct texts (``None`` once it has too many to share)."""
        self._charge_keys = [(key, at) for at, key in enumerate(self.header_keys) if key in CHARGE_HEADER]
        self._where = self._tests(profile.where)
        self._dx_when: list[Test] = []
        self._dx_code: list[int] = []
        if profile.diagnosis_rows is not None:
            self._dx_when = self._tests(profile.diagnosis_rows.when)
            self._dx_code = spec_indexes(profile.diagnosis_rows.code, cmap.index)
            if not self._dx_code:
                looked = ", ".join(profile.diagnosis_rows.code.headers)
                problems.add(None, None, f"column for diagnosis_rows.code is missing (looked for: {looked})")
        spec = profile.columns.get("diagnosis_pointers")
        self._pointer_codes = spec is not None and spec.pointers == "codes"
        self._line_key = "line_id" in cmap.fields or "line_id" in cmap.numbered
        self._own_dx = profile.provides("diagnosis_code")

    def _tests(self, conditions: tuple[Condition, ...]) -> list[Test]:
        return [(self.cmap.find(c.target), c) for c in conditions]

    @staticmethod
    def _passes(row: list[Cell], tests: list[Test]) -> bool:
        for index, cond in tests:
            text = as_text(row[index]) if index is not None and index < len(row) else ""
            if not cond.test(text):
                return False
        return True

    # -- rows ------------------------------------------------------------------------------------------------
    def add_row(self, rownum: int, row: list[Cell]) -> None:
        """Add one data row (``rownum`` as the spreadsheet numbers it)."""
        if self._where and not self._passes(row, self._where):
            self.skipped["where"] += 1
            return
        field_of = self.reader.field
        try:
            claim_id = field_of(row, rownum, "claim_id")
            if not claim_id:
                self.problems.add(rownum, self._col("claim_id"), "empty (every row needs a claim id)")
                return
            if self._dx_when and self._passes(row, self._dx_when):
                self._add_diagnosis_row(row, claim_id)
                return
            if len(row) > self._last_claim_column:
                signature = self._signature(row)
            else:
                signature = tuple(row[i] if i < len(row) else "" for i in self.claim_columns)
            parts = self.claims.get(claim_id)
            if parts is None:
                header = self._claim_header(row, rownum)
                parts = _ClaimParts(rownum, self._shared_values([header.get(k) for k in self.header_keys]))
                self.claims[claim_id] = parts
            elif self.profile.layout == "claim":
                self.problems.add(rownum, self._col("claim_id"), f"claim id repeats row {parts.row}")
                return
            elif self._last != (claim_id, signature) and not self._same_claim(row, rownum, parts):
                return
            self._last = (claim_id, signature)
            if self.profile.layout == "line":
                self._add_line(row, rownum, parts, 0, len(parts.lines) + len(parts.charge_lines) + 1)
            else:
                for n in range(1, self.profile.max_lines + 1):
                    if self._line_present(row, n):
                        self._add_line(row, rownum, parts, n, n)
        except SkipRow:
            return

    def _add_diagnosis_row(self, row: list[Cell], claim_id: str) -> None:
        self.skipped["diagnosis rows"] += 1
        codes = self.row_diagnoses.setdefault(claim_id, [])
        transform = self.profile.diagnosis_rows.code.transform if self.profile.diagnosis_rows else None
        for index in self._dx_code:
            text = as_text(row[index]) if index < len(row) else ""
            text = transform(text) if transform is not None and transform.active else text
            code = normalize_diagnosis(text)
            if code and code not in codes:
                codes.append(code)

    def _col(self, fname: str) -> str | None:
        indexes = self.cmap.fields.get(fname)
        return self.cmap.name(indexes[0]) if indexes else None

    def _shared_values(self, values: list[Any]) -> list[Any]:
        """A claim's header values, each field's repeated texts one string (a payer, a billing address, a
        status) while the field has few distinct texts; a field of many (names, addresses) is not shared."""
        if self.reader_shares:
            return values
        pools = self._pools
        for at, value in enumerate(values):
            pool = pools[at]
            if pool is not None and type(value) is str:
                values[at] = pool.setdefault(value, value)
                if len(pool) > SHARED_VALUES:
                    pools[at] = None
        return values

    def _same_claim(self, row: list[Cell], rownum: int, parts: _ClaimParts) -> bool:
        """Compare the claim's fields after mapping; blanks on either side are not differences."""
        header = self._claim_header(row, rownum)
        values = parts.header
        for at, fname in enumerate(self.claim_fields):
            new, old = header.get(fname), values[at]
            if new in ("", None, ()) or new == old:
                continue
            if old in ("", None, ()):
                values[at] = new
                continue
            column = self._col(fname) or fname
            self.problems.add(rownum, column, f"differs from row {parts.row} of the same claim")
            return False
        return True

    def _line_present(self, row: list[Cell], n: int) -> bool:
        if self.profile.line_present_when:
            for cond in self.profile.line_present_when:
                slots = self.cmap.numbered.get(cond.target)
                index = slots[n - 1] if slots else None
                text = as_text(row[index]) if index is not None and index < len(row) else ""
                if not cond.test(text):
                    return False
            return True
        for slots in self.cmap.numbered.values():
            index = slots[n - 1]
            if index is not None and index < len(row) and as_text(row[index]):
                return True
        return False

    def _header_getter(self, fname: str) -> Getter:
        """How the claim header reads one field: diagnosis codes as a list, dates, the total, else text."""
        reader = self.reader
        if fname == "diagnosis_codes":
            items = reader.items
            return lambda row, rownum: tuple(normalize_diagnosis(c) for c in items(row, rownum, fname))
        if fname in CLAIM_DATES:
            return reader.getter(fname, "date")
        if fname == "claim_total_charge":
            return reader.getter(fname, "amount")
        return reader.getter(fname)

    def _claim_header(self, row: list[Cell], rownum: int) -> dict[str, Any]:
        plan = self._header_plan
        if plan is None:
            plan = self._header_plan = [(fname, self._header_getter(fname)) for fname in self.claim_fields]
        h = {fname: get(row, rownum) for fname, get in plan}
        claim_type = str(h.get("claim_type", "")).upper()
        if not claim_type and "claim_type" not in self.needs:
            claim_type = "P"  # not asked for (reconciling): every claim reads as professional
        if claim_type not in ("P", "I"):
            self.problems.add(rownum, self._col("claim_type"), f"claim type {claim_type!r} is not P or I")
            raise SkipRow
        h["claim_type"] = claim_type
        return h

    def _add_line(self, row: list[Cell], rownum: int, parts: _ClaimParts, n: int, seq: int) -> None:
        reader = self.reader
        line_id = reader.field(row, rownum, "line_id", "text", n) if self._line_key else ""
        if not line_id and self.profile.line_id_template:
            claim_id = reader.field(row, rownum, "claim_id")
            line_id = self.profile.line_id_template.format(claim_id=claim_id, n=seq)
        if not line_id:
            self.problems.add(rownum, self._col("line_id"), "empty (every service line needs a line id)")
            return
        seen = self.line_rows.get(line_id)
        if seen is not None:
            self.problems.add(rownum, self._col("line_id"), f"line id {line_id!r} duplicates row {seen}")
            return
        self.line_rows[line_id] = rownum
        units = reader.required_amount(row, rownum, "units", n, "units" in self.needs)
        charge = reader.required_amount(row, rownum, "line_charge", n, "line_charge" in self.needs)
        pointers: list[int] = []
        codes: list[str] = []
        for token in reader.items(row, rownum, "diagnosis_pointers", n):
            if self._pointer_codes:
                codes.append(normalize_diagnosis(token))
                continue
            try:
                pointers.append(parse_pointer(token))
            except ValueError as exc:
                self.problems.add(rownum, self._col("diagnosis_pointers"), str(exc))
                raise SkipRow from None
        if self._own_dx and (
            own := normalize_diagnosis(reader.field(row, rownum, "diagnosis_code", "text", n))
        ):
            codes.append(own)
        if self.charges:
            parts.charge_lines.append(self._charge_line(row, rownum, n, line_id, units, charge))
            return
        if codes:
            parts.codes.append((len(parts.lines), tuple(codes)))
        parts.lines.append(
            ServiceLine(
                line_id=line_id,
                service_date=cast(dt.date | None, reader.field(row, rownum, "service_date", "date", n)),
                procedure_code=normalize_code(reader.field(row, rownum, "procedure_code", "text", n)),
                modifiers=tuple(normalize_code(m) for m in reader.items(row, rownum, "modifiers", n)),
                units=units,
                charge=charge,
                place_of_service=reader.field(row, rownum, "place_of_service", "text", n),
                revenue_code=reader.field(row, rownum, "revenue_code", "text", n),
                diagnosis_pointers=tuple(pointers),
                expected_amount=reader.field(row, rownum, "expected_amount", "amount", n),
                posted_payment=reader.field(row, rownum, "posted_payment", "amount", n),
                source_row=rownum,
            )
        )

    def _charge_line(
        self, row: list[Cell], rownum: int, n: int, line_id: str, units: Any, charge: Any
    ) -> ChargeLine:
        reader, shared = self.reader, self._shared
        procedure, service_date, expected = self._charge_getters.get(n) or self._charge_plan(n)
        code = normalize_code(procedure(row, rownum))
        modifiers = tuple(normalize_code(m) for m in reader.items(row, rownum, "modifiers", n))
        return ChargeLine(
            line_id=line_id,
            service_date=cast(dt.date | None, service_date(row, rownum)),
            procedure_code=shared.setdefault(code, code),
            modifiers=shared.setdefault(modifiers, modifiers),
            units=units,
            charge=charge,
            expected_amount=expected(row, rownum),
        )

    def _charge_plan(self, n: int) -> tuple[Getter, Getter, Getter]:
        """The readers of a compact line's procedure, date and expected amount (line ``n``), made once."""
        get = self.reader.getter
        plan = (get("procedure_code", "text", n), get("service_date", "date", n),
                get("expected_amount", "amount", n))  # fmt: skip
        self._charge_getters[n] = plan
        return plan

    # -- result ----------------------------------------------------------------------------------------------
    def finish(self) -> list[Claim]:
        """The claims in the order their first row appeared; diagnosis rows and codes resolved."""
        claims = []
        for claim_id, parts in self.claims.items():
            header = dict(zip(self.header_keys, parts.header, strict=True))
            dx = list(header.get("diagnosis_codes") or ())
            dx += [c for c in self.row_diagnoses.get(claim_id, ()) if c not in dx]
            for position, codes in parts.codes:
                line = parts.lines[position]
                pointers = list(line.diagnosis_pointers)
                for code in codes:
                    if code not in dx:
                        dx.append(code)
                    if (pointer := dx.index(code) + 1) not in pointers:
                        pointers.append(pointer)
                parts.lines[position] = dataclasses.replace(line, diagnosis_pointers=tuple(pointers))
            header["diagnosis_codes"] = tuple(dx)
            claims.append(assemble_claim(claim_id, header, parts.lines))
        return claims

    def finish_charges(self) -> list[ChargeClaim]:
        """The compact claims (``charges``) in the order their first row appeared."""
        claims = []
        keys, shared = self._charge_keys, self._shared
        for claim_id, parts in self.claims.items():
            values = parts.header
            header = {key: values[at] for key, at in keys}
            claims.append(charge_claim_of(claim_id, header, parts.charge_lines, shared))
        return claims
