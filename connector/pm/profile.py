"""PM export profiles: where each canonical field comes from, and how rows, cells and dates are read.

A profile is a YAML file in ``mappings/pm/`` (or the override folder); every key is documented in
``docs/pm-profiles.md`` and validated by :mod:`connector.pm.profile_parse` (an unknown key is refused).
This module holds the canonical field lists and the loaded shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from connector.pm.rules import Condition, Transform

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
    "diagnosis_code",
)
"""``diagnosis_code`` is a line's own ICD-10 code: it becomes a pointer into the claim's diagnoses."""
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
"""Fields a claim needs to be scrubbed and sent on an 837: each must come from somewhere (a column, a
constant, a default, a lookup, the account's settings), or be listed under ``absent:`` (its claims are then
held)."""

RECONCILE_FIELDS = frozenset({"claim_id", "line_charge"})
"""Reconciling needs claim ids and line charges, and lines known by a line id or by date + procedure code."""
RECONCILE_LINE_KEYS = ("service_date", "procedure_code")


DATE_FIELDS = frozenset({"patient_dob", "service_date", "statement_from", "statement_to", "submitted_date"})
AMOUNT_FIELDS = frozenset({"claim_total_charge", "line_charge", "expected_amount", "posted_payment", "units"})
LIST_FIELDS = frozenset({"modifiers", "diagnosis_codes", "diagnosis_pointers"})

Layout = Literal["line", "claim"]
Pointers = Literal["numbers", "codes"]

SETTINGS_FIELDS: dict[str, str] = {
    "practice_name": "the account's practice_name",
    "practice_npi": "the account's first npis entry",
    "practice_tin": "the account's first tins entry",
    "practice_address": "the account's address.line1",
    "practice_city": "the account's address.city",
    "practice_state": "the account's address.state",
    "practice_zip": "the account's address.zip",
}
"""Values ``from_settings:`` may take from the account being run (``connector.toml``)."""

PROFILE_KINDS = ("claims",)
"""What an export holds; other exports (appointment schedules) add their kind and field lists."""


@dataclass(slots=True, frozen=True)
class ColumnSpec:
    """Where a field comes from in a table: the first header found among ``names``, or every ``join`` one."""

    names: tuple[str, ...] = ()
    join: tuple[str, ...] = ()
    transform: Transform = field(default_factory=Transform)
    date_formats: tuple[str, ...] = ()
    """Formats for this field only (else the profile's)."""
    pointers: Pointers = "numbers"
    """``diagnosis_pointers`` only: ``codes`` when the column lists diagnosis codes instead of positions."""

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header name the spec mentions."""
        return self.join or self.names


@dataclass(slots=True, frozen=True)
class Lookup:
    """Fields filled from another file or sheet: its row whose ``key`` column equals the export's ``on``."""

    name: str
    """The file (or sheet) name, for messages."""
    file: str | None
    sheet: str | None
    key: str
    export_key: str
    columns: dict[str, ColumnSpec]
    header_row: int | None = None


@dataclass(slots=True, frozen=True)
class DiagnosisRows:
    """Rows that carry one diagnosis of the claim instead of a service line."""

    when: tuple[Condition, ...]
    code: ColumnSpec


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
    kind: str = "claims"
    header_row: int | None = None
    """1-based row of the header; None: found among the first rows."""
    constants: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    from_settings: dict[str, str] = field(default_factory=dict)
    """Field -> a key of SETTINGS_FIELDS."""
    lookups: tuple[Lookup, ...] = ()
    where: tuple[Condition, ...] = ()
    line_present_when: tuple[Condition, ...] = ()
    diagnosis_rows: DiagnosisRows | None = None
    absent: frozenset[str] = frozenset()
    skip_rows_matching: re.Pattern[str] | None = None

    def separator(self, field_name: str) -> str:
        """The list separator for ``modifiers``, ``diagnosis_codes`` or ``diagnosis_pointers``."""
        default = ";" if field_name == "diagnosis_codes" else ":"
        return self.separators.get(field_name, default)

    def provides(self, field_name: str) -> bool:
        """True when the profile says where ``field_name`` comes from (column, constant, lookup, ...)."""
        return (
            field_name in self.columns
            or field_name in self.line_columns
            or field_name in self.constants
            or field_name in self.defaults
            or field_name in self.from_settings
            or any(field_name in lk.columns for lk in self.lookups)
            or (field_name == "line_id" and bool(self.line_id_template))
            or (field_name == "diagnosis_codes" and self.diagnosis_rows is not None)
        )

    def header_names(self) -> set[str]:
        """Every export header the profile names (to find the header row among the first rows)."""
        names = {n for spec in self.columns.values() for n in spec.headers}
        names |= {p.format(n=1) for p in self.line_columns.values()}
        names |= {c.target for c in self.where}
        names |= {lk.export_key for lk in self.lookups}
        if self.diagnosis_rows is not None:
            names |= set(self.diagnosis_rows.code.headers) | {c.target for c in self.diagnosis_rows.when}
        return names
