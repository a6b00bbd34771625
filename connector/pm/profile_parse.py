"""Load PM profiles (shipped, override folder) and validate them; every error names the file and key."""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from connector.errors import ConfigError
from connector.pm.profile import (
    ALL_FIELDS,
    LINE_FIELDS,
    PROFILE_KINDS,
    REQUIRED_FIELDS,
    SETTINGS_FIELDS,
    ColumnSpec,
    DiagnosisRows,
    Lookup,
    Profile,
)
from connector.pm.rules import Condition, check_keys, date_formats, parse_conditions, parse_transform
from connector.resources import data_dir, mapping_file

TOP_KEYS = (
    "name", "description", "kind", "layout", "sheet", "header_row", "date_formats", "amount_strip",
    "separators", "values", "columns", "line_columns", "max_lines", "line_id_template", "line_present_when",
    "constants", "defaults", "from_settings", "lookups", "where", "diagnosis_rows", "absent",
    "skip_rows_matching",
)  # fmt: skip
SPEC_KEYS = ("column", "join", "strip_prefix", "regex", "split_name", "date_formats", "pointers")
LOOKUP_KEYS = ("file", "sheet", "key", "export_key", "columns", "header_row")
SEPARATOR_FIELDS = ("modifiers", "diagnosis_codes", "diagnosis_pointers")
NEVER_ABSENT = frozenset({"claim_id", "claim_type"})
TOTALS_PATTERN = r"^\s*(grand\s+|sub-?\s*)?totals?\b"
"""Rows whose claim id is blank or reads "Total" and that have a cell starting with this are skipped."""


def _field(key: Any, where: str, allowed: frozenset[str] | tuple[str, ...] = ALL_FIELDS) -> str:
    name = str(key)
    if name not in allowed:
        close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else " (see docs/pm-profiles.md for the field list)"
        raise ConfigError(f"{where}: {name!r} is not a canonical field{hint}")
    return name


def _spec(value: Any, where: str) -> ColumnSpec:
    """A header name, a list of names (first present wins), {join: [...]} or a mapping with transforms."""
    if isinstance(value, str):
        return ColumnSpec(names=(value,))
    if isinstance(value, list) and value and all(isinstance(v, str | int) for v in value):
        return ColumnSpec(names=tuple(str(v) for v in value))
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a header name, a list of names or a mapping {{column: ...}}")
    check_keys(value, SPEC_KEYS, where)
    if ("column" in value) == ("join" in value):
        raise ConfigError(f"{where}: give either column (a name or list of names) or join (a list)")
    names: tuple[str, ...] = ()
    join: tuple[str, ...] = ()
    if "column" in value:
        raw = value["column"]
        names = tuple(str(v) for v in raw) if isinstance(raw, list) else (str(raw),)
    else:
        if not isinstance(value["join"], list) or not value["join"]:
            raise ConfigError(f"{where}.join: expected a list of header names")
        join = tuple(str(v) for v in value["join"])
    pointers = str(value.get("pointers", "numbers"))
    if pointers not in ("numbers", "codes"):
        raise ConfigError(f"{where}.pointers: use numbers or codes, not {pointers!r}")
    formats = date_formats(value["date_formats"], f"{where}.date_formats") if "date_formats" in value else ()
    transform = parse_transform(value, where)
    return ColumnSpec(names, join, transform, formats, "codes" if pointers == "codes" else "numbers")


