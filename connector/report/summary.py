"""The Summary sheet: money at stake, by payer, tie-out, inputs, KPIs, categories, denials, aging, charts."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]
from openpyxl.compat import safe_string  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.utils.datetime import to_excel  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

from connector.reconcile.at_stake import money_at_stake, payer_table
from connector.reconcile.labels import category_label
from connector.reconcile.model import ReconciliationResult
from connector.report.parts import close_sheet
from connector.report.styles import BOLD, DATE, HEADER, MONEY, NUMBER, PERCENT, TITLE, category_style
from connector.report.table import clean_text, is_risky, landscape, text_cell

TOP_DENIALS = 10
WIDTHS = (34, 16, 14, 16, 14, 14, 18, 10, 60)
CHART_HEIGHT_CM = 8.5
CHART_WIDTH_CM = 15
"""Big enough to read when the Summary prints landscape on one page wide."""
CHART_ROWS = 19
"""Rows a chart covers (8.5 cm at the default row height); the next section starts below it."""


class _Sheet:
    """Appends rows of styled cells to a write-only sheet and counts them.

    The rows are serialised as XML text, as openpyxl's write-only stream writes them (a value cell unstyled,
    a styled or formula-looking one with the style index openpyxl gives it, numbers as ``%.16g``, dates as
    Excel serials), into a spool file put into the sheet by :meth:`close` (one tie-out row per ERA:
    tens of thousands of rows at billing-service scale).
    """

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.row = 0
        self._styles: dict[tuple[str | None, bool, type], str] = {}
        self._epoch = sheet.parent.epoch
        sheet._get_writer()
        self._spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self._pending: list[str] = []

    def put(self, *values: object, styles: Sequence[str | None] = ()) -> int:
        self.row += 1
        number = str(self.row)
        cells: list[str] = []
        for index, value in enumerate(values):
            style = styles[index] if index < len(styles) else None
            if value is None and style is None:
                continue
            if isinstance(value, str):
                value = clean_text(value)
            if style is None and isinstance(value, dt.date):
                style = DATE
            if style is None and isinstance(value, Decimal):
                style = MONEY
            risky = isinstance(value, str) and is_risky(value)
            ref = f"{get_column_letter(index + 1)}{number}"
            styled = f' s="{self._style_id(style, risky, value)}"' if style is not None or risky else ""
            cells.append(self._cell(ref, styled, value))
        self._pending.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self._pending) >= 500:
            self._flush()
        return self.row

    def _cell(self, ref: str, styled: str, value: object) -> str:
        """One cell as openpyxl's ``lxml_write_cell`` writes it."""
        if value is None:
            return f'<c r="{ref}"{styled} t="n"></c>'
        if isinstance(value, str):
            return text_cell(ref, styled, value) if value else f'<c r="{ref}"{styled} t="inlineStr"></c>'
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{styled} t="n"><v>{safe_string(to_excel(value, self._epoch))}</v></c>'
        kind = "b" if isinstance(value, bool) else "n"
        if isinstance(value, Decimal | int | float):
            return f'<c r="{ref}"{styled} t="{kind}"><v>{safe_string(value)}</v></c>'
        return text_cell(ref, styled, str(value))

    def _style_id(self, style: str | None, risky: bool, value: object) -> str:
        """The style index openpyxl gives such a cell (made once per style, quote prefix and value type)."""
        key = (style, risky, type(value))
        found = self._styles.get(key)
        if found is None:
            cell = WriteOnlyCell(self.sheet, value)
            if risky:
                cell.data_type = "s"
                cell.quotePrefix = True
            if style:
                cell.style = style
            found = self._styles[key] = str(cell.style_id)
        return found

    def heading(self, *titles: str) -> int:
        return self.put(*titles, styles=[HEADER] * len(titles))

    def gap(self) -> None:
        self.put()

    def pad(self, last_row: int) -> None:
        """Blank rows up to ``last_row`` (at least one)."""
        self.gap()
        while self.row < last_row:
            self.gap()

    def close(self) -> None:
        """The rows go into the sheet, which is closed."""
        self._flush()
        close_sheet(self.sheet, self._spool)

    def _flush(self) -> None:
        if self._pending:
            self._spool.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


