"""The detail sheets: Claims, Lines, Underpaid, Denials, Missing ERA, Not in PM, PLB & interest, Deposits.

Filled claim by claim as the reconciliation streams (:class:`DetailSheets`), or from a result with its rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]

from connector.reconcile.labels import category_label
from connector.reconcile.model import Category, ClaimRow, DepositRow, LineRow, Reason, ReconciliationResult
from connector.report.table import Column, Kind, Table

M: Kind = "money"
D: Kind = "date"
C: Kind = "category"
N: Kind = "number"


DEPOSIT_COLUMNS = (
    Column("Status", C, 20), Column("Payment #", width=16), Column("Payer", width=18),
    Column("ERA amount", M, 12), Column("ERA date", D, 12), Column("Deposit amount", M, 14),
    Column("Deposit date", D, 12), Column("Bank reference", width=50), Column("Difference", M, 12),
    Column("Status id", width=18, hidden=True),
)  # fmt: skip


def deposit_values(d: DepositRow) -> tuple[object, ...]:
    """One row of the Deposits sheet."""
    return (category_label(d.status), d.payment_number, d.payer, d.era_amount, d.era_date, d.deposit_amount,
            d.deposit_date, d.reference, d.difference, d.status)  # fmt: skip


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


UNDERPAID_COLUMNS = (
    Column("Claim", width=14), Column("Line", width=16), Column("Payer", width=18),
    Column("Payment #", width=16), Column("Procedure", width=10), Column("Service date", D, 12),
    Column("Expected", M, 12), Column("Allowed", M, 12), Column("Paid", M, 12), Column("Short by", M, 12),
    Column("Next action", width=24),
)  # fmt: skip
DENIAL_COLUMNS = (
    Column("Claim", width=14), Column("Line", width=16), Column("Category", C, 18),
    Column("Payer", width=18), Column("Patient", width=22), Column("Service date", D, 12),
    Column("Group", width=7), Column("CARC", width=7), Column("Description", width=50),
    Column("RARCs", width=12), Column("Amount", M, 12), Column("Next action", width=22),
    Column("Remark descriptions", width=60), Column("Category id", width=18, hidden=True),
)  # fmt: skip
MISSING_COLUMNS = (
    Column("Claim", width=14), Column("Category", C, 16), Column("Payer", width=18),
    Column("Patient", width=22), Column("Service date", D, 12), Column("Submitted", D, 12),
    Column("Age (days)", N, 10), Column("Aging", width=8), Column("Charge", M, 12),
    Column("Category id", width=18, hidden=True),
)  # fmt: skip
STRAY_COLUMNS = (
    Column("CLP01", width=14), Column("Payer", width=18), Column("Patient (ERA)", width=22),
    Column("Payer claim #", width=16), Column("Payment #", width=16), Column("Payment date", D, 12),
    Column("CLP02", width=7), Column("Charge", M, 12), Column("Paid", M, 12),
)  # fmt: skip
PLB_COLUMNS = (
    Column("Payment #", width=16), Column("Payer", width=18), Column("Kind", width=12),
    Column("Reason", width=8), Column("Description", width=34), Column("Reference", width=22),
    Column("Claim", width=14), Column("Amount (PLB sign)", M, 14), Column("Effect on payment", M, 14),
)  # fmt: skip
WAITING = ("missing_era", "awaiting_era")


class DetailSheets:
    """The detail sheets, filled as claim and line rows come (each row written to its sheets' spools at once).

    Claims, Lines, Underpaid, the line reasons of Denials and Not in PM are written as the rows come; what a
    sheet lists after or in another order (the claim-level reasons of Denials, Missing ERA oldest first, the
    claims' AMT*I interest after the PLBs) is kept as the few values it shows, and written by :meth:`finish`,
    which also writes the sheets that follow (Deposits, Files not read, ERA findings, extras).
    """

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.claims = _open(book, "Claims", CLAIM_COLUMNS)
        self.lines = _open(book, "Lines", LINE_COLUMNS)
        self.underpaid = _open(book, "Underpaid", UNDERPAID_COLUMNS)
        self.denials = _open(book, "Denials", DENIAL_COLUMNS)
        self.missing = _open(book, "Missing ERA", MISSING_COLUMNS)
        self.stray = _open(book, "Not in PM", STRAY_COLUMNS)
        self.plb = _open(book, "Provider adjustments & interest", PLB_COLUMNS)
        self._deposits: Table | None = None
        self._claim_reasons: list[tuple[object, ...]] = []
        self._waiting: list[tuple[int, tuple[object, ...]]] = []
        self._interest: list[tuple[str, tuple[object, ...]]] = []

    def add(self, claim: ClaimRow, lines: Sequence[LineRow]) -> None:
        """One claim row and its line rows, as ``reconcile()`` hands them to its sink. A line shows its
        claim's payer and patient when it carries the claim's id (a line of a claim not in the PM export whose
        CLP01 differs from its matching key shows none, as the report always did)."""
        self.claim(claim)
        for line in lines:
            self.line(line, claim if line.claim_id == claim.claim_id else ClaimRow(line.claim_id, _UNKNOWN))
        self.claim_reasons(claim, {id(r) for line in lines for r in line.reasons})

    def claim(self, row: ClaimRow) -> None:
        """A claim row on Claims (and Not in PM); kept for Missing ERA and the interest rows."""
        self.claims.append(claim_values(row))
        category = row.category
        if category in WAITING:
            self._waiting.append((-(row.age_days or 0), (
                row.claim_id, category_label(category), row.payer, row.patient, row.service_date,
                row.submitted, row.age_days, row.aging_bucket, row.charge, category)))  # fmt: skip
        elif category == "era_not_in_pm":
            self.stray.append((row.claim_id, row.payer, row.patient, row.payer_claim_number,
                               ", ".join(row.payment_numbers), row.payment_date, row.status_code, row.charge,
                               row.paid))  # fmt: skip
        if row.interest:
            self._interest.append((row.claim_id, (
                ", ".join(row.payment_numbers), row.payer, "interest", "AMT*I", "Claim interest (in CLP04)",
                "", row.claim_id, None, row.interest)))  # fmt: skip

    def line(self, row: LineRow, claim: ClaimRow) -> None:
        """A line row on Lines (and Underpaid), its reasons on Denials; ``claim``: the claim it shows."""
        self.lines.append(line_values(row))
        if row.category == "underpaid":
            self.underpaid.append((row.claim_id, row.line_id, claim.payer, ", ".join(claim.payment_numbers),
                                   row.procedure, row.service_date, row.expected, row.allowed, row.paid,
                                   None if row.difference is None else -row.difference,
                                   "appeal underpayment"))  # fmt: skip
        for r in row.reasons:
            self.denials.append((row.claim_id, row.line_id, category_label(row.category), claim.payer,
                                 claim.patient, row.service_date, r.group, r.code, r.description,
                                 ", ".join(r.remarks), r.amount, r.next_action, r.remark_text,
                                 row.category))  # fmt: skip

    def claim_reasons(self, claim: ClaimRow, line_reasons: set[int]) -> None:
        """The claim's own reasons (not one of its lines', by identity): on Denials after the lines'."""
        for r in claim.reasons:
            if id(r) not in line_reasons:
                self._claim_reasons.append((claim.claim_id, "", category_label(claim.category), claim.payer,
                                            claim.patient, claim.service_date, r.group, r.code, r.description,
                                            ", ".join(r.remarks), r.amount, r.next_action, r.remark_text,
                                            claim.category))  # fmt: skip

    def deposits(self, rows: Iterable[DepositRow]) -> None:
        """Deposit rows written as they come (after the last claim), in place of the result's: the Deposits
        sheet follows the claim sheets, as :meth:`finish` would write it."""
        if self._deposits is None:
            self._deposits = _open(self.book, "Deposits", DEPOSIT_COLUMNS)
        for row in rows:
            self._deposits.append(deposit_values(row))

    def finish(
        self, result: ReconciliationResult, extra: Mapping[str, Sequence[Mapping[str, object]]] | None = None
    ) -> dict[str, int]:
        """Write what was kept and the sheets that follow, close every sheet; returns rows per sheet."""
        for values in self._claim_reasons:
            self.denials.append(values)
        self._waiting.sort(key=lambda item: item[0])
        for _age, values in self._waiting:
            self.missing.append(values)
        plb_claims = {p.claim_id for p in result.provider_adjustments}
        for p in result.provider_adjustments:
            self.plb.append((p.payment_number, p.payer, p.kind, p.reason, p.description, p.reference,
                             p.claim_id, p.amount, -p.amount))  # fmt: skip
        for claim_id, values in self._interest:
            if claim_id not in plb_claims:
                self.plb.append(values)
        self._claim_reasons, self._waiting, self._interest = [], [], []
        tables = [self.claims, self.lines, self.underpaid, self.denials, self.missing, self.stray, self.plb]
        counts: dict[str, int] = {}
        if self._deposits is not None:
            tables.append(self._deposits)
        for table in tables:
            table.close()
            counts[table.sheet.title] = table.rows
        counts.update(_write_rest(self.book, result, extra, deposits_written=self._deposits is not None))
        return counts


_UNKNOWN: Category = "paid_as_expected"
"""The category of the stand-in claim a line without its claim's id shows (only its empty payer is read)."""


def write_details(
    book: Workbook,
    result: ReconciliationResult,
    extra: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> dict[str, int]:
    """Write every detail sheet from a result that holds its rows; returns rows written per sheet. A line
    shows the claim row with its claim id (the last one, when several have it)."""
    sheets = DetailSheets(book)
    for claim in result.claims:
        sheets.claim(claim)
    by_claim = {c.claim_id: c for c in result.claims}
    for line in result.lines:
        sheets.line(line, by_claim.get(line.claim_id) or ClaimRow(line.claim_id, _UNKNOWN))
    line_reasons = {id(r) for ln in result.lines for r in ln.reasons}
    for claim in result.claims:
        sheets.claim_reasons(claim, line_reasons)
    return sheets.finish(result, extra)


def _open(book: Workbook, title: str, columns: Sequence[Column]) -> Table:
    table = Table(book, title, columns)
    table.header()
    return table


def _write_rest(
    book: Workbook,
    result: ReconciliationResult,
    extra: Mapping[str, Sequence[Mapping[str, object]]] | None,
    deposits_written: bool = False,
) -> dict[str, int]:
    """The sheets after the claim sheets: Deposits (unless ``deposits_written``), Files not read, ERA
    findings, then the extra sheets."""
    counts: dict[str, int] = {}

    def done(table: Table) -> None:
        counts[table.sheet.title] = table.rows

    if result.deposits is not None and not deposits_written:
        done(_table(book, "Deposits", DEPOSIT_COLUMNS, map(deposit_values, result.deposits)))
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
