"""What ``connector pm check`` shows: for every field, where the profile takes it from and sample values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connector.pm.fields import PHI_FIELDS
from connector.pm.models import Claim, ServiceLine
from connector.pm.profile import CLAIM_FIELDS, LINE_FIELDS, Profile
from connector.pm.reader import ReadResult

SAMPLES = 3

ClaimValue = Callable[[Claim], Any]
LineValue = Callable[[ServiceLine], Any]

CLAIM_VALUES: dict[str, ClaimValue] = {
    "claim_id": lambda c: c.claim_id,
    "claim_type": lambda c: c.claim_type,
    "patient_id": lambda c: c.patient.account_id,
    "patient_last_name": lambda c: c.patient.last_name,
    "patient_first_name": lambda c: c.patient.first_name,
    "patient_dob": lambda c: c.patient.dob,
    "patient_sex": lambda c: c.patient.sex,
    "patient_address": lambda c: c.patient.address.line1,
    "patient_city": lambda c: c.patient.address.city,
    "patient_state": lambda c: c.patient.address.state,
    "patient_zip": lambda c: c.patient.address.zip,
    "member_id": lambda c: c.patient.member_id,
    "payer_id": lambda c: c.payer_id,
    "payer_name": lambda c: c.payer_name,
    "billing_npi": lambda c: c.billing.npi,
    "billing_tin": lambda c: c.billing.tin,
    "billing_name": lambda c: c.billing.name,
    "billing_address": lambda c: c.billing.address.line1,
    "billing_city": lambda c: c.billing.address.city,
    "billing_state": lambda c: c.billing.address.state,
    "billing_zip": lambda c: c.billing.address.zip,
    "rendering_npi": lambda c: c.rendering_npi,
    "rendering_last_name": lambda c: c.rendering_last_name,
    "rendering_first_name": lambda c: c.rendering_first_name,
    "referring_npi": lambda c: c.referring_npi,
    "referring_last_name": lambda c: c.referring_last_name,
    "referring_first_name": lambda c: c.referring_first_name,
    "diagnosis_codes": lambda c: ";".join(c.diagnosis_codes),
    "claim_total_charge": lambda c: c.total_charge,
    "frequency_code": lambda c: c.frequency_code,
    "original_claim_number": lambda c: c.original_claim_number,
    "type_of_bill": lambda c: c.type_of_bill,
    "statement_from": lambda c: c.statement_from,
    "statement_to": lambda c: c.statement_to,
    "submitted_date": lambda c: c.submitted_date,
    "claim_status": lambda c: c.status,
}
LINE_VALUES: dict[str, LineValue] = {
    "line_id": lambda ln: ln.line_id,
    "service_date": lambda ln: ln.service_date,
    "procedure_code": lambda ln: ln.procedure_code,
    "modifiers": lambda ln: ":".join(ln.modifiers),
    "units": lambda ln: ln.units,
    "place_of_service": lambda ln: ln.place_of_service,
    "revenue_code": lambda ln: ln.revenue_code,
    "diagnosis_pointers": lambda ln: ":".join(str(p) for p in ln.diagnosis_pointers),
    "line_charge": lambda ln: ln.charge,
    "expected_amount": lambda ln: ln.expected_amount,
    "posted_payment": lambda ln: ln.posted_payment,
}


@dataclass(slots=True, frozen=True)
class FieldReport:
    """One line of the check: a field, where it comes from, what it read."""

    field: str
    source: str
    samples: tuple[str, ...]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def samples(result: ReadResult, fname: str) -> tuple[str, ...]:
    """Up to three distinct non-blank values read for a field (PHI fields: only how many were read)."""
    seen: dict[str, None] = {}
    if fname in CLAIM_VALUES:
        values = (CLAIM_VALUES[fname](c) for c in result.export.claims)
    elif fname in LINE_VALUES:
        values = (LINE_VALUES[fname](ln) for c in result.export.claims for ln in c.lines)
    else:
        return ()
    count = 0
    for value in values:
        text = _text(value)
        if text:
            count += 1
            if len(seen) < SAMPLES:
                seen.setdefault(text)
    if fname in PHI_FIELDS and count:
        return (f"({count} values, not shown: PHI)",)
    return tuple(seen)


def source(result: ReadResult, profile: Profile, fname: str) -> str:
    """Where the profile takes a field from, as found in this export."""
    cmap = result.cmap
    if fname in profile.constants:
        return f"constant {profile.constants[fname]!r}"
    if fname in profile.from_settings:
        return f"account settings: {profile.from_settings[fname]}"
    parts: list[str] = []
    spec = profile.columns.get(fname)
    if fname in cmap.numbered:
        slots = [cmap.name(i) for i in cmap.numbered[fname] if i is not None]
        parts.append(f"columns {slots[0]}..{slots[-1]}" if len(slots) > 1 else f"column {slots[0]}")
    if fname in cmap.fields:
        names = [cmap.name(i) for i in cmap.fields[fname]]
        parts.append(("columns " + " + ".join(names)) if len(names) > 1 else f"column {names[0]}")
        if spec is not None and spec.transform.active:
            parts[-1] += f" ({spec.transform.describe()})"
        if spec is not None and spec.pointers == "codes":
            parts[-1] += " (diagnosis codes turned into pointers)"
    elif spec is not None and fname not in cmap.numbered:
        parts.append(f"column {' / '.join(spec.headers)} NOT FOUND")
    builder = result.builder
    table = builder.reader.lookups.get(fname) if builder is not None else None
    if table is not None and not parts:
        parts.append(table.describe(fname))
    if fname == "diagnosis_codes" and profile.diagnosis_rows is not None:
        when = "; ".join(c.describe() for c in profile.diagnosis_rows.when)
        parts.append(f"rows where {when} (column {' / '.join(profile.diagnosis_rows.code.headers)})")
    if fname == "line_id" and not parts and profile.line_id_template:
        parts.append(f"made as {profile.line_id_template}")
    if fname in profile.defaults:
        parts.append(f"default {profile.defaults[fname]!r} when blank")
    if fname in profile.absent:
        parts.append("absent: every claim held when scrubbed")
    return "; ".join(parts) or "not mapped"


def field_reports(result: ReadResult, profile: Profile) -> list[FieldReport]:
    """Every canonical field the profile maps (or the export is asked for), in canonical order."""
    out = []
    for fname in (*CLAIM_FIELDS, *LINE_FIELDS):
        if not profile.provides(fname) and fname not in profile.absent:
            continue
        out.append(FieldReport(fname, source(result, profile, fname), samples(result, fname)))
    return out
