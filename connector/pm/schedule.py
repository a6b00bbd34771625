"""Read a PM schedule export (appointments) through a schedule profile, with the charges export's rules.

Profiles live in ``mappings/pm/schedule/<name>.yaml`` (``generic`` reads ``docs/pm-schedule-generic.md``).
The file's shape is checked all or nothing: missing columns, unreadable appointment dates or times and
unreadable amounts are raised together as one :class:`ExportSchemaError` naming file, sheet, row and column.
Patient details that only stop one appointment from being checked (a missing or malformed member id, a
missing or unreadable date of birth) do not stop the import: that appointment comes back with ``unusable``
set (the message names the row and column) and is reported "not checked". PHI is never echoed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector.eligibility.model import Appointment
from connector.errors import ConfigError
from connector.pm.columns import header_key
from connector.pm.problems import ExportSchemaError, Problem, ProblemList
from connector.pm.profile import ColumnSpec
from connector.pm.table import Cell, RawTable, read_table
from connector.pm.values import AmountParser, DateParser, as_text, normalize_code, split_list
from connector.resources import data_dir, mapping_file

SCHEDULE_FIELDS: tuple[str, ...] = (
    "appointment_id", "appointment_date", "appointment_time", "patient_id", "patient_last_name",
    "patient_first_name", "patient_dob", "patient_sex", "member_id", "payer_id", "payer_name",
    "rendering_npi", "visit_type", "procedure_codes", "planned_charge",
)  # fmt: skip
REQUIRED = frozenset(
    {"appointment_date", "patient_id", "patient_last_name", "patient_first_name", "patient_dob", "member_id"}
    | {"payer_id", "rendering_npi"}
)
"""Columns every schedule export must have (a missing one stops the import)."""
MEMBER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{1,29}")
"""A member id as payers issue them: 2 to 30 letters, digits or dashes (no blanks, no 'N/A')."""


@dataclass(slots=True, frozen=True)
class ScheduleProfile:
    """A loaded schedule profile."""

    name: str
    columns: dict[str, ColumnSpec]
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    time_formats: tuple[str, ...] = ("%H:%M",)
    amount_strip: tuple[str, ...] = ()
    procedure_separator: str = ";"
    sheet: str | None = None
    description: str = ""


@dataclass(slots=True)
class Schedule:
    """The appointments of one export, in file order, and the rows that cannot be checked."""

    source: str
    profile: str
    appointments: list[Appointment] = field(default_factory=list)

    @property
    def unusable(self) -> list[Appointment]:
        """Appointments that will be reported 'not checked' (their ``unusable`` says why)."""
        return [a for a in self.appointments if a.unusable]


def _names(value: Any, where: str) -> ColumnSpec:
    """A header name or a list of names (first present wins)."""
    if isinstance(value, str):
        return ColumnSpec(names=(value,))
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ColumnSpec(names=tuple(value))
    raise ConfigError(f"{where}: expected a header name or a list of names")


def parse_schedule_profile(data: Any, source: str) -> ScheduleProfile:
    """Validate a schedule profile read from YAML; raise ConfigError naming ``source`` and the key."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ConfigError(f"{source}: a schedule profile is a mapping with 'columns'")
    if data.get("kind", "schedule") != "schedule":
        raise ConfigError(f"{source}: kind must be 'schedule'")
    columns: dict[str, ColumnSpec] = {}
    for key, value in data["columns"].items():
        if key not in SCHEDULE_FIELDS:
            raise ConfigError(f"{source}: columns.{key} is not a schedule field")
        columns[key] = _names(value, f"{source}: columns.{key}")
    missing = sorted(REQUIRED - set(columns))
    if missing:
        raise ConfigError(f"{source}: required fields not mapped: {', '.join(missing)}")
    separators = data.get("separators") or {}
    return ScheduleProfile(
        name=str(data.get("name", Path(source).stem)),
        columns=columns,
        date_formats=tuple(data.get("date_formats") or ("%Y-%m-%d",)),
        time_formats=tuple(data.get("time_formats") or ("%H:%M",)),
        amount_strip=tuple(str(s) for s in data.get("amount_strip") or ()),
        procedure_separator=str(separators.get("procedure_codes", ";")),
        sheet=data.get("sheet"),
        description=str(data.get("description", "")),
    )


def available_schedule_profiles() -> list[str]:
    """Names of the schedule profiles shipped in ``mappings/pm/schedule``."""
    try:
        folder = data_dir("mappings") / "pm" / "schedule"
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))


