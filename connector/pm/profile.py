"""PM export profiles: which column holds each canonical field, date and amount formats, row layout.

A profile is a YAML file in ``mappings/pm/`` (``generic.yaml`` reads ``docs/pm-export-generic.md``). Shape::

    name: generic
    layout: line            # line: one row per service line; claim: one row per claim, lines in CPT1..CPTn
    sheet: Charges          # XLSX sheet to prefer (the first sheet when absent from the workbook)
    date_formats: ["%Y-%m-%d"]
    amount_strip: ["$", ","]    # characters removed from amounts; "(12.00)" reads as -12.00
    separators: {modifiers: ":", diagnosis_codes: ";", diagnosis_pointers: ":"}
    values: {claim_type: {professional: P}}   # PM wording -> canonical value (matched case-insensitively)
    columns:                # canonical field -> header names (first present wins) or {join: [...]}
      claim_id: [claim_id, Claim #]
      modifiers: {join: [Mod1, Mod2, Mod3, Mod4]}
    line_columns:           # layout claim only: line field -> header pattern with {n} (1..max_lines)
      procedure_code: "CPT{n}"
    max_lines: 6
    line_id_template: "{claim_id}-{n}"   # when the PM has no line id column
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from connector.errors import ConfigError
from connector.resources import data_dir, mapping_file

CLAIM_FIELDS: tuple[str, ...] = (
    "claim_id",
    "claim_type",
    "patient_id",
    "patient_last_name",
    "patient_first_name",
    "patient_dob",
    "patient_sex",
    "patient_address",
    "patient_city",
    "patient_state",
    "patient_zip",
    "member_id",
    "payer_id",
    "payer_name",
    "billing_npi",
    "billing_tin",
    "billing_name",
    "billing_address",
    "billing_city",
    "billing_state",
    "billing_zip",
    "rendering_npi",
    "rendering_last_name",
    "rendering_first_name",
    "referring_npi",
    "referring_last_name",
    "referring_first_name",
    "diagnosis_codes",
    "claim_total_charge",
    "frequency_code",
    "original_claim_number",
    "type_of_bill",
    "statement_from",
    "statement_to",
    "submitted_date",
    "claim_status",
)
LINE_FIELDS: tuple[str, ...] = (
    "line_id",
    "service_date",
    "procedure_code",
    "modifiers",
    "units",
    "place_of_service",
    "revenue_code",
    "diagnosis_pointers",
    "line_charge",
    "expected_amount",
    "posted_payment",
)
ALL_FIELDS = frozenset(CLAIM_FIELDS + LINE_FIELDS)

_GENERIC_TEXT = """
    claim_id line_id claim_type patient_id patient_last_name patient_first_name patient_dob
    patient_sex patient_address patient_city patient_state patient_zip member_id payer_id
    payer_name billing_npi billing_tin billing_name billing_address billing_city billing_state
    billing_zip rendering_npi referring_npi service_date procedure_code modifiers units
    place_of_service revenue_code diagnosis_codes diagnosis_pointers line_charge
    claim_total_charge expected_amount frequency_code original_claim_number type_of_bill
    statement_from statement_to submitted_date claim_status posted_payment
    """
GENERIC_COLUMNS: tuple[str, ...] = tuple(_GENERIC_TEXT.split())
"""The ``generic`` PM export's columns in order (docs/pm-export-generic.md); writers of that shape use it."""

REQUIRED_FIELDS = frozenset(
    {
        "claim_id",
        "claim_type",
        "patient_id",
        "patient_dob",
        "member_id",
        "payer_id",
        "billing_npi",
        "billing_tin",
        "diagnosis_codes",
        "service_date",
        "procedure_code",
        "units",
        "line_charge",
    }
)
"""Fields whose column must be present in every export (a missing one stops the import)."""

DATE_FIELDS = frozenset({"patient_dob", "service_date", "statement_from", "statement_to", "submitted_date"})
AMOUNT_FIELDS = frozenset({"claim_total_charge", "line_charge", "expected_amount", "posted_payment", "units"})
LIST_FIELDS = frozenset({"modifiers", "diagnosis_codes", "diagnosis_pointers"})

Layout = Literal["line", "claim"]


