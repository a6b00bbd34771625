"""Element value conversions shared by readers and writers: dates, amounts, quantities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation


def parse_date(text: str) -> dt.date | None:
    """CCYYMMDD or YYMMDD to a date; None for empty or impossible dates (e.g. 20230230)."""
    n = len(text)
    try:
        if n == 8:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if n == 6:
            year = int(text[:2])
            return dt.date(2000 + year if year < 50 else 1900 + year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None
    return None


def parse_decimal(text: str) -> Decimal | None:
    """An X12 R/N element to Decimal; None when empty or not a number."""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_date(value: dt.date) -> str:
    """CCYYMMDD."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def format_decimal(value: Decimal) -> str:
    """Money or a quantity as X12 R: no exponent, no trailing zeros after the point, no plus sign."""
    if value == value.to_integral_value():
        text = str(value.quantize(Decimal(1)))
    else:
        text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


_DATES: dict[str, dt.date | None] = {}


def cached_date(text: str) -> dt.date | None:
    """parse_date with a small cache (remittances repeat the same few dates thousands of times)."""
    try:
        return _DATES[text]
    except KeyError:
        if len(_DATES) > 4096:
            _DATES.clear()
        value = _DATES[text] = parse_date(text)
        return value
