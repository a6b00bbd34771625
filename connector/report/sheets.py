"""The detail sheets: Claims, Lines, Underpaid, Denials, Missing ERA, Not in PM, PLB & interest, Deposits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.reconcile.labels import category_label
from connector.reconcile.model import ClaimRow, LineRow, Reason, ReconciliationResult
from connector.report.table import Column, Kind, Table

M: Kind = "money"
D: Kind = "date"
C: Kind = "category"
N: Kind = "number"


def reasons_text(reasons: Sequence[Reason]) -> str:
    """'CO-16 [M51, N290] corrected claim; PR-204 bill patient'."""
    parts = []
    for reason in reasons:
        remarks = f" [{', '.join(reason.remarks)}]" if reason.remarks else ""
        parts.append(f"{reason.group}-{reason.code}{remarks} {reason.next_action}".strip())
    return "; ".join(parts)


def _table(book: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> Table:
    table = Table(book, title, columns)
    table.header()
    for row in rows:
        table.append(row)
    table.close()
    return table


CLAIM_COLUMNS = (
    Column("Claim", width=14), Column("Category", C, 20), Column("Also flagged", width=22),
    Column("Payer", width=18), Column("Patient", width=22), Column("Service date", D, 12),
    Column("Submitted", D, 12), Column("CLP02", width=7), Column("Payer claim #", width=16),
    Column("Payment #", width=16), Column("Payment date", D, 12), Column("Charge", M, 12),
    Column("PM charge", M, 12), Column("Expected", M, 12), Column("Allowed", M, 12), Column("Paid", M, 12),
    Column("Patient resp.", M, 12), Column("Denied", M, 12), Column("Recouped", M, 12),
    Column("Interest", M, 11), Column("Difference", M, 12), Column("Match", width=18),
    Column("Age (days)", N, 9), Column("Aging", width=8), Column("Reasons / next action", width=40),
    Column("Note", width=24), Column("Category id", width=18, hidden=True),
)  # fmt: skip


def claim_values(row: ClaimRow) -> tuple[object, ...]:
    """One Claims-sheet row."""
    return (
        row.claim_id, category_label(row.category), _labels(row.flags), row.payer, row.patient,
        row.service_date, row.submitted, row.status_code, row.payer_claim_number,
        ", ".join(row.payment_numbers), row.payment_date, row.charge, row.pm_charge, row.expected,
        row.allowed, row.paid,
        row.patient_responsibility, row.denied_amount, row.recouped, row.interest, row.difference,
        row.match if row.match != "none" else "", row.age_days, row.aging_bucket, reasons_text(row.reasons),
        row.note, row.category,
    )  # fmt: skip


LINE_COLUMNS = (
    Column("Claim", width=14), Column("Line", width=16), Column("Category", C, 20),
    Column("Also flagged", width=16), Column("Procedure", width=10), Column("Modifiers", width=10),
    Column("Restated as", width=11), Column("Service date", D, 12), Column("Charge", M, 12),
    Column("PM charge", M, 12), Column("Expected", M, 12), Column("Allowed", M, 12), Column("Paid", M, 12),
    Column("Patient resp.", M, 12), Column("Denied", M, 12), Column("Difference", M, 12),
    Column("Match", width=20), Column("Reasons / next action", width=40),
    Column("Category id", width=18, hidden=True),
)  # fmt: skip


def line_values(row: LineRow) -> tuple[object, ...]:
    """One Lines-sheet row."""
    return (
        row.claim_id, row.line_id, category_label(row.category), _labels(row.flags), row.procedure,
        ":".join(row.modifiers),
        row.restated_procedure, row.service_date, row.charge, row.pm_charge, row.expected, row.allowed,
        row.paid, row.patient_responsibility, row.denied_amount, row.difference,
        row.match if row.match != "none" else "", reasons_text(row.reasons), row.category,
    )  # fmt: skip


def write_details(
    book: Workbook,
    result: ReconciliationResult,
    extra: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> dict[str, int]:
    """Write every detail sheet; returns rows written per sheet."""
    claims = result.claims
    by_claim = {c.claim_id: c for c in claims}
    counts: dict[str, int] = {}

    def done(table: Table) -> None:
        counts[table.sheet.title] = table.rows

    done(_table(book, "Claims", CLAIM_COLUMNS, (claim_values(c) for c in claims)))
    done(_table(book, "Lines", LINE_COLUMNS, (line_values(ln) for ln in result.lines)))
    under_cols = (
        Column("Claim", width=14), Column("Line", width=16), Column("Payer", width=18),
        Column("Payment #", width=16), Column("Procedure", width=10), Column("Service date", D, 12),
        Column("Expected", M, 12), Column("Allowed", M, 12), Column("Paid", M, 12), Column("Short by", M, 12),
        Column("Next action", width=24),
    )  # fmt: skip
    under = (
        (ln.claim_id, ln.line_id, _claim(by_claim, ln.claim_id).payer,
         ", ".join(_claim(by_claim, ln.claim_id).payment_numbers), ln.procedure, ln.service_date, ln.expected,
         ln.allowed, ln.paid, None if ln.difference is None else -ln.difference, "appeal underpayment")
        for ln in result.lines if ln.category == "underpaid"
    )  # fmt: skip
    done(_table(book, "Underpaid", under_cols, under))
    denial_cols = (
        Column("Claim", width=14), Column("Line", width=16), Column("Category", C, 18),
        Column("Payer", width=18), Column("Patient", width=22), Column("Service date", D, 12),
        Column("Group", width=7), Column("CARC", width=7), Column("Description", width=50),
        Column("RARCs", width=12), Column("Amount", M, 12), Column("Next action", width=22),
        Column("Remark descriptions", width=60), Column("Category id", width=18, hidden=True),
    )  # fmt: skip
    done(_table(book, "Denials", denial_cols, _denial_rows(result, by_claim)))
    missing_cols = (
        Column("Claim", width=14), Column("Category", C, 16), Column("Payer", width=18),
        Column("Patient", width=22), Column("Service date", D, 12), Column("Submitted", D, 12),
        Column("Age (days)", N, 10), Column("Aging", width=8), Column("Charge", M, 12),
        Column("Category id", width=18, hidden=True),
    )  # fmt: skip
    waiting = sorted(
        (c for c in claims if c.category in ("missing_era", "awaiting_era")), key=lambda c: -(c.age_days or 0)
    )
    done(_table(book, "Missing ERA", missing_cols, (
        (c.claim_id, category_label(c.category), c.payer, c.patient, c.service_date, c.submitted, c.age_days,
         c.aging_bucket, c.charge, c.category) for c in waiting
    )))  # fmt: skip
    stray_cols = (
        Column("CLP01", width=14), Column("Payer", width=18), Column("Patient (ERA)", width=22),
        Column("Payer claim #", width=16), Column("Payment #", width=16), Column("Payment date", D, 12),
        Column("CLP02", width=7), Column("Charge", M, 12), Column("Paid", M, 12),
    )  # fmt: skip
    done(_table(book, "Not in PM", stray_cols, (
        (c.claim_id, c.payer, c.patient, c.payer_claim_number, ", ".join(c.payment_numbers), c.payment_date,
         c.status_code, c.charge, c.paid) for c in claims if c.category == "era_not_in_pm"
    )))  # fmt: skip
    plb_cols = (
        Column("Payment #", width=16), Column("Payer", width=18), Column("Kind", width=12),
        Column("Reason", width=8), Column("Description", width=34), Column("Reference", width=22),
        Column("Claim", width=14), Column("Amount (PLB sign)", M, 14), Column("Effect on payment", M, 14),
    )  # fmt: skip
    plb_claims = {p.claim_id for p in result.provider_adjustments}
    plb_rows: list[Sequence[object]] = [
        (p.payment_number, p.payer, p.kind, p.reason, p.description, p.reference, p.claim_id, p.amount,
         -p.amount) for p in result.provider_adjustments
    ]  # fmt: skip
    plb_rows += [
        (", ".join(c.payment_numbers), c.payer, "interest", "AMT*I", "Claim interest (in CLP04)", "",
         c.claim_id, None, c.interest)
        for c in claims if c.interest and c.claim_id not in plb_claims
    ]  # fmt: skip
    done(_table(book, "Provider adjustments & interest", plb_cols, plb_rows))
    if result.deposits is not None:
        deposit_cols = (
            Column("Status", C, 20), Column("Payment #", width=16), Column("Payer", width=18),
            Column("ERA amount", M, 12), Column("ERA date", D, 12), Column("Deposit amount", M, 14),
            Column("Deposit date", D, 12), Column("Bank reference", width=50), Column("Difference", M, 12),
            Column("Status id", width=18, hidden=True),
        )  # fmt: skip
        done(_table(book, "Deposits", deposit_cols, (
            (category_label(d.status), d.payment_number, d.payer, d.era_amount, d.era_date, d.deposit_amount,
             d.deposit_date, d.reference, d.difference, d.status) for d in result.deposits
        )))  # fmt: skip
    if result.files_not_read:
        done(_table(book, "Files not read", (Column("File", width=40), Column("Reason", width=100)),
                    ((f.file, f.reason) for f in result.files_not_read)))  # fmt: skip
    if result.era_findings:
        finding_cols = (
            Column("Payment #", width=16), Column("Payer", width=22), Column("ISA13", width=12),
            Column("Kind", width=10), Column("Segment", width=8), Column("Offset", N, 10),
            Column("Claim", width=14), Column("Code", width=8), Column("Finding", width=80),
        )  # fmt: skip
        done(_table(book, "ERA findings", finding_cols, (
            (f.payment_number, f.payer, f.interchange, f.kind, f.segment_id, f.offset, f.claim_id, f.code,
             f.message) for f in result.era_findings
        )))  # fmt: skip
    for title, records in (extra or {}).items():
        keys = list(dict.fromkeys(k for record in records for k in record)) or ["note"]
        cols = [Column(k.replace("_", " ").capitalize(), width=16) for k in keys]
        rows = ([r.get(k) for k in keys] for r in records) if records else iter([["none"]])
        done(_table(book, title[:31], cols, rows))
    return counts


def _labels(categories: Sequence[str]) -> str:
    return ", ".join(category_label(c) for c in categories)


def _claim(by_claim: Mapping[str, ClaimRow], claim_id: str) -> ClaimRow:
    return by_claim.get(claim_id) or ClaimRow(claim_id, "paid_as_expected")


def _denial_rows(
    result: ReconciliationResult, by_claim: Mapping[str, ClaimRow]
) -> Iterable[Sequence[object]]:
    line_reasons = {id(r) for ln in result.lines for r in ln.reasons}
    for line in result.lines:
        claim = _claim(by_claim, line.claim_id)
        for r in line.reasons:
            yield (line.claim_id, line.line_id, category_label(line.category), claim.payer, claim.patient,
                   line.service_date, r.group, r.code, r.description, ", ".join(r.remarks), r.amount,
                   r.next_action, r.remark_text, line.category)  # fmt: skip
    for claim in result.claims:
        for r in claim.reasons:
            if id(r) not in line_reasons:
                yield (claim.claim_id, "", category_label(claim.category), claim.payer, claim.patient,
                       claim.service_date, r.group, r.code, r.description, ", ".join(r.remarks), r.amount,
                       r.next_action, r.remark_text, claim.category)  # fmt: skip
