"""The Money page's facts: the reconciliation snapshots stored by the reconcile job, per account and day.

The figures are the ones the report printed (``connector.reconcile.snapshot``), never recomputed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.store import Account, ReconciliationRun

SERIES = (
    ("Paid by payer", "money"),
    ("Denial rate (count)", "percent"),
    ("Denial rate (dollars)", "percent"),
    ("Net collection rate", "percent"),
    ("Days in A/R", "days"),
)
"""KPIs drawn over time (by their names in the report)."""


@dataclass(slots=True)
class Day:
    """One account's reconciliation of one day (the newest of that day)."""

    account: str
    as_of: dt.date
    run_id: int
    created_at: dt.datetime
    totals: dict[str, Any]

    @property
    def complete(self) -> bool:
        """True when the snapshot has the summary (older rows only kept the paid total)."""
        return "kpis" in self.totals

    def kpi(self, name: str) -> Decimal | None:
        """A KPI's exact value by its report name (None when absent or not computable)."""
        for row in self.totals.get("kpis", []):
            if row.get("name") == name:
                return None if row.get("value") is None else Decimal(row["value"])
        return None

    def amount(self, *path: str) -> Decimal | None:
        """An amount inside the snapshot, e.g. ``amount("at_stake", "underpaid")``."""
        node: Any = self.totals
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return None if node is None else Decimal(str(node))


def days(session: Session, account: str | None = None, limit: int = 90) -> list[Day]:
    """The newest reconciliation of each day per account (oldest day first), at most ``limit`` days each."""
    query = (
        select(ReconciliationRun, Account.key)
        .join(Account, ReconciliationRun.account_id == Account.id)
        .order_by(ReconciliationRun.as_of, ReconciliationRun.created_at, ReconciliationRun.id)
    )
    if account:
        query = query.where(Account.key == account)
    newest: dict[tuple[str, dt.date], Day] = {}
    for run, key in session.execute(query):
        newest[(key, run.as_of)] = Day(key, run.as_of, run.id, run.created_at, dict(run.totals or {}))
    out = sorted(newest.values(), key=lambda d: (d.account, d.as_of))
    per_account: dict[str, list[Day]] = {}
    for day in out:
        per_account.setdefault(day.account, []).append(day)
    return [d for items in per_account.values() for d in items[-limit:]]


def latest(session: Session, account: str | None = None) -> dict[str, Day]:
    """The newest complete reconciliation of each account."""
    found: dict[str, Day] = {}
    for day in days(session, account):
        if day.complete:
            found[day.account] = day
    return found


def fmt_value(value: object, unit: str) -> str:
    """A figure as the dashboard prints it: $1,234.56, 12.34%, 41.2 days, 12."""
    if value is None or value == "":
        return "n/a"
    number = Decimal(str(value))
    if unit == "money":
        return f"-${-number:,.2f}" if number < 0 else f"${number:,.2f}"
    if unit == "percent":
        return f"{number:.2f}%"
    if unit == "days":
        return f"{number:,} days"
    return f"{number:,}"
