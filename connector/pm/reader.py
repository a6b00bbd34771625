"""Read a PM export through a profile into canonical claims, all or nothing.

The header is found among the first rows (a report title above it is dropped) unless the profile gives
``header_row``; blank rows and totals rows are skipped. The schema check runs over the whole file before
anything is returned: missing columns, unparseable dates or amounts, duplicate line ids and claim-level
values that differ between the lines of one claim are collected (up to ``MAX_PROBLEMS``) and raised together
as one :class:`ExportSchemaError` naming file, sheet, row and column. A command asks only for the fields it
uses (``needs``): reconciling does not need a date of birth. Cell contents are never echoed for PHI fields.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connector.pm.columns import ColumnMap, resolve_columns
from connector.pm.fields import needed_fields
from connector.pm.header import is_blank, is_totals, locate_header
from connector.pm.lookups import LookupTable, load_lookups
from connector.pm.models import ChargeClaim, ChargeExport, PMExport
from connector.pm.problems import MAX_PROBLEMS, ExportSchemaError, Problem, ProblemList
from connector.pm.profile import RECONCILE_FIELDS, RECONCILE_LINE_KEYS, REQUIRED_FIELDS, Profile
from connector.pm.profile_parse import load_profile
from connector.pm.rows import RowBuilder
from connector.pm.table import RawTable, read_table
from connector.settings import ArchiveLimits

WRONG_PROFILE_HINT = 5
"""With this many needed columns missing, the file most likely needs another profile."""

__all__ = [
    "MAX_PROBLEMS",
    "ExportSchemaError",
    "Problem",
    "ReadResult",
    "check_export",
    "parse_table",
    "read_charges",
    "read_export",
    "reconcile_needs",
]


def reconcile_needs(profile: Profile) -> frozenset[str]:
    """What reconciling needs: claim ids and charges, lines by line id or else by service date + procedure."""
    has_line_id = (
        "line_id" in profile.columns or "line_id" in profile.line_columns or profile.line_id_template
    )
    return RECONCILE_FIELDS | ({"line_id"} if has_line_id else set(RECONCILE_LINE_KEYS))


@dataclass(slots=True)
class ReadResult:
    """Everything one pass over an export found: the claims read cleanly, the problems, what was skipped."""

    export: PMExport
    problems: list[Problem]
    truncated: bool
    table: RawTable
    cmap: ColumnMap
    builder: RowBuilder | None
    skipped: dict[str, int] = field(default_factory=dict)
    charges: list[ChargeClaim] = field(default_factory=list)
    """The compact claims when read with ``charges`` (``export.claims`` is then empty)."""

    def raise_if_any(self) -> None:
        """Raise ExportSchemaError when any problem was found."""
        if self.problems:
            raise ExportSchemaError(self.problems, self.truncated)


def read_rows(
    table: RawTable,
    profile: Profile,
    *,
    needs: Collection[str] = REQUIRED_FIELDS,
    lookups: Mapping[str, LookupTable] | None = None,
    practice: Mapping[str, str] | None = None,
    charges: bool = False,
) -> ReadResult:
    """One pass over the table; problems are collected, never raised; ``charges``: compact claims only."""
    table = locate_header(table, profile.header_names(), profile.header_row)
    problems = ProblemList(table)
    wanted = needed_fields(profile, needs)
    cmap = resolve_columns(profile, table.header, wanted)
    empty = PMExport(table.source, table.sheet, profile.name, (), 0)
    if len(cmap.missing) >= WRONG_PROFILE_HINT:
        hint = f"most columns of profile {profile.name!r} are missing: choose the export's profile"
        problems.add(1, None, hint + " (connector pm init drafts one)")
    for message in cmap.missing:
        problems.add(table.first_row_number - 1, None, message)
    if problems.items:
        return ReadResult(empty, problems.items, problems.truncated, table, cmap, None)
    builder = RowBuilder(profile, cmap, problems, needs=wanted, lookups=lookups, practice=practice,
                         charges=charges)  # fmt: skip
    claim_columns = cmap.fields.get("claim_id")
    claim_at = claim_columns[0] if claim_columns else None
    data_rows = totals = 0
    for offset, row in enumerate(table.rows):
        if is_blank(row):
            continue
        if is_totals(row, claim_at, profile.skip_rows_matching):
            totals += 1
            continue
        data_rows += 1
        builder.add_row(table.first_row_number + offset, row)
        if problems.full:
            break
    compact = builder.finish_charges() if charges else []
    claims = [] if charges else builder.finish()
    builder.claims.clear()
    if not problems.items and data_rows == 0:
        problems.add(None, None, "the export has a header but no data rows")
    export = PMExport(table.source, table.sheet, profile.name, tuple(claims), data_rows, profile.absent)
    skipped = {"totals rows": totals, **builder.skipped}
    return ReadResult(export, problems.items, problems.truncated, table, cmap, builder, skipped, compact)


def parse_table(
    table: RawTable,
    profile: Profile,
    *,
    needs: Collection[str] = REQUIRED_FIELDS,
    lookups: Mapping[str, LookupTable] | None = None,
    practice: Mapping[str, str] | None = None,
) -> PMExport:
    """Turn a raw table into claims with the profile; raise ExportSchemaError on any schema problem."""
    result = read_rows(table, profile, needs=needs, lookups=lookups, practice=practice)
    result.raise_if_any()
    return result.export


def check_export(
    path: Path | str,
    profile: Profile | str = "generic",
    *,
    sheet: str | None = None,
    override_dir: Path | None = None,
    needs: Collection[str] = REQUIRED_FIELDS,
    practice: Mapping[str, str] | None = None,
    limits: ArchiveLimits | None = None,
    stream: bool = False,
    charges: bool = False,
) -> ReadResult:
    """Read an export and keep the problems instead of raising them (``connector pm check``); ``stream``:
    a CSV's rows are parsed during the one pass and not kept (``ReadResult.table`` then holds only the first
    rows)."""
    loaded = profile if isinstance(profile, Profile) else load_profile(profile, override_dir)
    path = Path(path)
    table = read_table(
        path, sheet=sheet, preferred_sheet=loaded.sheet, limits=limits, stream=stream, share=not charges
    )  # fmt: skip (compact claims share the few texts they keep)
    lookups = load_lookups(loaded, path) if loaded.lookups else None
    return read_rows(table, loaded, needs=needs, lookups=lookups, practice=practice, charges=charges)


def read_export(
    path: Path | str,
    profile: Profile | str = "generic",
    *,
    sheet: str | None = None,
    override_dir: Path | None = None,
    needs: Collection[str] = REQUIRED_FIELDS,
    practice: Mapping[str, str] | None = None,
    limits: ArchiveLimits | None = None,
) -> PMExport:
    """Read a CSV or XLSX PM export with a profile (a Profile or its name); all claims or an error.

    ``needs`` names the fields the caller uses (every 837 field by default; :func:`reconcile_needs` for
    reconciling); ``practice`` holds the account's settings values a profile's ``from_settings`` reads.
    An XLSX is first checked against the archive ``limits`` (default: the CONNECTOR_ARCHIVE_LIMITS__* values).
    """
    result = check_export(path, profile, sheet=sheet, override_dir=override_dir, needs=needs,
                          practice=practice, limits=limits, stream=True)  # fmt: skip
    result.raise_if_any()
    return result.export


def read_charges(
    path: Path | str,
    profile: Profile | str = "generic",
    *,
    sheet: str | None = None,
    override_dir: Path | None = None,
    practice: Mapping[str, str] | None = None,
    limits: ArchiveLimits | None = None,
) -> ChargeExport:
    """Read an export for reconciling: compact claims built row by row (``reconcile_needs``), all or an error.

    The rows are checked as :func:`read_export` checks them with the same ``needs``; only what matching, the
    report and the KPIs read is kept of each claim and line.
    """
    loaded = profile if isinstance(profile, Profile) else load_profile(profile, override_dir)
    result = check_export(path, loaded, sheet=sheet, needs=reconcile_needs(loaded), practice=practice,
                          limits=limits, stream=True, charges=True)  # fmt: skip
    result.raise_if_any()
    return ChargeExport(result.export.source, loaded.name, tuple(result.charges), result.export.row_count)
