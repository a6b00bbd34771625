"""Draft a PM profile from an export's header (``connector pm init``): recognised names, formats, layout.

The draft always loads: an 837 field with no column is taken from the account's settings (billing provider),
given as a constant (claim type P) or listed under ``absent:`` with a comment saying what to do about it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from connector.pm.profile import AMOUNT_FIELDS, DATE_FIELDS, LIST_FIELDS, REQUIRED_FIELDS
from connector.pm.rules import NAMED_DATE_FORMATS
from connector.pm.table import Cell, RawTable, move_header
from connector.pm.values import as_text

NUMBERED = re.compile(r"^(.*?\D)[\s_#-]*(\d{1,2})$")
SETTINGS_FOR = {
    "billing_npi": "practice_npi",
    "billing_tin": "practice_tin",
    "billing_name": "practice_name",
    "billing_address": "practice_address",
    "billing_city": "practice_city",
    "billing_state": "practice_state",
    "billing_zip": "practice_zip",
}
DATE_ORDER = (
    "iso",
    "us",
    "us_short",
    "compact",
    "eu",
    "eu_slash",
    "iso_datetime",
    "sql_datetime",
    "us_datetime",
)


def squash(name: str) -> str:
    """A header name without case, blanks or punctuation (``Claim #`` -> ``claim``)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def load_synonyms(override_dir: Path | None = None) -> dict[str, str]:
    """squashed header name -> canonical field, from ``mappings/pm-init/headers.yaml``."""
    from connector.resources import mapping_file

    with mapping_file("pm-init/headers.yaml", override_dir).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    out: dict[str, str] = {}
    for fname, names in data.items():
        for name in names:
            out.setdefault(squash(str(name)), str(fname))
    return out


@dataclass(slots=True)
class Draft:
    """What was recognised in a header."""

    header_row: int
    columns: dict[str, str] = field(default_factory=dict)
    joins: dict[str, list[str]] = field(default_factory=dict)
    line_columns: dict[str, str] = field(default_factory=dict)
    max_lines: int = 0
    date_formats: list[str] = field(default_factory=list)
    amount_strip: bool = False
    unused: list[str] = field(default_factory=list)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    separators: dict[str, str] = field(default_factory=dict)

    @property
    def layout(self) -> str:
        """``claim`` when service lines sit in numbered columns."""
        return "claim" if self.line_columns else "line"

    def provides(self, fname: str) -> bool:
        """True when the header gave the field a column."""
        return fname in self.columns or fname in self.joins or fname in self.line_columns


def _recognise(cells: Sequence[str], synonyms: dict[str, str]) -> int:
    hits = 0
    for cell in cells:
        match = NUMBERED.match(cell.strip())
        if squash(cell) in synonyms or (match and squash(match.group(1)) in synonyms):
            hits += 1
    return hits


def find_header(table: RawTable, synonyms: dict[str, str]) -> RawTable:
    """The table re-headed at the first-20 row that names the most known columns."""
    best, score = -1, _recognise(table.header, synonyms)
    for i, row in enumerate(table.rows[:19]):
        hits = _recognise([as_text(c) for c in row], synonyms)
        if hits > score:
            best, score = i, hits
    return move_header(table, best) if best >= 0 else table


def recognise(table: RawTable, synonyms: dict[str, str]) -> Draft:
    """Map each header to a canonical field; numbered headers become joins or line slots."""
    draft = Draft(header_row=table.first_row_number - 1)
    groups: dict[str, list[tuple[int, str]]] = {}
    for name in table.header:
        if not name:
            continue
        fname = synonyms.get(squash(name))
        match = NUMBERED.match(name.strip())
        base = synonyms.get(squash(match.group(1))) if match else None
        if fname and fname not in draft.columns and not (base and fname == base):
            draft.columns[fname] = name
        elif match and base:
            groups.setdefault(base, []).append((int(match.group(2)), name))
        else:
            draft.unused.append(name)
    for fname, items in groups.items():
        items.sort()
        if len(items) == 1 and fname not in LIST_FIELDS:
            draft.columns.setdefault(fname, items[0][1])
            continue
        if (fname in LIST_FIELDS and fname != "diagnosis_pointers") or len(items) == 1:
            if fname not in draft.columns:
                draft.joins[fname] = [n for _, n in items]
            continue
        first = items[0][1].strip()
        at = NUMBERED.match(first)
        if at is not None:
            draft.line_columns[fname] = first[: at.start(2)] + "{n}"
        draft.max_lines = max(draft.max_lines, max(n for n, _ in items))
    if draft.line_columns and "modifiers" in draft.joins:
        first = draft.joins.pop("modifiers")[0]
        at = NUMBERED.match(first)
        if at is not None:
            draft.line_columns["modifiers"] = first[: at.start(2)] + "{n}"
    if not draft.line_columns and "service_date" not in draft.columns and "statement_from" in draft.columns:
        draft.columns["service_date"] = draft.columns.pop("statement_from")  # "from date" of a line
    if len(draft.line_columns) == 1 and "diagnosis_pointers" in draft.line_columns:
        name = draft.line_columns.pop("diagnosis_pointers")
        draft.joins["diagnosis_pointers"] = [name.format(n=n) for n in range(1, draft.max_lines + 1)]
        draft.max_lines = 0
    _formats(table, draft)
    _values(table, draft)
    return draft


VALUE_GUESSES: dict[str, tuple[tuple[str, str], ...]] = {
    "claim_type": (("1500", "P"), ("prof", "P"), ("ub", "I"), ("1450", "I"), ("inst", "I")),
    "patient_sex": (("female", "F"), ("woman", "F"), ("male", "M"), ("man", "M"), ("unk", "U")),
}
"""What a PM's wording for a claim type or sex most likely means (``values:`` of the draft)."""


def _values(table: RawTable, draft: Draft) -> None:
    for fname, guesses in VALUE_GUESSES.items():
        column = draft.columns.get(fname)
        if column is None:
            continue
        seen = {as_text(c) for c in _samples(table, [column])}
        canonical = {v for _, v in guesses}
        mapping = {}
        for text in sorted(seen - canonical)[:10]:
            hit = next((v for k, v in guesses if k in text.casefold()), None)
            if hit is not None:
                mapping[text] = hit
        if mapping:
            draft.values[fname] = mapping


def _samples(table: RawTable, names: list[str], limit: int = 200) -> list[Cell]:
    at = [i for i, h in enumerate(table.header) if h in names]
    return [row[i] for row in table.rows[:limit] for i in at if i < len(row) and as_text(row[i])]


def _formats(table: RawTable, draft: Draft) -> None:
    import datetime as dt

    date_names = [draft.columns[f] for f in DATE_FIELDS if f in draft.columns]
    date_names += [p.format(n=1) for f, p in draft.line_columns.items() if f in DATE_FIELDS]
    texts = [as_text(c) for c in _samples(table, date_names) if not isinstance(c, dt.date)]
    for name in DATE_ORDER:
        patterns = NAMED_DATE_FORMATS[name]
        if texts and all(any(_parses(t, p) for p in patterns) for t in texts):
            draft.date_formats.append(name)
            break
    for fname in LIST_FIELDS:
        names = [draft.columns[fname]] if fname in draft.columns else []
        names += [draft.line_columns[fname].format(n=1)] if fname in draft.line_columns else []
        cells = " ".join(as_text(c) for c in _samples(table, names))
        default = ";" if fname == "diagnosis_codes" else ":"
        found = next((s for s in (";", ",", ":", "|") if s in cells), default)
        if found != default:
            draft.separators[fname] = found
    amount_names = [draft.columns[f] for f in AMOUNT_FIELDS if f in draft.columns]
    draft.amount_strip = any("$" in as_text(c) or "," in as_text(c) for c in _samples(table, amount_names))


def _parses(text: str, pattern: str) -> bool:
    import datetime as dt

    try:
        dt.datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


def q(text: str) -> str:
    """A YAML scalar, quoted."""
    return json.dumps(text)


def render(draft: Draft, name: str, source: str) -> str:
    """The draft as a commented profile YAML."""
    out = [f"# Drafted by `connector pm init` from {source}: check every line, then run connector pm check.",
           f"name: {name}", f"layout: {draft.layout}"]  # fmt: skip
    if draft.header_row != 1:
        out.append(f"header_row: {draft.header_row}")
    if draft.line_columns:
        out += [f"max_lines: {draft.max_lines}", 'line_id_template: "{claim_id}-{n}"']
        slot = "procedure_code" if "procedure_code" in draft.line_columns else next(iter(draft.line_columns))
        out.append(f"line_present_when: {{field: {slot}, filled: true}}")
    out.append(f"date_formats: [{', '.join(draft.date_formats or ['iso'])}]")
    if draft.amount_strip:
        out.append('amount_strip: ["$", ","]')
    if "claim_type" not in draft.columns:
        out.append(
            "constants: {claim_type: P}   # no claim type column: professional; use I for institutional"
        )
    if draft.separators:
        out.append(f"separators: {{{', '.join(f'{f}: {q(s)}' for f, s in draft.separators.items())}}}")
    if draft.values:
        out.append("values:   # the PM's wording -> P/I, M/F/U: check these guesses")
        for fname, mapping in draft.values.items():
            out.append(f"  {fname}: {{{', '.join(f'{q(k)}: {v}' for k, v in mapping.items())}}}")
    out.append("columns:")
    if "claim_id" not in draft.columns:
        out.append("  # claim_id: ???   no claim id column recognised: name the column that holds it")
    out += [f"  {f}: {q(n)}" for f, n in draft.columns.items()]
    out += [f"  {f}: {{join: [{', '.join(q(n) for n in names)}]}}" for f, names in draft.joins.items()]
    if draft.line_columns:
        out.append("line_columns:")
        out += [f"  {f}: {q(p)}" for f, p in draft.line_columns.items()]
    settings = {f: k for f, k in SETTINGS_FOR.items() if not draft.provides(f)}
    if settings:
        out.append("from_settings:   # the practice's own, from the account in connector.toml")
        out += [f"  {f}: {k}" for f, k in settings.items()]
    missing = sorted(
        f
        for f in REQUIRED_FIELDS
        if not draft.provides(f) and f not in settings and f not in ("claim_type", "claim_id")
    )
    if "line_id" in missing and draft.line_columns:
        missing.remove("line_id")
    elif "line_id" in missing:
        missing.remove("line_id")
        out.insert(3, 'line_id_template: "{claim_id}-{n}"   # no line id column: made from the claim id')
    if missing:
        out.append("# Not found in the header: give each a column, a constant, a default or a lookup;")
        out.append("# while listed here, scrubbing holds every claim for them.")
        out.append(f"absent: [{', '.join(missing)}]")
    if draft.unused:
        more = f" and {len(draft.unused) - 12} more" if len(draft.unused) > 12 else ""
        out.append(f"# Columns not used: {', '.join(draft.unused[:12])}{more}")
    return "\n".join(out) + "\n"
