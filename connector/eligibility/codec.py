"""EligibilityResult to and from plain JSON values (for the store): dates ISO, amounts as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from connector.eligibility.model import Accumulator, Coverage, EligibilityResult, Rejection

_DATES = ("dob", "service_date", "effective", "end")
_MONEY = ("office_copay", "specialist_copay", "coinsurance")
_ACCUMULATORS = (
    "deductible_individual",
    "deductible_family",
    "out_of_pocket_individual",
    "out_of_pocket_family",
)
_TEXT = ("member_id", "last_name", "first_name", "plan", "group", "other_payer", "source", "trace", "message")


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def to_json(result: EligibilityResult) -> dict[str, Any]:
    """The result's summary (not its raw EB rows) as JSON-ready values."""
    out: dict[str, Any] = {"status": result.status.value}
    for name in _TEXT:
        out[name] = getattr(result, name)
    for name in _DATES:
        value = getattr(result, name)
        out[name] = value.isoformat() if value else None
    for name in _MONEY:
        out[name] = _dec(getattr(result, name))
    for name in _ACCUMULATORS:
        acc: Accumulator = getattr(result, name)
        out[name] = [_dec(acc.amount), _dec(acc.met), _dec(acc.remaining)]
    out |= {
        "in_network": result.in_network,
        "referral_required": result.referral_required,
        "auth_required": result.auth_required,
        "auth_codes": list(result.auth_codes),
        "matches": result.matches,
        "dependent": result.dependent,
        "rejections": [
            [r.code, r.follow_up, r.valid_request, r.level, r.description] for r in result.rejections
        ],
    }
    return out


def from_json(data: dict[str, Any]) -> EligibilityResult:
    """The inverse of :func:`to_json`."""
    result = EligibilityResult(Coverage(data["status"]))
    for name in _TEXT:
        setattr(result, name, data.get(name) or "")
    for name in _DATES:
        value = data.get(name)
        setattr(result, name, dt.date.fromisoformat(value) if value else None)
    for name in _MONEY:
        setattr(result, name, _undec(data.get(name)))
    for name in _ACCUMULATORS:
        amount, met, remaining = data.get(name) or (None, None, None)
        setattr(result, name, Accumulator(_undec(amount), _undec(met), _undec(remaining)))
    result.in_network = data.get("in_network")
    result.referral_required = bool(data.get("referral_required"))
    result.auth_required = bool(data.get("auth_required"))
    result.auth_codes = tuple(data.get("auth_codes") or ())
    result.matches = int(data.get("matches", 1))
    result.dependent = bool(data.get("dependent"))
    result.rejections = [Rejection(*r) for r in data.get("rejections") or ()]
    return result
