"""Element-level helpers of the 835 reader: amounts, CAS triples, procedure composites, PLB, error hints."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from connector.x12.model_835 import Adjustment, ProcedureCode, ProviderAdjustment
from connector.x12.model_common import DateEntry
from connector.x12.values import cached_date

PAD = [""] * 25


class Bad(Exception):
    """Internal: a required element is missing or not a number (index of the element)."""

    def __init__(self, element: int, message: str) -> None:
        super().__init__(message)
        self.element = element
        self.message = message


def money(seg: list[str], index: int) -> Decimal:
    try:
        return decimal(seg[index])
    except (InvalidOperation, IndexError):
        value = seg[index] if index < len(seg) else ""
        raise Bad(index, f"amount expected, found {value!r}") from None


def opt(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


PROCEDURES: dict[str, dict[str, ProcedureCode]] = {}
"""Per component separator: composite text -> ProcedureCode (shared; ProcedureCode is frozen)."""
DATE_ENTRIES: dict[tuple[str, str], DateEntry] = {}


def procedure(text: str, comp: str) -> ProcedureCode:
    """SVC01/SVC06 composite to a (shared, frozen) ProcedureCode; procedure codes repeat a lot."""
    cache = PROCEDURES.setdefault(comp, {})
    try:
        return cache[text]
    except KeyError:
        pass
    parts = text.split(comp)
    n = len(parts)
    if n == 2:
        code = ProcedureCode(parts[0], parts[1])
    else:
        if n < 7:
            parts += PAD[: 7 - n]
        code = ProcedureCode(parts[0], parts[1], tuple(m for m in parts[2:6] if m), parts[6])
    if len(cache) > 4096:
        cache.clear()
    cache[text] = code
    return code


def date_entry(qualifier: str, text: str) -> DateEntry:
    key = (qualifier, text)
    try:
        return DATE_ENTRIES[key]
    except KeyError:
        if len(DATE_ENTRIES) > 4096:
            DATE_ENTRIES.clear()
        entry = DATE_ENTRIES[key] = DateEntry(qualifier, cached_date(text))
        return entry


def adjustments(seg: list[str], target: list[Adjustment]) -> None:
    n = len(seg)
    if n < 4 or not seg[1]:
        raise Bad(1, "CAS needs a group code, a reason code and an amount")
    group = seg[1]
    if n == 4 and seg[2]:
        target.append(Adjustment(group, seg[2], decimal(seg[3])))
        return
    for k in range(2, min(n, 20), 3):
        reason = seg[k]
        if not reason:
            if k + 1 < n and seg[k + 1]:
                raise Bad(k, "CAS amount without a reason code")
            continue
        amount = money(seg, k + 1)
        quantity = opt(seg[k + 2]) if k + 2 < n else None
        target.append(Adjustment(group, reason, amount, quantity))


NUMERIC = {
    "CLP": (3, 4, 5, 12, 13),
    "SVC": (2, 3, 5, 7),
    "CAS": (3, 6, 9, 12, 15, 18),
    "AMT": (2,),
    "QTY": (2,),
}


def bad_number(seg: list[str]) -> Bad:
    """Find the element that is not a number (slow path, only after an InvalidOperation)."""
    positions = NUMERIC.get(seg[0], range(1, len(seg)))
    for k in positions:
        if k < len(seg) and seg[k] and opt(seg[k]) is None:
            return Bad(k, f"number expected, found {seg[k]!r}")
    return Bad(0, "number expected")


def plb(seg: list[str], comp: str, target: list[ProviderAdjustment]) -> None:
    e = seg + PAD if len(seg) < 3 else seg
    provider, fiscal = e[1], cached_date(e[2])
    n = len(seg)
    for k in range(3, n, 2):
        if not seg[k]:
            continue
        reason, _, reference = seg[k].partition(comp)
        target.append(ProviderAdjustment(provider, fiscal, reason, reference, money(seg, k + 1)))


DECIMALS: dict[str, Decimal] = {}
"""Amount text -> Decimal (immutable, so shared): ERAs repeat the same amounts (copays, zero, fees) a lot."""


def decimal(text: str) -> Decimal:
    """Decimal(text), remembered in DECIMALS (bounded); InvalidOperation for anything not a number."""
    value = Decimal(text)
    if not value.is_finite():  # "NaN", "Infinity" parse as Decimals but are not amounts
        raise InvalidOperation(text)
    if len(DECIMALS) > 8192:
        DECIMALS.clear()
    DECIMALS[text] = value
    return value
