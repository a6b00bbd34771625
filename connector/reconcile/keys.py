"""Matching keys: claim numbers (case, spaces, leading zeros), procedures with fused modifiers, cents."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from connector.x12.models import ProcedureCode

_DROP = str.maketrans("", "", " \t\r\n")


def claim_key(claim_number: str) -> str:
    """A claim/account number as compared: upper case, no whitespace, no leading zeros ('0' stays '0')."""
    text = claim_number.translate(_DROP).upper()
    stripped = text.lstrip("0")
    return stripped or ("0" if text else "")


_CENTS: dict[Decimal, int] = {}
CENTS_KEPT = 8192


def cents(amount: Decimal | None) -> int:
    """An amount as integer cents (half up past the cent); None counts as 0. Remembered per value (equal
    amounts are equal cents whatever their exponent; a line's keys read the same few amounts again and
    again)."""
    if amount is None:
        return 0
    try:
        found = _CENTS.get(amount)
    except TypeError:  # a signalling NaN cannot be hashed: converted below, which refuses it
        found = None
    if found is None:
        found = int(amount.scaleb(2).to_integral_value(ROUND_HALF_UP))
        if len(_CENTS) >= CENTS_KEPT:
            _CENTS.clear()
        _CENTS[amount] = found
    return found


def split_fused(code: str, modifiers: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """Split modifiers fused onto the code (``9921325``, ``99213-25``) or into one element (``2659``)."""
    code = code.strip().upper()
    extra: list[str] = []
    if "-" in code:
        code, _, rest = code.partition("-")
        extra.extend(part for part in rest.split("-") if part)
    elif len(code) > 5 and (len(code) - 5) % 2 == 0:
        rest = code[5:]
        code = code[:5]
        extra.extend(rest[i : i + 2] for i in range(0, len(rest), 2))
    for modifier in modifiers:
        modifier = modifier.strip().upper()
        if len(modifier) > 2 and len(modifier) % 2 == 0:
            extra.extend(modifier[i : i + 2] for i in range(0, len(modifier), 2))
        elif modifier:
            extra.append(modifier)
    return code, tuple(extra)


def modifier_key(modifiers: tuple[str, ...]) -> str:
    """Modifiers compared as a set (order on the remit may differ from the claim)."""
    return ":".join(sorted(modifiers))


FUSED_QUALIFIERS = frozenset({"HC", ""})
"""Only HCPCS/CPT codes (qualifier HC) get fused modifiers split off; a local (ZZ), dental (AD), NDC (N4),
revenue (NU) or other code is kept as sent (a 7-character ZZ code is not a code and a modifier)."""


def billed_procedure(procedure: ProcedureCode, original: ProcedureCode | None) -> tuple[str, tuple[str, ...]]:
    """The procedure as billed: SVC06 when the payer restated it, else SVC01; fused modifiers split (HC)."""
    source = original if original is not None and original.code else procedure
    if source.qualifier.strip().upper() not in FUSED_QUALIFIERS:
        return source.code.strip().upper(), tuple(m.strip().upper() for m in source.modifiers if m.strip())
    return split_fused(source.code, source.modifiers)


def day_number(date: dt.date | None) -> int:
    """A date as a proleptic ordinal (0 when unknown) for cheap keys."""
    return date.toordinal() if date is not None else 0
