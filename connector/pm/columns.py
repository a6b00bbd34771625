"""Resolve a profile's column names against an export's header row (case- and spacing-insensitive)."""

from __future__ import annotations

from dataclasses import dataclass, field

from connector.pm.profile import REQUIRED_FIELDS, Profile


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
    """Human messages for required columns that are absent."""

    def name(self, index: int) -> str:
        """The header text of column ``index`` as the file writes it."""
        return self.header[index] if index < len(self.header) else f"#{index + 1}"


def resolve_columns(profile: Profile, header: list[str]) -> ColumnMap:
    """Find every mapped field in ``header``; list the required ones that are missing."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(header_key(name), i)
    cmap = ColumnMap(header=header)
    for fname, spec in profile.columns.items():
        if spec.join:
            found = [index[header_key(n)] for n in spec.join if header_key(n) in index]
            looked = spec.join
        else:
            hit = next((index[header_key(n)] for n in spec.names if header_key(n) in index), None)
            found = [] if hit is None else [hit]
            looked = spec.names
        if found:
            cmap.fields[fname] = found
        elif fname in REQUIRED_FIELDS and fname not in profile.line_columns:
            cmap.missing.append(f"column for {fname} is missing (looked for: {', '.join(looked)})")
    for fname, pattern in profile.line_columns.items():
        slots = [index.get(header_key(pattern.format(n=n))) for n in range(1, profile.max_lines + 1)]
        if slots[0] is None:
            if fname in REQUIRED_FIELDS and fname not in cmap.fields:
                cmap.missing.append(f"column for {fname} is missing (looked for: {pattern.format(n=1)})")
            continue
        cmap.numbered[fname] = slots
    has_line_id = "line_id" in cmap.fields or "line_id" in cmap.numbered or profile.line_id_template
    if not has_line_id:
        line_spec = profile.columns.get("line_id")
        tried = ", ".join(line_spec.names) if line_spec else "no column mapped"
        cmap.missing.append(f"column for line_id is missing (looked for: {tried})")
    return cmap
