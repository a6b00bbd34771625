"""Bank deposits: read the bank CSV (text); match each ACH deposit to its 835 by trace, amount and date."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from connector.errors import InputError
from connector.reconcile.model import BankDeposit, DepositRow
from connector.reconcile.rows import EraRemit
from connector.x12.models import Remittance

DATE_WINDOW_DAYS = 5
"""A deposit found by amount alone must land within this many days of the 835's payment date."""
_HEADERS = {
    "date": ("date", "posted", "posting_date", "transaction_date", "value_date"),
    "amount": ("amount", "credit", "deposit", "credit_amount"),
    "reference": ("trace_number", "trace", "reference", "ref", "check_number"),
    "description": ("description", "memo", "details", "addenda", "narrative"),
}
_TOKEN = re.compile(r"[0-9A-Za-z]+")
_NO_DEPOSITS = frozenset({"NON"})


def read_bank_csv(text: str, source: str = "bank CSV") -> list[BankDeposit]:
    """Parse a bank statement CSV (header row; date, amount, trace/reference, description columns)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    where = {
        field: next((header.index(n) for n in names if n in header), -1) for field, names in _HEADERS.items()
    }
    if where["date"] < 0 or where["amount"] < 0:
        raise InputError(f"{source}: needs a date and an amount column (found {', '.join(header) or 'none'})")
    out: list[BankDeposit] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            position = where[field]
            return row[position].strip() if 0 <= position < len(row) else ""

        try:
            amount = Decimal(cell("amount").replace(",", "").replace("$", ""))
            date = dt.date.fromisoformat(cell("date")) if cell("date") else None
        except (InvalidOperation, ValueError) as exc:
            raise InputError(f"{source}: row {number}: unreadable date or amount") from exc
        out.append(BankDeposit(date, amount, cell("reference"), cell("description"), number))
    return out


def match_deposits(
    remittances: Sequence[Remittance | EraRemit], deposits: Sequence[BankDeposit]
) -> list[DepositRow]:
    """Deposits matched to ERAs (trace number first, else amount within the date window) and leftovers."""
    taken: set[int] = set()
    rows: list[DepositRow] = []
    by_token: dict[str, list[int]] = {}
    by_amount: dict[Decimal, list[int]] = {}
    for index, deposit in enumerate(deposits):
        for token in {deposit.reference.strip(), *_TOKEN.findall(deposit.description)}:
            if token:
                by_token.setdefault(token, []).append(index)
        by_amount.setdefault(deposit.amount, []).append(index)
    expected = [r for r in remittances if r.payment_amount > 0 and r.payment_method not in _NO_DEPOSITS]
    for remit in expected:
        index = _by_trace(remit, deposits, by_token, taken)
        if index < 0:
            index = _by_amount(remit, deposits, by_amount.get(remit.payment_amount, []), taken)
        if index < 0:
            rows.append(DepositRow("era_without_deposit", remit.trace_number, remit.payer.name,
                                   remit.payment_amount, remit.payment_date))  # fmt: skip
            continue
        taken.add(index)
        deposit = deposits[index]
        difference = deposit.amount - remit.payment_amount
        rows.append(
            DepositRow(
                "matched" if difference == 0 else "amount_mismatch",
                remit.trace_number,
                remit.payer.name,
                remit.payment_amount,
                remit.payment_date,
                deposit.amount,
                deposit.date,
                deposit.reference or deposit.description,
                difference,
            )
        )
    for index, deposit in enumerate(deposits):
        if index not in taken and deposit.amount > 0:
            rows.append(
                DepositRow(
                    "deposit_without_era",
                    deposit_amount=deposit.amount,
                    deposit_date=deposit.date,
                    reference=deposit.reference or deposit.description,
                )
            )
    return rows


def _by_trace(
    remit: Remittance | EraRemit,
    deposits: Sequence[BankDeposit],
    by_token: dict[str, list[int]],
    taken: set[int],
) -> int:
    """A deposit whose reference is the trace number or whose text carries it as a whole word."""
    trace = remit.trace_number.strip()
    if not trace:
        return -1
    if _TOKEN.fullmatch(trace):
        hits = [i for i in by_token.get(trace, []) if i not in taken]
    else:
        pattern = re.compile(rf"(?<![0-9A-Za-z]){re.escape(trace)}(?![0-9A-Za-z])")
        hits = [
            i
            for i, d in enumerate(deposits)
            if i not in taken and (d.reference.strip() == trace or pattern.search(d.description))
        ]
    exact = [i for i in hits if deposits[i].amount == remit.payment_amount]
    return (exact or hits or [-1])[0]


def _by_amount(
    remit: Remittance | EraRemit, deposits: Sequence[BankDeposit], candidates: list[int], taken: set[int]
) -> int:
    """A deposit of the same amount, without a trace of its own, within the date window."""
    for index in candidates:
        deposit = deposits[index]
        if index in taken or deposit.reference:
            continue
        if remit.payment_date is None or deposit.date is None:
            return index
        if abs((deposit.date - remit.payment_date).days) <= DATE_WINDOW_DAYS:
            return index
    return -1
