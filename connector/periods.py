"""Quick-search periods of portals without free date fields ("Last 30 days" ... "Last 9-13 months")."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_DAYS = re.compile(r"^\s*Last\s+(\d+)\s+days?\s*$", re.IGNORECASE)
_MONTHS = re.compile(r"^\s*Last\s+(\d+)\s*-\s*(\d+)\s+months?\s*$", re.IGNORECASE)


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's length)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_window(label: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates a period covers, or None for a label we cannot read.

    "Last N days" runs from today-N days to today; "Last N-M months" is rolling, from today-M months to
    today-(N-1) months (Optum Pay's arithmetic as its own test suite used it).
    """
    days = _DAYS.match(label)
    if days:
        return today - dt.timedelta(days=int(days.group(1))), today
    months = _MONTHS.match(label)
    if not months:
        return None
    low, high = int(months.group(1)), int(months.group(2))
    return months_back(today, high), months_back(today, max(low - 1, 0))


@dataclass(frozen=True, slots=True)
class PeriodPlan:
    """Which periods to walk for a lookback, and the oldest day they reach (``gap`` days nobody covers)."""

    labels: tuple[str, ...]
    reaches: dt.date | None
    gap_days: int = 0


def plan_periods(labels: list[str] | tuple[str, ...], since: dt.date, today: dt.date) -> PeriodPlan:
    """The smallest single period covering ``since``..``today``, else a walk of periods back to ``since``.

    The walk starts with the period that reaches furthest back among those ending today, then repeatedly
    takes the period that covers the oldest day not yet covered and reaches furthest back; days no period
    covers (between two rolling windows) are counted in ``gap_days``.
    """
    windows = [(label, w) for label in labels if (w := period_window(label, today)) is not None]
    covering = [(label, w) for label, w in windows if w[0] <= since and w[1] >= today]
    if covering:
        label, window = min(covering, key=lambda item: item[1][1] - item[1][0])
        return PeriodPlan((label,), window[0])
    chosen: list[str] = []
    current, gap, reaches = today, 0, None
    while current >= since:
        holding = [(label, w) for label, w in windows if w[0] <= current <= w[1] and label not in chosen]
        if not holding:
            older = [(label, w) for label, w in windows if w[1] < current and label not in chosen]
            if not older:
                break
            label, window = max(older, key=lambda item: item[1][1])
            gap += (current - window[1]).days
        else:
            label, window = min(holding, key=lambda item: item[1][0])
        chosen.append(label)
        reaches = window[0]
        current = window[0] - dt.timedelta(days=1)
    return PeriodPlan(tuple(chosen), reaches, gap)