def load_schedule_profile(name_or_path: str, override_dir: Path | None = None) -> ScheduleProfile:
    """Load a schedule profile by name (``mappings/pm/schedule/<name>.yaml``) or by a path to a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        path = mapping_file(f"pm/schedule/{name_or_path}.yaml", override_dir)
        if not path.is_file():
            known = ", ".join(available_schedule_profiles()) or "none"
            raise ConfigError(f"schedule profile {name_or_path!r} not found (known profiles: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from exc
    return parse_schedule_profile(data, path.name)


def _time(cell: Cell, formats: Sequence[str]) -> dt.time | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, dt.datetime):
        return cell.time()
    if isinstance(cell, dt.time):
        return cell
    if isinstance(cell, float) and 0 <= cell < 1:  # an Excel time stored as a fraction of a day
        seconds = round(cell * 86400)
        return dt.time(seconds // 3600, seconds // 60 % 60)
    text = as_text(cell).upper()
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise ValueError(f"{as_text(cell)!r} is not a time in the format {' or '.join(formats)}")


class _Rows:
    """Turns raw rows into appointments, collecting file-shape problems."""

    def __init__(self, table: RawTable, profile: ScheduleProfile, problems: ProblemList) -> None:
        self.table, self.profile, self.problems = table, profile, problems
        self.index: dict[str, int] = {}
        keys = {header_key(h): i for i, h in reversed(list(enumerate(table.header)))}
        for fname, spec in profile.columns.items():
            hit = next((keys[header_key(n)] for n in spec.names if header_key(n) in keys), None)
            if hit is not None:
                self.index[fname] = hit
            elif fname in REQUIRED:
                problems.add(1, None, f"column for {fname} is missing (looked for: {', '.join(spec.names)})")
        self.dates = DateParser(profile.date_formats)
        self.amounts = AmountParser(profile.amount_strip)

    def cell(self, row: Sequence[Cell], fname: str) -> Cell:
        at = self.index.get(fname)
        return row[at] if at is not None and at < len(row) else None

    def column(self, fname: str) -> str:
        at = self.index.get(fname)
        return self.table.header[at] if at is not None else fname

    def text(self, row: Sequence[Cell], fname: str) -> str:
        return as_text(self.cell(row, fname))

    def build(self, number: int, row: Sequence[Cell]) -> Appointment | None:
        where = f"{self.table.source}" + (f", sheet {self.table.sheet}" if self.table.sheet else "")
        try:
            day = self.dates(self.cell(row, "appointment_date"))
        except ValueError as exc:
            self.problems.add(number, self.column("appointment_date"), str(exc))
            return None
        if day is None:
            self.problems.add(number, self.column("appointment_date"), "the appointment date is empty")
            return None
        try:
            at = _time(self.cell(row, "appointment_time"), self.profile.time_formats) or dt.time(0, 0)
            charge = self.amounts(self.cell(row, "planned_charge"))
        except ValueError as exc:
            column = "planned_charge" if "amount" in str(exc) else "appointment_time"
            self.problems.add(number, self.column(column), str(exc))
            return None
        unusable = ""
        member = self.text(row, "member_id")
        try:
            dob = self.dates(self.cell(row, "patient_dob"))
        except ValueError:
            dob, unusable = None, f"{where}, row {number}, column {self.column('patient_dob')}: not a date"
        if dob is None and not unusable:
            unusable = f"{where}, row {number}, column {self.column('patient_dob')}: date of birth missing"
        if not MEMBER_ID.fullmatch(member):
            reason = "member id missing" if not member else "member id is not a valid id"
            unusable = unusable or f"{where}, row {number}, column {self.column('member_id')}: {reason}"
        return Appointment(
            source=where,
            row=number,
            start=dt.datetime.combine(day, at),
            patient_id=self.text(row, "patient_id"),
            last_name=self.text(row, "patient_last_name"),
            first_name=self.text(row, "patient_first_name"),
            dob=dob,
            sex=self.text(row, "patient_sex").upper()[:1],
            member_id=member,
            payer_id=self.text(row, "payer_id"),
            payer_name=self.text(row, "payer_name"),
            provider_npi=self.text(row, "rendering_npi"),
            visit_type=self.text(row, "visit_type"),
            procedures=tuple(
                normalize_code(c)
                for c in split_list(self.text(row, "procedure_codes"), self.profile.procedure_separator)
            ),
            planned_charge=charge,
            appointment_id=self.text(row, "appointment_id"),
            unusable=unusable,
        )


def parse_schedule(table: RawTable, profile: ScheduleProfile) -> Schedule:
    """Appointments of a raw table; raise ExportSchemaError when the file's shape is wrong anywhere."""
    problems = ProblemList(table)
    rows = _Rows(table, profile, problems)
    problems.raise_if_any()
    schedule = Schedule(table.source, profile.name)
    for offset, row in enumerate(table.rows):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        number = table.first_row_number + offset
        if not rows.text(row, "patient_id"):
            problems.add(number, rows.column("patient_id"), "the patient id is empty")
            continue
        appointment = rows.build(number, row)
        if appointment is not None:
            schedule.appointments.append(appointment)
        if problems.full:
            break
    if not problems.items and not schedule.appointments:
        problems.add(None, None, "the schedule has a header but no appointments")
    problems.raise_if_any()
    return schedule


def read_schedule(
    path: Path | str,
    profile: ScheduleProfile | str = "generic",
    *,
    sheet: str | None = None,
    override_dir: Path | None = None,
) -> Schedule:
    """Read a CSV or XLSX schedule export with a schedule profile (a ScheduleProfile or its name)."""
    loaded = profile if isinstance(profile, ScheduleProfile) else load_schedule_profile(profile, override_dir)
    table = read_table(Path(path), sheet=sheet, preferred_sheet=loaded.sheet)
    return parse_schedule(table, loaded)


__all__ = [
    "ExportSchemaError",
    "Problem",
    "Schedule",
    "ScheduleProfile",
    "load_schedule_profile",
    "parse_schedule",
    "read_schedule",
]
