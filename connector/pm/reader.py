"""Read a PM export through a profile into canonical claims, all or nothing.

The schema check runs over the whole file before anything is returned: missing columns, unparseable dates or
amounts, duplicate line ids and claim-level values that differ between the lines of one claim are collected
(up to ``MAX_PROBLEMS``) and raised together as one :class:`ExportSchemaError` naming file, sheet, row and
column.
Cell contents are never echoed for PHI fields (names, DOB, member id, address).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from connector.pm.columns import ColumnMap, resolve_columns
from connector.pm.models import PMExport
from connector.pm.problems import MAX_PROBLEMS, ExportSchemaError, Problem, ProblemList
from connector.pm.profile import Profile, available_profiles, load_profile
from connector.pm.rows import RowBuilder
from connector.pm.table import RawTable, read_table
from connector.settings import ArchiveLimits

WRONG_PROFILE_HINT = 5
"""With this many required columns missing, the file most likely needs another profile."""

__all__ = ["MAX_PROBLEMS", "ExportSchemaError", "Problem", "parse_table", "read_export"]


def _is_blank(row: Sequence[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def parse_table(table: RawTable, profile: Profile) -> PMExport:
    """Turn a raw table into claims with the profile; raise ExportSchemaError on any schema problem."""
    problems = ProblemList(table)
    cmap: ColumnMap = resolve_columns(profile, table.header)
    if len(cmap.missing) >= WRONG_PROFILE_HINT:
        known = ", ".join(available_profiles())
        hint = f"most columns of profile {profile.name!r} are missing: choose the export's profile ({known})"
        problems.add(1, None, hint)
    for message in cmap.missing:
        problems.add(1, None, message)
    problems.raise_if_any()
    builder = RowBuilder(profile, cmap, problems)
    data_rows = 0
    for offset, row in enumerate(table.rows):
        if _is_blank(row):
            continue
        data_rows += 1
        builder.add_row(table.first_row_number + offset, row)
        if problems.full:
            break
    claims = builder.finish()
    if not problems.items and data_rows == 0:
        problems.add(None, None, "the export has a header but no data rows")
    problems.raise_if_any()
    return PMExport(
        source=table.source,
        sheet=table.sheet,
        profile=profile.name,
        claims=tuple(claims),
        row_count=data_rows,
    )


def read_export(
    path: Path | str,
    profile: Profile | str = "generic",
    *,
    sheet: str | None = None,
    override_dir: Path | None = None,
    limits: ArchiveLimits | None = None,
) -> PMExport:
    """Read a CSV or XLSX PM export with a profile (a Profile or its name); all claims or an error.

    An XLSX is first checked against the archive ``limits`` (default: the CONNECTOR_ARCHIVE_LIMITS__* values).
    """
    loaded = profile if isinstance(profile, Profile) else load_profile(profile, override_dir)
    table = read_table(Path(path), sheet=sheet, preferred_sheet=loaded.sheet, limits=limits)
    return parse_table(table, loaded)
