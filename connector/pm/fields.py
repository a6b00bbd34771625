"""Read one canonical field from an export row: its column(s), a lookup, a constant, the settings, a default.

A :class:`FieldReader` builds one small function per field (and per line slot) the first time the field is
read, so the common case (a plain text column) stays a list index and a strip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from typing import Any, cast

from connector.errors import ConfigError
from connector.pm.columns import ColumnMap
from connector.pm.lookups import LookupTable
from connector.pm.problems import ProblemList
from connector.pm.profile import AMOUNT_FIELDS, DATE_FIELDS, LIST_FIELDS, Profile
from connector.pm.rules import Transform
from connector.pm.table import Cell
from connector.pm.values import AmountParser, DateParser, as_text, split_list

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
NO_TRANSFORM = Transform()


class SkipRow(Exception):
    """A cell problem was recorded; stop building this row."""


def kind_of(fname: str) -> str:
    """``date``, ``amount`` or ``text``: how a field's cells are read."""
    return "date" if fname in DATE_FIELDS else "amount" if fname in AMOUNT_FIELDS else "text"


class FieldReader:
    """Reads fields of export rows through a profile; records cell problems in ``problems``."""

    def __init__(
        self,
        profile: Profile,
        cmap: ColumnMap,
        problems: ProblemList,
        lookups: Mapping[str, LookupTable],
        practice: Mapping[str, str],
        needs: Collection[str] = (),
    ) -> None:
        self.profile = profile
        self.cmap = cmap
        self.problems = problems
        self.lookups = lookups
        self.amounts = AmountParser(profile.amount_strip)
        self._dates: dict[tuple[str, ...], DateParser] = {}
        self._getters: dict[tuple[str, str, int], Getter] = {}
        self._item_transforms = {
            f: spec.transform
            for f, spec in profile.columns.items()
            if f in LIST_FIELDS and spec.transform.active
        }
        self.fixed: dict[str, Any] = {}
        """Constants and settings values, converted once."""
        self.defaults: dict[str, Any] = {}
        for fname, value in profile.constants.items():
            self.fixed[fname] = self._literal(fname, value, "constants")
        for fname, key in profile.from_settings.items():
            if key not in practice and fname not in needs:
                self.fixed[fname] = "" if kind_of(fname) == "text" else None  # not asked for: left blank
                continue
            if key not in practice:
                raise ConfigError(
                    f"profile {profile.name}: {fname} comes from the account's settings ({key}); choose the"
                    " account (--account) or give the field another source"
                )
            self.fixed[fname] = self._literal(fname, practice[key], f"from_settings ({key})")
        for fname, value in profile.defaults.items():
            self.defaults[fname] = self._literal(fname, value, "defaults")

    def _literal(self, fname: str, value: str, where: str) -> Any:
        kind = kind_of(fname)
        try:
            converted = self.convert(fname, value, kind, NO_TRANSFORM)
        except ValueError as exc:
            raise ConfigError(f"profile {self.profile.name}: {where}.{fname}: {exc}") from None
        if fname in LIST_FIELDS:
            return split_list(cast(str, converted), self.profile.separator(fname))
        return converted

    def dates_for(self, fname: str) -> DateParser:
        """The date parser of a field (its own formats, else the profile's)."""
        spec = self.profile.columns.get(fname)
        formats = spec.date_formats if spec and spec.date_formats else self.profile.date_formats
        parser = self._dates.get(formats)
        if parser is None:
            parser = self._dates[formats] = DateParser(formats)
        return parser

    # -- cells -----------------------------------------------------------------------------------------------
    def convert(self, fname: str, raw: Cell, kind: str, transform: Transform) -> Any:
        """One cell as the field's type; ValueError with a plain reason."""
        if transform is not NO_TRANSFORM and not isinstance(raw, dt.date):
            raw = transform(as_text(raw))
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
            return self.dates_for(fname)(raw)
        return self.amounts(raw)

    def get(
        self,
        row: list[Cell],
        rownum: int,
        fname: str,
        index: int,
        kind: str,
        transform: Transform,
        label: str = "",
    ) -> Any:
        """Convert cell ``index`` of ``row``; a problem is recorded (no PHI) and SkipRow raised on failure."""
        raw = row[index] if index < len(row) else ""
        try:
            return self.convert(fname, raw, kind, transform)
        except ValueError as exc:
            if kind == "date":  # dates of service and birth are PHI: never echoed
                reason = f"not a date in the format {self.dates_for(fname).expected}"
            elif fname in PHI_FIELDS:
                reason = f"not a valid {kind}"
            else:
                reason = str(exc).replace("an amount", "a number") if fname == "units" else str(exc)
            self.problems.add(rownum, label or self.cmap.name(index), reason)
            raise SkipRow from None

    def field(self, row: list[Cell], rownum: int, fname: str, kind: str = "text", n: int = 0) -> Any:
        """One field of the row (line ``n`` for numbered columns); joined fields come back as a tuple."""
        getter = self._getters.get((fname, kind, n)) or self.getter(fname, kind, n)
        return getter(row, rownum)

    def getter(self, fname: str, kind: str = "text", n: int = 0) -> Getter:
        """The function :meth:`field` calls for this field: ``getter(row, rownum)`` (kept by a caller that
        reads the field on every row)."""
        key = (fname, kind, n)
        getter = self._getters.get(key)
        if getter is None:
            getter = self._getters[key] = self._with_default(fname, self._make_getter(fname, kind, n))
        return getter

    def items(self, row: list[Cell], rownum: int, fname: str, n: int = 0) -> tuple[str, ...]:
        """A list field split on its separator, the field's transform applied to each item."""
        value = self.field(row, rownum, fname, "text", n)
        sep = self.profile.separator(fname)
        if isinstance(value, tuple):
            parts = tuple(p for v in value for p in split_list(v, sep))
        else:
            parts = split_list(cast(str, value), sep)
        transform = self._item_transforms.get(fname)
        if transform is not None and not (n and fname in self.cmap.numbered):
            parts = tuple(t for p in parts if (t := transform(p)))
        return parts

    def _with_default(self, fname: str, getter: Getter) -> Getter:
        if fname not in self.defaults:
            return getter
        default = self.defaults[fname]

        def defaulted(row: list[Cell], rownum: int) -> Any:
            value = getter(row, rownum)
            return default if value in ("", None, ()) else value

        return defaulted

    def _make_getter(self, fname: str, kind: str, n: int) -> Getter:
        """A reader for one field, built once per field: a fast path for plain text cells."""
        empty = "" if kind == "text" else None
        if fname in self.fixed:
            fixed = self.fixed[fname]
            return lambda row, rownum: fixed
        numbered = self.cmap.numbered.get(fname)
        spec = self.profile.columns.get(fname)
        transform = NO_TRANSFORM
        if spec is not None and fname not in LIST_FIELDS and spec.transform.active:
            transform = spec.transform
        if n and numbered is not None:
            indexes = [] if numbered[n - 1] is None else [cast(int, numbered[n - 1])]
            join, transform = False, NO_TRANSFORM
        else:
            indexes = self.cmap.fields.get(fname) or []
            join = len(indexes) > 1 or bool(spec and spec.join)
        if not indexes:
            if fname in self.lookups:
                return self._lookup_getter(fname, kind, self.lookups[fname])
            return lambda row, rownum: empty
        get = self.get
        if join:
            return lambda row, rownum: tuple(
                v for i in indexes if (v := get(row, rownum, fname, i, kind, transform))
            )
        index = indexes[0]
        if kind != "text" and transform is NO_TRANSFORM:  # what convert() does, without its dispatch
            parse: Callable[[Cell], Any] = self.dates_for(fname) if kind == "date" else self.amounts

            def typed_cell(row: list[Cell], rownum: int) -> Any:
                try:
                    return parse(row[index] if index < len(row) else "")
                except ValueError:  # recorded as get() records it
                    return get(row, rownum, fname, index, kind, transform)

            return typed_cell
        plain = kind == "text" and transform is NO_TRANSFORM
        if plain and fname not in NUMERIC_PAD and fname not in self.profile.values:

            def plain_text(row: list[Cell], rownum: int) -> Any:
                raw = row[index] if index < len(row) else ""
                if type(raw) is str:
                    return raw.strip()
                return get(row, rownum, fname, index, kind, transform)

            return plain_text
        return lambda row, rownum: get(row, rownum, fname, index, kind, transform)

    def _lookup_getter(self, fname: str, kind: str, table: LookupTable) -> Getter:
        on = self.cmap.find(table.spec.export_key)
        indexes = table.fields[fname]
        spec = table.spec.columns[fname]
        transform = spec.transform if fname not in LIST_FIELDS and spec.transform.active else NO_TRANSFORM
        empty = "" if kind == "text" else None
        get = self.get
        joined = len(indexes) > 1 or bool(spec.join)

        def from_lookup(row: list[Cell], rownum: int) -> Any:
            key = as_text(row[on]) if on is not None and on < len(row) else ""
            found = table.row(key)
            if found is None:
                return empty
            values = [
                get(found, rownum, fname, i, kind, transform, f"{table.source} {table.header[i]}")
                for i in indexes
            ]
            return tuple(v for v in values if v) if joined else values[0]

        return from_lookup

    def required_amount(self, row: list[Cell], rownum: int, fname: str, n: int, needed: bool) -> Decimal:
        """An amount every line must have (units, charge); 0 when the field is not needed and blank."""
        value = self.field(row, rownum, fname, "amount", n)
        if value is None:
            if not needed:
                return Decimal(0)
            where = self.cmap.numbered.get(fname)
            if n and where and where[n - 1] is not None:
                column: str | None = self.cmap.name(cast(int, where[n - 1]))
            else:
                indexes = self.cmap.fields.get(fname)
                column = self.cmap.name(indexes[0]) if indexes else None
            self.problems.add(rownum, column, f"empty ({fname.replace('_', ' ')} is required on every line)")
            raise SkipRow
        return cast(Decimal, value)


def needed_fields(profile: Profile, needs: Collection[str]) -> frozenset[str]:
    """What this read must find: the command's needs less the fields the profile declares absent."""
    return frozenset(needs) - profile.absent