def _mapping(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a mapping")
    return value


def _scalars(data: dict[str, Any], key: str, source: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for fname, value in _mapping(data, key, source).items():
        name = _field(fname, f"{source}: {key}")
        if isinstance(value, dict | list):
            raise ConfigError(f"{source}: {key}.{name} must be a single value")
        out[name] = "" if value is None else str(value)
    return out


def _lookups(data: dict[str, Any], source: str) -> tuple[Lookup, ...]:
    raw = data.get("lookups") or []
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: lookups must be a list")
    out = []
    for i, item in enumerate(raw):
        where = f"{source}: lookups[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: expected {{file: ..., key: ..., export_key: ..., columns: {{...}}}}")
        check_keys(item, LOOKUP_KEYS, where)
        if ("file" in item) == ("sheet" in item):
            raise ConfigError(f"{where}: give file (next to the export) or sheet (in the same workbook)")
        for needed in ("key", "export_key", "columns"):
            if not item.get(needed):
                raise ConfigError(f"{where}: {needed} is required")
        if not isinstance(item["columns"], dict):
            raise ConfigError(f"{where}.columns: map fields to the lookup's header names")
        columns = {
            _field(f, f"{where}.columns"): _spec(v, f"{where}.columns.{f}")
            for f, v in item["columns"].items()
        }
        name = str(item.get("file") or item.get("sheet"))
        header_row = _header_row(item.get("header_row"), where)
        file, sheet = item.get("file"), item.get("sheet")
        out.append(
            Lookup(
                name,
                str(file) if file else None,
                str(sheet) if sheet else None,
                str(item["key"]),
                str(item["export_key"]),
                columns,
                header_row,
            )
        )
    return tuple(out)


def _header_row(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: header_row must be a row number (1 or more)")
    return value


def _diagnosis_rows(data: dict[str, Any], source: str) -> DiagnosisRows | None:
    raw = data.get("diagnosis_rows")
    if raw is None:
        return None
    where = f"{source}: diagnosis_rows"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected {{when: {{column: ..., in: [...]}}, code: COLUMN}}")
    check_keys(raw, ("when", "code"), where)
    if "when" not in raw or "code" not in raw:
        raise ConfigError(f"{where}: give when (which rows) and code (the column holding the diagnosis)")
    return DiagnosisRows(parse_conditions(raw["when"], f"{where}.when"), _spec(raw["code"], f"{where}.code"))


def _check_sources(profile: Profile, source: str) -> None:
    """A field comes from one place; every required field from somewhere, or is declared absent."""
    places: dict[str, list[str]] = {}
    sources: list[tuple[str, Mapping[str, object]]] = [
        ("columns", profile.columns),
        ("line_columns", profile.line_columns),
        ("constants", profile.constants),
        ("from_settings", profile.from_settings),
        *((f"lookups ({lk.name})", lk.columns) for lk in profile.lookups),
    ]
    for label, fields in sources:
        for fname in fields:
            places.setdefault(fname, []).append(label)
    for fname, where in places.items():
        if len(where) > 1 and set(where) != {"columns", "line_columns"}:
            raise ConfigError(f"{source}: {fname} is given in {' and '.join(where)}; keep one")
    for fname in profile.absent:
        if fname in NEVER_ABSENT:
            hint = " (give constants: {claim_type: P} when every claim is professional)"
            raise ConfigError(
                f"{source}: absent: {fname} cannot be absent{hint if fname == 'claim_type' else ''}"
            )
        if profile.provides(fname):
            raise ConfigError(f"{source}: absent: {fname} is also mapped; remove one")
    missing = sorted(f for f in REQUIRED_FIELDS - profile.absent if not profile.provides(f))
    if missing:
        raise ConfigError(
            f"{source}: required fields not mapped: {', '.join(missing)} (map a column, or give constants,"
            " defaults, from_settings or a lookup, or list them under absent: to hold their claims)"
        )


def parse_profile(data: Any, source: str) -> Profile:
    """Validate a profile mapping read from YAML; raise ConfigError naming ``source`` and the key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a PM profile must be a mapping")
    check_keys(data, TOP_KEYS, source)
    kind = str(data.get("kind", "claims"))
    if kind not in PROFILE_KINDS:
        raise ConfigError(f"{source}: kind must be one of {', '.join(PROFILE_KINDS)}, not {kind!r}")
    layout = data.get("layout", "line")
    if layout not in ("line", "claim"):
        raise ConfigError(f"{source}: layout must be 'line' or 'claim', not {layout!r}")
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict):
        raise ConfigError(f"{source}: 'columns' must map canonical fields to header names")
    columns = {
        _field(k, f"{source}: columns"): _spec(v, f"{source}: columns.{k}") for k, v in raw_columns.items()
    }
    line_columns: dict[str, str] = {}
    for key, pattern in _mapping(data, "line_columns", source).items():
        name = _field(key, f"{source}: line_columns", LINE_FIELDS)
        if "{n}" not in str(pattern):
            raise ConfigError(f"{source}: line_columns.{name} must contain {{n}}")
        line_columns[name] = str(pattern)
    max_lines = int(data.get("max_lines", 0))
    if layout == "claim" and (not line_columns or max_lines < 1):
        raise ConfigError(f"{source}: a claim-per-row profile needs line_columns and max_lines >= 1")
    line_present: tuple[Condition, ...] = ()
    if data.get("line_present_when") is not None:
        line_present = parse_conditions(data["line_present_when"], f"{source}: line_present_when", "field")
        for cond in line_present:
            if cond.target not in line_columns:
                raise ConfigError(f"{source}: line_present_when: {cond.target} is not one of line_columns")
    separators = {str(k): str(v) for k, v in _mapping(data, "separators", source).items()}
    check_keys(separators, SEPARATOR_FIELDS, f"{source}: separators")
    values = {
        _field(f, f"{source}: values"): {str(k).strip().casefold(): str(v) for k, v in m.items()}
        for f, m in _mapping(data, "values", source).items()
    }
    from_settings = _scalars(data, "from_settings", source)
    for fname, key in from_settings.items():
        check_keys({key: 1}, SETTINGS_FIELDS, f"{source}: from_settings.{fname}")
    absent_raw = data.get("absent") or []
    if not isinstance(absent_raw, list):
        raise ConfigError(f"{source}: absent must be a list of fields")
    skip = data.get("skip_rows_matching", TOTALS_PATTERN)
    try:
        skip_re = re.compile(str(skip), re.IGNORECASE) if skip else None
    except re.error as exc:
        raise ConfigError(f"{source}: skip_rows_matching is not a valid regular expression ({exc})") from None
    profile = Profile(
        name=str(data.get("name", Path(source).stem)),
        layout=layout,
        columns=columns,
        date_formats=date_formats(data.get("date_formats") or ["iso"], f"{source}: date_formats"),
        amount_strip=tuple(str(s) for s in data.get("amount_strip") or ()),
        separators=separators,
        values=values,
        line_columns=line_columns,
        max_lines=max_lines,
        line_id_template=str(data.get("line_id_template", "")),
        sheet=data.get("sheet"),
        description=str(data.get("description", "")),
        kind=kind,
        header_row=_header_row(data.get("header_row"), f"{source}: header_row"),
        constants=_scalars(data, "constants", source),
        defaults=_scalars(data, "defaults", source),
        from_settings=from_settings,
        lookups=_lookups(data, source),
        where=parse_conditions(data["where"], f"{source}: where") if data.get("where") else (),
        line_present_when=line_present,
        diagnosis_rows=_diagnosis_rows(data, source),
        absent=frozenset(_field(f, f"{source}: absent") for f in absent_raw),
        skip_rows_matching=skip_re,
    )
    _check_sources(profile, source)
    return profile


def available_profiles(override_dir: Path | None = None) -> list[str]:
    """Names of the profiles shipped in ``mappings/pm`` and of those in the override folder's ``pm/``."""
    names: set[str] = set()
    with contextlib.suppress(FileNotFoundError):
        names |= {p.stem for p in (data_dir("mappings") / "pm").glob("*.yaml")}
    if override_dir is not None:
        names |= {p.stem for p in (Path(override_dir) / "pm").glob("*.yaml")}
    return sorted(names)


def load_profile(name_or_path: str, override_dir: Path | None = None) -> Profile:
    """Load a profile by name (override folder first, then ``mappings/pm``) or by a path to a YAML file."""

    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        path = mapping_file(f"pm/{name_or_path}.yaml", override_dir)
        if not path.is_file():
            known = ", ".join(available_profiles(override_dir)) or "none"
            raise ConfigError(f"PM profile {name_or_path!r} not found (known profiles: {known})")
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path.name}: cannot read the profile ({exc.strerror})") from exc
    return parse_profile(data, path.name)