def write_summary(book: Workbook, result: ReconciliationResult, sheet_rows: dict[str, int]) -> None:
    """Fill the Summary sheet (created first so that it opens first)."""
    raw = book["Summary"]
    assert isinstance(raw, WriteOnlyWorksheet)
    for index, width in enumerate(WIDTHS, start=1):
        raw.column_dimensions[get_column_letter(index)].width = width
    raw.column_dimensions[get_column_letter(len(WIDTHS) + 1)].hidden = True  # category ids, for tools
    landscape(raw)
    out = _Sheet(raw)
    tie = result.tie_out
    out.put("Reconciliation report", styles=[TITLE])
    out.put("As of", result.as_of)
    out.gap()
    _money_at_stake(out, result)
    out.gap()
    notes = tie.notes or ["Totals tie out." if tie.ties else "Totals do NOT tie out."]
    out.put("Tie-out", notes[0], styles=[BOLD, BOLD])
    for note in notes[1:]:
        out.put("", note)
    out.put("Tolerance", result.tolerance)
    out.put("Missing ERA after (days)", Decimal(result.aging_days), styles=[None, NUMBER])
    for key, value in result.inputs.items():
        out.put(key, value)
    if result.files_not_read:
        out.put("Files not read", f"{len(result.files_not_read)} ERA file(s) could not be read; everything "
                "else is reconciled. See 'Files not read'.", styles=[BOLD, BOLD])  # fmt: skip
        for unread in result.files_not_read:
            out.put("", f"{unread.file}: {unread.reason}")
    for title, rows in sheet_rows.items():
        out.put(f"Rows on '{title}'", Decimal(rows), styles=[None, NUMBER])
    out.gap()
    out.heading("Key performance indicator", "Value", "Unit", "Definition")
    for kpi in result.kpis:
        style = {"percent": PERCENT, "money": MONEY, "days": NUMBER, "count": NUMBER}[kpi.unit]
        out.put(kpi.name, kpi.value, kpi.unit, kpi.definition, styles=[None, style])
    out.gap()
    first = out.heading("Category", "Claims", "Net paid") + 1
    top = first - 1
    for category, (count, paid) in result.category_counts().items():
        out.put(category_label(category), Decimal(count), paid, *[""] * 6, category,
                styles=[category_style(category), NUMBER, MONEY])  # fmt: skip
    _chart(raw, "Claims by category", first, out.row, value_col=2, anchor=f"E{top}")
    out.pad(top + CHART_ROWS)
    first = out.heading("Top denial reasons", "Next action", "Claims", "Lines", "Amount", "RARCs",
                        "Description") + 1  # fmt: skip
    for group in result.denials[:TOP_DENIALS]:
        out.put(f"{group.group}-{group.code}", group.next_action, Decimal(group.claims), Decimal(group.lines),
                group.amount, ", ".join(group.remarks), group.description,
                styles=[None, None, NUMBER, NUMBER, MONEY])  # fmt: skip
    if result.denials:
        _chart(raw, "Top denial reasons (amount)", first, out.row, value_col=5, anchor=f"I{top}")
    out.gap()
    first = out.heading("A/R aging (no remittance yet)", "Claims", "Charges") + 1
    for bucket, (count, amount) in result.aging.items():
        out.put(bucket, Decimal(count), amount, styles=[None, NUMBER, MONEY])
    _chart(raw, "A/R aging: charges without remittance", first, out.row, value_col=3, anchor=f"E{first - 1}")
    out.pad(first - 1 + CHART_ROWS)
    out.heading("Payments by payer", "Method", "ERAs", "Amount")
    for pay in result.payments:
        out.put(
            pay.payer, pay.method, Decimal(pay.remittances), pay.amount, styles=[None, None, NUMBER, MONEY]
        )
    out.gap()
    out.heading("Tie-out by ERA (payment #)", "Payer", "Method", "Payment date", "Σ CLP04", "Σ PLB", "BPR02",
                "Ties", "Note")  # fmt: skip
    for line in tie.lines:
        out.put(line.payment_number, line.payer, line.payment_method, line.payment_date, line.claim_paid,
                line.provider_adjustments, line.payment_amount, "yes" if line.ties else "NO",
                line.note)  # fmt: skip
    out.put("Total", "", "", "", tie.claim_paid, tie.provider_adjustments, tie.payment_amount,
            "yes" if tie.ties else "NO", styles=[BOLD])  # fmt: skip
    for excluded in result.excluded_duplicates:
        out.put("Counted once", excluded)
    out.close()


def _money_at_stake(out: _Sheet, result: ReconciliationResult) -> None:
    """The opening block: dollars a person can still recover, then the same by payer."""
    stake = money_at_stake(result)
    out.heading("Money at stake", "Amount", "Claims / lines")
    out.put(
        "Underpaid: appeal", stake.underpaid, Decimal(stake.underpaid_lines), styles=[None, MONEY, NUMBER]
    )
    for action, amount in stake.denied_by_action.items():
        out.put(f"Denied: {action}", amount, styles=[None, MONEY])
    out.put(f"No ERA after {result.aging_days} days: chase the payer", stake.missing_era,
            Decimal(stake.missing_era_claims), styles=[None, MONEY, NUMBER])  # fmt: skip
    out.put("Total at stake", stake.total, styles=[BOLD, MONEY])
    out.gap()
    out.heading("By payer", "Claims", "Charges", "Paid", "Denied", "Underpaid", "No ERA (past window)",
                "To review", "")  # fmt: skip
    for row in payer_table(result):
        out.put(row.payer, Decimal(row.claims), row.charges, row.paid, row.denied, row.underpaid,
                row.missing_era, Decimal(row.problems),
                styles=[None, NUMBER, MONEY, MONEY, MONEY, MONEY, MONEY, NUMBER])  # fmt: skip


def _chart(
    sheet: WriteOnlyWorksheet, title: str, first: int, last: int, *, value_col: int, anchor: str
) -> None:
    """A bar chart of one value column against the labels in column A (rows first..last)."""
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    chart.height = CHART_HEIGHT_CM
    chart.width = CHART_WIDTH_CM
    chart.add_data(Reference(sheet, min_col=value_col, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    sheet.add_chart(chart, anchor)
