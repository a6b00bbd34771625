"""Read the values a portal's eligibility result page shows (text) into an EligibilityResult."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from connector.eligibility.model import Accumulator, Coverage, EligibilityResult

EMPTY = frozenset({"", "—", "-", "–", "n/a", "none", "not applicable"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")


def money(text: str) -> Decimal | None:
    """``$1,500.00`` -> Decimal; None when the page shows no figure."""
    clean = text.strip().replace("$", "").replace(",", "").replace("USD", "").strip()
    if clean.casefold() in EMPTY:
        return None
    try:
        return Decimal(clean)
    except InvalidOperation:
        return None


def percent(text: str) -> Decimal | None:
    """``20%`` -> 0.20; None when absent."""
    value = money(text.replace("%", ""))
    return None if value is None else value / 100


def date(text: str, fmt: str = "%Y-%m-%d") -> dt.date | None:
    """The first date in ``text`` (ISO or the portal's format), or None."""
    found = _DATE.search(text)
    if found is None:
        return None
    token = found.group(0)
    for candidate in (fmt, "%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(token, candidate).date()
        except ValueError:
            continue
    return None


def status(text: str) -> Coverage:
    """``Active`` / ``Inactive`` / ``Terminated on ...`` (anything else: inactive, to be looked at)."""
    word = text.strip().casefold()
    if word.startswith("active"):
        return Coverage.ACTIVE
    if word.startswith(("terminated", "term ", "ended")):
        return Coverage.TERMINATED
    return Coverage.INACTIVE


def _acc(values: Mapping[str, str], prefix: str) -> Accumulator:
    return Accumulator(
        money(values.get(f"{prefix}_amount", "")),
        money(values.get(f"{prefix}_met", "")),
        money(values.get(f"{prefix}_remaining", "")),
    ).filled()


def _codes(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\b[A-Z]?\d{4}[A-Z0-9]?\b", text.upper()))


def result_from_page(
    values: Mapping[str, str], member_name: str = "", member_dob: str = "", fmt: str = "%Y-%m-%d"
) -> EligibilityResult:
    """The result page's texts by field key (``status``, ``plan``, ``office_copay``, ...) as a result."""
    last, _, first = member_name.partition(",")
    coverage = status(values.get("status", ""))
    end = date(values.get("end", ""), fmt)
    if coverage is Coverage.TERMINATED and end is None:
        end = date(values.get("status", ""), fmt)
    network = values.get("network", "").strip().casefold()
    referral = values.get("referral", "").strip().casefold()
    auth = values.get("auth", "").strip()
    needs_auth = bool(auth) and not auth.casefold().startswith(("not", "no")) and auth.casefold() not in EMPTY
    return EligibilityResult(
        coverage,
        last_name=last.strip(),
        first_name=first.strip(),
        dob=date(member_dob, fmt),
        plan=values.get("plan", "").strip(),
        group=values.get("group", "").strip(),
        effective=date(values.get("effective", ""), fmt),
        end=end,
        in_network=None if not network else not network.startswith(("out", "not")),
        office_copay=money(values.get("office_copay", "")),
        specialist_copay=money(values.get("specialist_copay", "")),
        coinsurance=percent(values.get("coinsurance", "")),
        deductible_individual=_acc(values, "ded_ind"),
        deductible_family=_acc(values, "ded_fam"),
        out_of_pocket_individual=_acc(values, "oop_ind"),
        out_of_pocket_family=_acc(values, "oop_fam"),
        referral_required=bool(referral) and not referral.startswith(("not", "no")) and referral not in EMPTY,
        auth_required=needs_auth,
        auth_codes=_codes(auth) if needs_auth else (),
        other_payer=values.get("other_payer", "").strip(),
    )
