"""The biller's words for reconciliation categories (the identifiers stay in technical columns)."""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "paid_as_expected": "Paid as expected",
    "underpaid": "Underpaid",
    "overpaid": "Overpaid",
    "partially_paid": "Partly paid",
    "denied": "Denied",
    "reversed": "Payment reversed",
    "recouped": "Money taken back",
    "interest": "Interest paid",
    "forwarded": "Sent on to another payer",
    "patient_responsibility": "Patient owes the rest",
    "missing_era": "No ERA yet (past due)",
    "era_not_in_pm": "ERA not in PM",
    "duplicate_payment": "Paid twice",
    "charge_mismatch": "Charge differs from PM",
    "awaiting_era": "Waiting for ERA",
    "matched": "Deposit matches ERA",
    "amount_mismatch": "Deposit amount differs",
    "deposit_without_era": "Deposit without ERA",
    "era_without_deposit": "ERA without deposit",
}
"""Category id -> the words shown to billing staff (report and dashboard)."""

_BY_LABEL = {label: key for key, label in CATEGORY_LABELS.items()}


def category_label(category: str) -> str:
    """The biller's words for a category id (the id itself when it has none)."""
    return CATEGORY_LABELS.get(category, category)


def category_id(text: str) -> str:
    """The category id of a label or of an id (``text`` itself when it is neither)."""
    return _BY_LABEL.get(text, text)
