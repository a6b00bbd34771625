"""Resolve a profile's column names against an export's header row (case- and spacing-insensitive)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from connector.pm.profile import ColumnSpec, Profile


def header_key(name: str) -> str:
    """Compare header names without case, surrounding blanks or repeated inner blanks."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


@dataclass(slots=True)
class ColumnMap:
    """Column indexes for every canonical field found in the header.

    ``fields[f]`` holds one index per source column (several for a ``join`` spec). For a claim-per-row
    layout ``numbered[f][n-1]`` holds the index of the n-th line's column (None when that column is absent).
    """

    header: list[str]
    fields: dict[str, list[int]] = field(default_factory=dict)
    numbered: dict[str, list[int | None]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """Human messages for needed columns that are absent."""
    index: dict[str, int] = field(default_factory=dict)
    """header_key(name) -> first column with that name."""

    def name(self, index: int) -> str:
        """The header text of column ``index`` as the file writes it."""
        return self.header[index] if index < len(self.header) else f"#{index + 1}"

    def find(self, name: str) -> int | None:
        """The index of the column named ``name`` (None when absent)."""
        return self.index.get(header_key(name))


def spec_indexes(spec: ColumnSpec, index: dict[str, int]) -> list[int]:
    """The columns a spec reads in a header index: the first name present, or every present join column."""
    if spec.join:
        return [index[header_key(n)] for n in spec.join if header_key(n) in index]
    hit = next((index[header_key(n)] for n in spec.names if header_key(n) in index), None)
    return [] if hit is None else [hit]


def header_index(header: list[str]) -> dict[str, int]:
    """header_key -> column index (the first of repeated names)."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(header_key(name), i)
    return index


def _elsewhere(profile: Profile, fname: str) -> bool:
    """True when the field has a source besides its export column (constant, default, settings, lookup)."""
    return (
        fname in profile.constants
        or fname in profile.defaults
        or fname in profile.from_settings
        or any(fname in lk.columns for lk in profile.lookups)
        or (fname == "diagnosis_codes" and profile.diagnosis_rows is not None)
    )


def resolve_columns(profile: Profile, header: list[str], needs: Collection[str]) -> ColumnMap:
    """Find every mapped field in ``header``; list the needed ones that come from nowhere."""
    cmap = ColumnMap(header=header, index=header_index(header))
    for fname, spec in profile.columns.items():
        found = spec_indexes(spec, cmap.index)
        if found:
            cmap.fields[fname] = found
        elif fname in needs and fname not in profile.line_columns and not _elsewhere(profile, fname):
            cmap.missing.append(f"column for {fname} is missing (looked for: {', '.join(spec.headers)})")
    for fname, pattern in profile.line_columns.items():
        slots = [cmap.find(pattern.format(n=n)) for n in range(1, profile.max_lines + 1)]
        if slots[0] is None:
            if fname in needs and fname not in cmap.fields and not _elsewhere(profile, fname):
                cmap.missing.append(f"column for {fname} is missing (looked for: {pattern.format(n=1)})")
            continue
        cmap.numbered[fname] = slots
    has_line_id = "line_id" in cmap.fields or "line_id" in cmap.numbered or profile.line_id_template
    if not has_line_id and "line_id" in needs:
        line_spec = profile.columns.get("line_id")
        tried = ", ".join(line_spec.names) if line_spec else "no column mapped"
        cmap.missing.append(f"column for line_id is missing (looked for: {tried})")
    for name in sorted({c.target for c in profile.where} | {lk.export_key for lk in profile.lookups}):
        if cmap.find(name) is None:
            cmap.missing.append(f"column {name} is missing (the profile's where/lookups use it)")
    return cmap
