"""The practice's schedule export (docs/pm-schedule-generic.md) and the eligibility ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from connector.sandbox.eligibility import Visit
from connector.sandbox.model import Dataset
from connector.sandbox.xlsx import sheet_bytes

SCHEDULE_COLUMNS: tuple[str, ...] = (
    "appointment_id", "appointment_date", "appointment_time", "patient_id", "patient_last_name",
    "patient_first_name", "patient_dob", "patient_sex", "member_id", "payer_id", "payer_name",
    "rendering_npi", "visit_type", "procedure_codes", "planned_charge",
)  # fmt: skip
"""The ``generic`` schedule export's columns, in order."""
Value = str | Decimal | dt.date | None


def schedule_rows(data: Dataset) -> list[list[Value]]:
    """One row per appointment, typed (dates, Decimals, strings; None for an empty cell)."""
    payer = data.payer
    rows: list[list[Value]] = []
    for v in data.visits:
        p = v.patient
        rows.append(
            [
                v.appointment_id,
                v.start.date(),
                v.start.strftime("%H:%M"),
                p.patient_id,
                p.last,
                p.first,
                v.dob_in_pm,
                p.sex,
                v.member_id,
                payer.payer_id,
                payer.name,
                v.provider_npi,
                v.visit_type,
                ";".join(v.procedures),
                Decimal(v.planned_charge) / 100,
            ]
        )
    return rows


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def schedule_csv_bytes(data: Dataset) -> bytes:
    """The schedule export as UTF-8 CSV with a header row (\\r\\n line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SCHEDULE_COLUMNS)
    for row in schedule_rows(data):
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def schedule_xlsx_bytes(data: Dataset, created: dt.datetime) -> bytes:
    """The schedule export as XLSX (sheet ``Schedule``; dates as dates, money as numbers); the caller
    normalizes the zip for byte-identity."""
    return sheet_bytes("Schedule", SCHEDULE_COLUMNS, schedule_rows(data), created)


def _truth(v: Visit) -> dict[str, object]:
    return {
        "appointment_id": v.appointment_id,
        "patient_id": v.patient.patient_id,
        "member_id": v.member_id,
        "service_date": v.start.date().isoformat(),
        "case": v.case,
        "status": v.status,
        "flags": sorted(v.flags),
        "estimate": None if v.estimate is None else f"{Decimal(v.estimate) / 100:.2f}",
    }


def eligibility_truth(data: Dataset) -> list[dict[str, object]]:
    """Every appointment of the schedule with the status, flags and patient estimate a check must report."""
    return [_truth(v) for v in data.visits]
