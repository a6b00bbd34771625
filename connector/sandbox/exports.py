"""Files the generator writes for the practice: PM export and schedule (CSV, XLSX), bank CSV, ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from connector.fileio import atomic_write_bytes, ensure_private_dir
from connector.pm.profile import GENERIC_COLUMNS
from connector.sandbox.model import Claim, Dataset, Line
from connector.sandbox.schedule_export import eligibility_truth, schedule_csv_bytes, schedule_xlsx_bytes
from connector.sandbox.xlsx import sheet_bytes

PM_COLUMNS: tuple[str, ...] = GENERIC_COLUMNS
"""The ``generic`` PM export columns (docs/pm-export-generic.md), in order."""

BANK_COLUMNS = ("date", "amount", "trace_number", "description")
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 0, 0, 0)
Value = str | Decimal | dt.date | int


@dataclass(slots=True)
class ExportPaths:
    """Where the generator wrote the practice's files."""

    folder: Path
    pm_csv: Path
    pm_xlsx: Path
    bank_csv: Path
    ground_truth: Path
    schedule_csv: Path
    schedule_xlsx: Path


def _icd(code: str) -> str:
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def pm_rows(data: Dataset) -> list[list[Value]]:
    """One row per service line of every claim the PM knows, typed (dates, Decimals, ints, strings)."""
    practice, payer = data.practice, data.payer
    rows: list[list[Value]] = []
    for claim in data.claims:
        if not claim.in_pm:
            continue
        for line in claim.lines:
            rows.append(_row(data, claim, line, practice.npi, practice.tin, payer.payer_id, payer.name))
    return rows


def _row(
    data: Dataset, claim: Claim, line: Line, npi: str, tin: str, payer_id: str, payer: str
) -> list[Value]:
    p, practice = claim.patient, data.practice
    charge = line.pm_charge if line.pm_charge is not None else line.charge
    return [
        claim.claim_id, line.line_id, "P", p.patient_id, p.last, p.first, p.dob, p.sex, p.address, p.city,
        p.state, p.zip, p.member_id, payer_id, payer, npi, tin, practice.name, practice.address,
        practice.city, practice.state, practice.zip, claim.rendering_npi, "", line.service_date,
        line.procedure, ":".join(line.modifiers), line.units, line.place_of_service, "",
        ";".join(_icd(c) for c in claim.diagnoses), ":".join(str(i) for i in line.pointers), charge,
        claim.pm_charge, line.expected, "1", "", "", "", "", claim.submitted, "open", "",
    ]  # fmt: skip


def _text(value: Value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def pm_csv_bytes(data: Dataset) -> bytes:
    """The PM export as UTF-8 CSV with a header row (\\r\\n line ends, as Excel writes them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PM_COLUMNS)
    for row in pm_rows(data):
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def pm_xlsx_bytes(data: Dataset) -> bytes:
    """The PM export as XLSX (sheet ``Charges``; dates as dates, money as numbers), byte-identical."""
    return normalize_zip(sheet_bytes("Charges", PM_COLUMNS, pm_rows(data), FIXED_TIMESTAMP))


def normalize_zip(data: bytes) -> bytes:
    """Rewrite an OOXML zip with fixed entry timestamps and a fixed dcterms:modified, for byte-identity."""
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def bank_csv_bytes(data: Dataset) -> bytes:
    """Bank deposits: one ACH credit per payment, plus card-terminal deposits (not the payer's)."""
    rows: list[tuple[dt.date, Decimal, str, str]] = []
    for payment in data.payments:
        if payment.zero_pay:
            continue
        description = f"UNITEDHEALTHCARE HCCLAIMPMT TRN*1*{payment.payment_number}*1{data.practice.tin}"
        rows.append((payment.date, payment.amount, payment.payment_number, description))
    fridays = sorted({p.date for p in data.payments if p.date.weekday() == 4})
    for index, friday in enumerate(fridays[::2]):
        rows.append(
            (friday, Decimal(f"{180 + 37 * index}.50"), "", "MERCHANT BANKCARD DEPOSIT PATIENT PAYMENTS")
        )
    rows.sort(key=lambda r: (r[0], r[2] == "", r[2]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(BANK_COLUMNS)
    for day, amount, trace, description in rows:
        writer.writerow([day.isoformat(), f"{amount:.2f}", trace, description])
    return buffer.getvalue().encode("utf-8")


def ground_truth(data: Dataset) -> dict[str, object]:
    """Every planted discrepancy by claim and line with its category (paid_as_expected is not listed)."""
    return {
        "seed": data.seed,
        "as_of": data.as_of.isoformat(),
        "payer_id": data.payer.payer_id,
        "billing_npi": data.practice.npi,
        "billing_tin": data.practice.tin,
        "payments": len([p for p in data.payments if not p.zero_pay]),
        "zero_pay_notices": len([p for p in data.payments if p.zero_pay]),
        "claims_in_pm": len([c for c in data.claims if c.in_pm]),
        "discrepancies": [
            {
                "claim_id": d.claim_id,
                "line_id": d.line_id,
                "category": d.category,
                "payment_number": d.payment_number,
                "amount": None if d.amount is None else f"{d.amount:.2f}",
                "note": d.note,
            }
            for d in sorted(data.discrepancies, key=lambda d: (d.claim_id, d.line_id or "", d.category))
        ],
        "eligibility": eligibility_truth(data),
    }


def ground_truth_bytes(data: Dataset) -> bytes:
    """The ground truth as pretty, key-sorted JSON."""
    return (json.dumps(ground_truth(data), indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_exports(data: Dataset, folder: Path) -> ExportPaths:
    """Write the PM export (CSV, XLSX), the bank CSV and the ground truth into ``folder``."""
    ensure_private_dir(folder)  # sandbox data looks like PHI: kept like the real thing (0700/0600)
    paths = ExportPaths(
        folder=folder,
        pm_csv=folder / "pm-export.csv",
        pm_xlsx=folder / "pm-export.xlsx",
        bank_csv=folder / "bank-deposits.csv",
        ground_truth=folder / "ground-truth.json",
        schedule_csv=folder / "pm-schedule.csv",
        schedule_xlsx=folder / "pm-schedule.xlsx",
    )
    atomic_write_bytes(paths.pm_csv, pm_csv_bytes(data))
    atomic_write_bytes(paths.pm_xlsx, pm_xlsx_bytes(data))
    atomic_write_bytes(paths.bank_csv, bank_csv_bytes(data))
    atomic_write_bytes(paths.ground_truth, ground_truth_bytes(data))
    atomic_write_bytes(paths.schedule_csv, schedule_csv_bytes(data))
    atomic_write_bytes(paths.schedule_xlsx, normalize_zip(schedule_xlsx_bytes(data, FIXED_TIMESTAMP)))
    return paths
