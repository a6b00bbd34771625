"""Shared named cell styles of the report (registered once per workbook) and the category colours."""

from __future__ import annotations

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side  # type: ignore[import-untyped]

from connector.reconcile.labels import category_id

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = '0.00"%"'

CATEGORY_COLOURS: dict[str, str] = {
    "paid_as_expected": "C6EFCE",
    "underpaid": "FFC7CE",
    "overpaid": "FFEB9C",
    "partially_paid": "FCE4D6",
    "denied": "FF9999",
    "reversed": "D9D2E9",
    "recouped": "E4DFEC",
    "interest": "DDEBF7",
    "forwarded": "BDD7EE",
    "patient_responsibility": "EDEDED",
    "missing_era": "F8CBAD",
    "era_not_in_pm": "F4B084",
    "duplicate_payment": "FFD966",
    "charge_mismatch": "FFE699",
    "awaiting_era": "F2F2F2",
    "predetermination": "E2EFDA",
    "matched": "C6EFCE",
    "amount_mismatch": "FFEB9C",
    "deposit_without_era": "F8CBAD",
    "era_without_deposit": "FFC7CE",
    # eligibility statuses (the Eligibility workbook)
    "active": "C6EFCE",
    "inactive": "FF9999",
    "terminated": "FF9999",
    "not_found": "F8CBAD",
    "several_matches": "FFEB9C",
    "rejected": "F8CBAD",
    "not_checked": "F2F2F2",
}

HEADER = "rc_header"
MONEY = "rc_money"
DATE = "rc_date"
PERCENT = "rc_percent"
QUOTED = "rc_quoted"
TITLE = "rc_title"
BOLD = "rc_bold"
NUMBER = "rc_number"


def category_style(category: str) -> str:
    """Name of the fill style for a category id or its label ("" when it has no colour)."""
    category = category_id(category)
    return f"rc_cat_{category}" if category in CATEGORY_COLOURS else ""


def register_styles(book: Workbook) -> None:
    """Add every named style the report uses to ``book`` (cells then share one style record each)."""
    thin = Side(style="thin", color="808080")
    styles = [
        NamedStyle(
            HEADER,
            font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F4E78"),
            alignment=Alignment(vertical="center", wrap_text=True),
            border=Border(bottom=thin),
        ),
        NamedStyle(MONEY, number_format=MONEY_FORMAT),
        NamedStyle(DATE, number_format=DATE_FORMAT),
        NamedStyle(PERCENT, number_format=PERCENT_FORMAT),
        NamedStyle(NUMBER, number_format="#,##0.##"),
        NamedStyle(QUOTED),
        NamedStyle(TITLE, font=Font(bold=True, size=14, color="1F4E78")),
        NamedStyle(BOLD, font=Font(bold=True)),
    ]
    for category, colour in CATEGORY_COLOURS.items():
        styles.append(NamedStyle(category_style(category), fill=PatternFill("solid", fgColor=colour)))
    for style in styles:
        book.add_named_style(style)
