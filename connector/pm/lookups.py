"""Lookup tables of a profile: another file next to the export (or a sheet of the workbook) joined on a key.

The patients, payers or providers table a PM keeps apart from its charges fills fields the charges lack.
A key not found in the lookup leaves its fields blank (defaults then apply; the scrubber flags what is
still missing). Only the first row of a repeated key is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from connector.errors import PMExportError
from connector.pm.columns import header_index, header_key, spec_indexes
from connector.pm.header import is_blank, locate_header
from connector.pm.profile import Lookup, Profile
from connector.pm.table import EXCEL_SUFFIXES, Cell, read_table
from connector.pm.values import as_text


@dataclass(slots=True)
class LookupTable:
    """A loaded lookup: rows by key text, and the columns each field reads."""

    spec: Lookup
    source: str
    rows: dict[str, list[Cell]] = field(default_factory=dict)
    fields: dict[str, list[int]] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    misses: int = 0
    """Export rows whose key was not found (counted for ``connector pm check``)."""

    def row(self, key: str) -> list[Cell] | None:
        """The lookup row for a key (None, counted as a miss, when there is none)."""
        hit = self.rows.get(key.casefold())
        if hit is None and key:
            self.misses += 1
        return hit

    def describe(self, fname: str) -> str:
        """Where a field comes from, for ``connector pm check``."""
        columns = ", ".join(self.header[i] for i in self.fields.get(fname, []))
        return f"lookup {self.source}: {columns} where {self.spec.key} = export {self.spec.export_key}"


def _path(lookup: Lookup, export: Path) -> tuple[Path, str | None]:
    if lookup.file is not None:
        return export.parent / lookup.file, None
    if export.suffix.lower() not in EXCEL_SUFFIXES:
        raise PMExportError(f"{export.name}: lookup sheet {lookup.sheet!r} needs an XLSX export, not CSV")
    return export, lookup.sheet


def load_lookup(lookup: Lookup, export: Path) -> LookupTable:
    """Read one lookup table; PMExportError when the file, sheet or a named column is missing."""
    path, sheet = _path(lookup, export)
    if not path.is_file():
        raise PMExportError(f"lookup {lookup.name}: file not found next to {export.name} ({path.name})")
    names = {lookup.key, *(n for spec in lookup.columns.values() for n in spec.headers)}
    table = locate_header(read_table(path, sheet=sheet), names, lookup.header_row)
    index = header_index(table.header)
    key_at = index.get(header_key(lookup.key))
    where = f"lookup {table.source}" + (f" (sheet {table.sheet})" if table.sheet else "")
    if key_at is None:
        raise PMExportError(f"{where}: key column {lookup.key} is missing")
    loaded = LookupTable(lookup, table.source if sheet is None else f"{table.source}:{sheet}")
    loaded.header = table.header
    for fname, spec in lookup.columns.items():
        found = spec_indexes(spec, index)
        if not found:
            raise PMExportError(
                f"{where}: column for {fname} is missing (looked for: {', '.join(spec.headers)})"
            )
        loaded.fields[fname] = found
    for row in table.rows:
        if is_blank(row) or key_at >= len(row):
            continue
        loaded.rows.setdefault(as_text(row[key_at]).casefold(), row)
    return loaded


def load_lookups(profile: Profile, export: Path) -> dict[str, LookupTable]:
    """Every lookup of the profile, by field it fills."""
    by_field: dict[str, LookupTable] = {}
    for lookup in profile.lookups:
        table = load_lookup(lookup, export)
        for fname in lookup.columns:
            by_field[fname] = table
    return by_field
