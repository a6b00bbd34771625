"""The day's Eligibility workbook: one row per appointment, problems first, in the reconciliation style.

Written atomically with mode 0600 (it holds PHI: names and what patients owe).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.eligibility.assess import Assessment
from connector.eligibility.model import PROBLEM_ORDER, Problem
from connector.fileio import atomic_writer
from connector.report.parts import save_workbook
from connector.report.styles import register_styles
from connector.report.table import Column, Table

PROBLEM_WORDS: dict[Problem, str] = {
    Problem.NOT_CHECKED: "not checked",
    Problem.INACTIVE: "coverage inactive",
    Problem.TERMINATED: "coverage terminated",
    Problem.NOT_FOUND: "member not found",
    Problem.SEVERAL_MATCHES: "several members match",
    Problem.REJECTED: "payer refused the inquiry",
    Problem.NAME_MISMATCH: "name differs from the payer's",
    Problem.DOB_MISMATCH: "date of birth differs from the payer's",
    Problem.OTHER_PAYER_PRIMARY: "another payer is primary",
    Problem.OUT_OF_NETWORK: "provider out of network",
    Problem.REFERRAL_REQUIRED: "referral required",
    Problem.AUTH_REQUIRED: "prior authorization required",
}
COLUMNS = (
    Column("Date", "date", 11), Column("Time", "text", 7), Column("Appointment", "text", 12),
    Column("Patient ID", "text", 11), Column("Patient", "text", 24), Column("Provider NPI", "text", 12),
    Column("Visit type", "text", 11), Column("Status", "category", 15), Column("Problems", "text", 40),
    Column("Plan", "text", 20), Column("Network", "text", 10), Column("Co-pay", "money", 10),
    Column("Co-insurance", "percent", 11), Column("Deductible remaining", "money", 12),
    Column("Out-of-pocket remaining", "money", 12), Column("Patient estimate", "money", 12),
    Column("Note", "text", 40),
)  # fmt: skip


def problem_text(problems: Sequence[Problem]) -> str:
    """Problems in words, most serious first."""
    return "; ".join(PROBLEM_WORDS[p] for p in problems)


def ordered(assessments: Sequence[Assessment]) -> list[Assessment]:
    """Problems first (most serious first), then by date and time of the appointment."""

    def key(a: Assessment) -> tuple[int, dt.datetime, int]:
        worst = min((PROBLEM_ORDER.index(p) for p in a.problems), default=len(PROBLEM_ORDER))
        return worst, a.appointment.start, a.appointment.row

    return sorted(assessments, key=key)


def _row(a: Assessment) -> list[object]:
    appt, r = a.appointment, a.result
    copay = None
    coins = None
    ded = oop = None
    plan = network = ""
    if r is not None:
        copay = r.specialist_copay if appt.visit_type.casefold() == "specialist" else r.office_copay
        coins = None if r.coinsurance is None else r.coinsurance * 100
        known = [
            x for x in (r.deductible_individual.remaining, r.deductible_family.remaining) if x is not None
        ]
        ded = min(known) if known else None
        oop = r.out_of_pocket_individual.remaining
        plan = r.plan
        network = "" if r.in_network is None else "in" if r.in_network else "out"
    return [
        appt.service_date, appt.start.strftime("%H:%M"), appt.appointment_id, appt.patient_id,
        f"{appt.last_name}, {appt.first_name}".strip(", "), appt.provider_npi, appt.visit_type,
        a.status.value, problem_text(a.problems), plan, network, copay, coins, ded, oop, a.estimate, a.note,
    ]  # fmt: skip


def build_eligibility_workbook(assessments: Sequence[Assessment], day: dt.date, source: str) -> Workbook:
    """Summary (counts) and Eligibility (one row per appointment) sheets."""
    book = Workbook(write_only=True)
    register_styles(book)
    rows = ordered(assessments)
    summary = Table(book, "Summary", (Column("What", "text", 36), Column("Count", "number", 10)))
    summary.header()
    with_problems = [a for a in rows if a.problems]
    estimate = sum((a.estimate for a in rows if a.estimate is not None), Decimal(0))
    facts: list[tuple[str, object]] = [
        (f"Eligibility checked on {day.isoformat()} for the next business days", ""),
        (f"Schedule export: {source}", ""),
        ("Appointments", len(rows)),
        ("Appointments with a problem", len(with_problems)),
        ("Expected at the front desk (patient estimates)", estimate),
    ]
    for status, times in sorted(Counter(a.status.value for a in rows).items()):
        facts.append((f"Status {status}", times))
    problems = Counter(p for a in rows for p in a.problems)
    for problem in sorted(problems, key=PROBLEM_ORDER.index):
        facts.append((f"Problem: {PROBLEM_WORDS[problem]}", problems[problem]))
    for what, value in facts:
        summary.append([what, value])
    summary.close()
    table = Table(book, "Eligibility", COLUMNS)
    table.header()
    for a in rows:
        table.append(_row(a))
    table.close()
    return book


def write_eligibility_workbook(
    assessments: Sequence[Assessment], path: Path, *, day: dt.date, source: str
) -> Path:
    """Write the workbook atomically (mode 0600) and return its path."""
    book = build_eligibility_workbook(assessments, day, source)
    with atomic_writer(Path(path)) as handle:
        save_workbook(book, handle)
    return Path(path)