@dataclass(slots=True, frozen=True)
class ColumnSpec:
    """Where a canonical field comes from: the first header found among ``names``, or all ``join`` columns."""

    names: tuple[str, ...] = ()
    join: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class Profile:
    """A loaded PM export profile."""

    name: str
    layout: Layout
    columns: dict[str, ColumnSpec]
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    amount_strip: tuple[str, ...] = ()
    separators: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    line_columns: dict[str, str] = field(default_factory=dict)
    max_lines: int = 0
    line_id_template: str = ""
    sheet: str | None = None
    description: str = ""

    def separator(self, field_name: str) -> str:
        """The list separator for ``modifiers``, ``diagnosis_codes`` or ``diagnosis_pointers``."""
        default = ";" if field_name == "diagnosis_codes" else ":"
        return self.separators.get(field_name, default)


def _names(value: Any, where: str) -> ColumnSpec:
    if isinstance(value, str):
        return ColumnSpec(names=(value,))
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ColumnSpec(names=tuple(value))
    if isinstance(value, dict) and set(value) == {"join"} and isinstance(value["join"], list):
        return ColumnSpec(join=tuple(str(v) for v in value["join"]))
    raise ConfigError(f"{where}: expected a header name, a list of names or {{join: [...]}}")


def parse_profile(data: Any, source: str) -> Profile:
    """Validate a profile mapping read from YAML; raise ConfigError naming ``source`` and the key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a PM profile must be a mapping")
    layout = data.get("layout", "line")
    if layout not in ("line", "claim"):
        raise ConfigError(f"{source}: layout must be 'line' or 'claim', not {layout!r}")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict):
        raise ConfigError(f"{source}: 'columns' must map canonical fields to header names")
    columns: dict[str, ColumnSpec] = {}
    for key, value in raw_columns.items():
        if key not in ALL_FIELDS:
            raise ConfigError(f"{source}: columns.{key} is not a canonical field")
        columns[key] = _names(value, f"{source}: columns.{key}")
    line_columns = {str(k): str(v) for k, v in (data.get("line_columns") or {}).items()}
    for key, pattern in line_columns.items():
        if key not in LINE_FIELDS:
            raise ConfigError(f"{source}: line_columns.{key} is not a line field")
        if "{n}" not in pattern:
            raise ConfigError(f"{source}: line_columns.{key} must contain {{n}}")
    max_lines = int(data.get("max_lines", 0))
    line_id_template = str(data.get("line_id_template", ""))
    if layout == "claim" and (not line_columns or max_lines < 1):
        raise ConfigError(f"{source}: a claim-per-row profile needs line_columns and max_lines >= 1")
    mapped = set(columns) | set(line_columns)
    if line_id_template:
        mapped.add("line_id")
    missing = sorted(REQUIRED_FIELDS - mapped)
    if missing:
        raise ConfigError(f"{source}: required fields not mapped: {', '.join(missing)}")
    values = {
        str(f): {str(k).strip().casefold(): str(v) for k, v in m.items()}
        for f, m in (data.get("values") or {}).items()
    }
    return Profile(
        name=str(data.get("name", Path(source).stem)),
        layout=layout,
        columns=columns,
        date_formats=tuple(data.get("date_formats") or ("%Y-%m-%d",)),
        amount_strip=tuple(str(s) for s in data.get("amount_strip") or ()),
        separators={str(k): str(v) for k, v in (data.get("separators") or {}).items()},
        values=values,
        line_columns=line_columns,
        max_lines=max_lines,
        line_id_template=line_id_template,
        sheet=data.get("sheet"),
        description=str(data.get("description", "")),
    )


def load_profile(name_or_path: str, override_dir: Path | None = None) -> Profile:
    """Load a profile by name (``mappings/pm/<name>.yaml``) or by a path to a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        path = mapping_file(f"pm/{name_or_path}.yaml", override_dir)
        if not path.is_file():
            known = ", ".join(available_profiles()) or "none"
            raise ConfigError(f"PM profile {name_or_path!r} not found (known profiles: {known})")
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from exc
    return parse_profile(data, path.name)


def available_profiles() -> list[str]:
    """Names of the profiles shipped in ``mappings/pm``."""
    try:
        folder = data_dir("mappings") / "pm"
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))
