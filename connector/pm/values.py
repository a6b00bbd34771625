"""Cell conversions for PM exports: text, dates, amounts, code lists; ValueError carries a plain reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from connector.pm.table import Cell

SHARED_AMOUNTS = 16384
"""How many distinct amount texts one parser remembers."""
_POINTER_LETTERS = {chr(ord("A") + i): i + 1 for i in range(12)}
"""CMS-1500 box 24E writes pointers as letters A..L."""


def as_text(cell: Cell) -> str:
    """A cell as stripped text; whole floats lose their ``.0`` (Excel stores ids like NPIs as numbers)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell).strip()


def readable_format(fmt: str) -> str:
    """``%m/%d/%Y`` as a biller writes it: ``MM/DD/YYYY``."""
    codes = (
        ("%Y", "YYYY"),
        ("%y", "YY"),
        ("%m", "MM"),
        ("%d", "DD"),
        ("%H", "hh"),
        ("%M", "mm"),
        ("%S", "ss"),
    )
    for code, text in (*codes, ("%I", "hh"), ("%p", "AM")):
        fmt = fmt.replace(code, text)
    return fmt


class DateParser:
    """Parse dates with the profile's formats; caches text results (exports repeat the same dates a lot)."""

    def __init__(self, formats: tuple[str, ...]) -> None:
        self.formats = formats
        self.numeric = any(f in ("%Y%m%d", "%m%d%Y") for f in formats)
        self._cache: dict[str, dt.date] = {}

    def __call__(self, cell: Cell) -> dt.date | None:
        if isinstance(cell, dt.datetime):
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        if cell is None or cell == "":
            return None
        if isinstance(cell, int | float) and not isinstance(cell, bool) and self.numeric:
            cell = as_text(cell)  # 20240305 stored as a number, read with %Y%m%d
        if not isinstance(cell, str):
            raise ValueError(f"expected a date, found the number {as_text(cell)}")
        text = cell.strip()
        if not text:
            return None
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        for fmt in self.formats:
            try:
                value = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            self._cache[text] = value
            return value
        raise ValueError(f"{text!r} is not a date in the format {self.expected}")

    @property
    def expected(self) -> str:
        """The accepted formats, readable (``YYYY-MM-DD or MM/DD/YYYY``)."""
        return " or ".join(dict.fromkeys(readable_format(f) for f in self.formats))


class AmountParser:
    """Parse money and units: strips the profile's characters (``$`` ``,``); ``(12.50)``, ``12.50-`` and
    ``-12.50`` all mean -12.50."""

    def __init__(self, strip: tuple[str, ...]) -> None:
        self.strip = strip
        self.seen: dict[str, Decimal] = {}
        """Cell text -> its amount (Decimals are immutable, so shared): exports repeat charges, fees and
        units on most rows; bounded."""

    def __call__(self, cell: Cell) -> Decimal | None:
        if cell is None or cell == "":
            return None
        if isinstance(cell, str):
            known = self.seen.get(cell)
            if known is not None:
                return known
            value = self._parse(cell)
            if value is not None:
                if len(self.seen) >= SHARED_AMOUNTS:
                    self.seen.clear()
                self.seen[cell] = value
            return value
        return self._parse(cell)

    def _parse(self, cell: Cell) -> Decimal | None:
        if isinstance(cell, bool):
            raise ValueError("expected an amount, found TRUE/FALSE")
        if isinstance(cell, int):
            return Decimal(cell)
        if isinstance(cell, float):
            value = Decimal(repr(cell))
        elif isinstance(cell, str):
            text = cell.strip()
            if not text:
                return None
            negative = text.startswith("(") and text.endswith(")")
            if negative:
                text = text[1:-1]
            elif text.endswith("-"):  # trailing minus, as ledgers print credits
                negative, text = True, text[:-1]
            for ch in self.strip:
                text = text.replace(ch, "")
            text = text.strip()
            if text.startswith("-") and not negative:
                negative, text = True, text[1:].strip()
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{cell.strip()!r} is not an amount") from None
            if negative:
                value = -value
        else:
            raise ValueError(f"expected an amount, found {as_text(cell)!r}")
        if not value.is_finite():
            raise ValueError(f"{as_text(cell)!r} is not an amount")
        return value


def split_list(text: str, separator: str) -> tuple[str, ...]:
    """Split a list cell (``26:59``) into its non-empty, stripped parts."""
    if not text:
        return ()
    if separator not in text:
        stripped = text.strip()
        return (stripped,) if stripped else ()
    return tuple([p for p in (part.strip() for part in text.split(separator)) if p])


def normalize_code(text: str) -> str:
    """Upper-case a code and drop blanks."""
    return text.strip().upper().replace(" ", "")


def normalize_diagnosis(text: str) -> str:
    """ICD-10-CM as sent on an 837: upper-case, no dot."""
    return normalize_code(text).replace(".", "")


def parse_pointer(text: str) -> int:
    """A diagnosis pointer: ``1``..``12`` or a CMS-1500 letter ``A``..``L``."""
    token = text.strip().upper()
    if token in _POINTER_LETTERS:
        return _POINTER_LETTERS[token]
    try:
        return int(token)
    except ValueError:
        raise ValueError(f"diagnosis pointer {text.strip()!r} is not a number") from None
