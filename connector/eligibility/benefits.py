"""Turn a 271's benefit rows (EB) and rejections (AAA) into the summary a front desk reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from connector.eligibility.model import Accumulator, Benefit, Coverage, EligibilityResult, Rejection

ACTIVE_CODES = frozenset("12345")
"""EB01 active coverage (1) and its plan variants (2-5)."""
INACTIVE_CODES = frozenset("678")
"""EB01 inactive (6), inactive pending eligibility update (7), pending investigation (8)."""
NOT_FOUND_CODES = frozenset({"64", "67", "72", "75", "77"})
"""AAA03 codes meaning the payer has nobody with these details."""
SEVERAL_CODES = frozenset({"68", "76"})
"""AAA03 duplicate patient / subscriber id: several people match."""
DOB_CODES = frozenset({"58", "60", "71"})
"""AAA03 date of birth missing, after the date of service, or not the one on file."""
NAME_CODES = frozenset({"65", "73"})
"""AAA03 patient or subscriber name missing or not the one on file."""
OFFICE_VISIT = "98"
"""EB03 professional (physician) visit - office."""
PLAN_COVERAGE = "30"
AMOUNT_PERIODS = frozenset({"21", "22", "23", "25", "32", "33"})
"""EB06 periods that state the whole amount (years, contract, lifetime, ...)."""
REMAINING_PERIOD = "29"
MET_PERIOD = "24"
OPEN_END_YEAR = 9999


def coverage_from_rejections(rejections: Sequence[Rejection]) -> Coverage | None:
    """The coverage status AAA codes imply (None when there is no rejection)."""
    codes = {r.code for r in rejections if r.level != "benefit"}
    if not codes:
        return None
    if codes & SEVERAL_CODES:
        return Coverage.SEVERAL_MATCHES
    if codes & (NOT_FOUND_CODES | DOB_CODES | NAME_CODES):
        return Coverage.NOT_FOUND
    return Coverage.REJECTED


def _preferred(rows: Iterable[Benefit]) -> list[Benefit]:
    """In-network rows first (Y, W, unstated), out-of-network (N) rows only when there are no others."""
    rows = list(rows)
    inside = [b for b in rows if b.in_network != "N"]
    return inside or rows


def _for_service(rows: Sequence[Benefit], service: str) -> list[Benefit]:
    """Rows that name ``service`` first, then rows for the whole plan (30) or without a service type."""
    named = [b for b in rows if service in b.service_types]
    general = [b for b in rows if not b.service_types or PLAN_COVERAGE in b.service_types]
    return named + [b for b in general if b not in named]


def _specialist(benefit: Benefit) -> bool:
    text = " ".join((benefit.plan_description, *benefit.messages)).upper()
    return "SPECIALIST" in text


def accumulator(rows: Sequence[Benefit], level: str) -> Accumulator:
    """Deductible or out-of-pocket for IND or FAM: amount, met and remaining from EB06 periods."""
    amount = met = remaining = None
    for b in _preferred(r for r in rows if (r.coverage_level or "IND") == level):
        if b.amount is None:
            continue
        if b.period == REMAINING_PERIOD and remaining is None:
            remaining = b.amount
        elif b.period == MET_PERIOD and met is None:
            met = b.amount
        elif (b.period in AMOUNT_PERIODS or not b.period) and amount is None:
            amount = b.amount
    return Accumulator(amount, met, remaining).filled()


def _network(rows: Sequence[Benefit]) -> bool | None:
    flags = {b.in_network for b in rows if b.code in "ABCG" and b.in_network in ("Y", "N")}
    if "Y" in flags:
        return True
    return False if flags == {"N"} else None


def summarize(result: EligibilityResult, request_rejections: Sequence[Rejection] = ()) -> EligibilityResult:
    """Fill ``result``'s status and figures from its benefits and rejections (in place; returns it)."""
    rows = result.benefits
    rejected = coverage_from_rejections([*request_rejections, *result.rejections])
    if rejected is not None:
        result.status = rejected
        result.matches = 2 if rejected is Coverage.SEVERAL_MATCHES else 0
    elif any(b.code in INACTIVE_CODES for b in rows):
        result.status = Coverage.TERMINATED if result.end is not None else Coverage.INACTIVE
    elif any(b.code in ACTIVE_CODES for b in rows):
        ended = (
            result.end is not None and result.service_date is not None and result.end < result.service_date
        )
        result.status = Coverage.TERMINATED if ended else Coverage.ACTIVE
    plan = next((b.plan_description for b in rows if b.code in ACTIVE_CODES and b.plan_description), "")
    result.plan = result.plan or plan
    copays = _preferred(b for b in rows if b.code == "B" and b.amount is not None)
    office = [b for b in _for_service(copays, OFFICE_VISIT) if not _specialist(b)]
    specialist = [b for b in copays if _specialist(b)]
    result.office_copay = office[0].amount if office else result.office_copay
    result.specialist_copay = specialist[0].amount if specialist else result.specialist_copay
    coins = _for_service(_preferred(b for b in rows if b.code == "A" and b.percent is not None), OFFICE_VISIT)
    if coins and coins[0].percent is not None:
        result.coinsurance = _fraction(coins[0].percent)
    deductibles = _for_service([b for b in rows if b.code == "C"], OFFICE_VISIT)
    oop = _for_service([b for b in rows if b.code == "G"], OFFICE_VISIT)
    result.deductible_individual = accumulator(deductibles, "IND")
    result.deductible_family = accumulator(deductibles, "FAM")
    result.out_of_pocket_individual = accumulator(oop, "IND")
    result.out_of_pocket_family = accumulator(oop, "FAM")
    result.in_network = _network(rows)
    text = " ".join(m.upper() for b in rows for m in b.messages)
    result.referral_required = result.referral_required or "REFERRAL REQUIRED" in text
    result.auth_required = (
        result.auth_required
        or any(b.authorization == "Y" for b in rows)
        or "PRECERT" in text.replace("-", "").replace(" ", "")
        or "PRIOR AUTH" in text
    )
    other = next((b for b in rows if b.code == "R"), None)
    if other is not None:
        entities = [(entity, name) for entity, name, _ in other.related]
        primary = next((name or "another payer" for entity, name in entities if entity in ("PRP", "PR")), "")
        if primary or not entities:
            result.other_payer = result.other_payer or primary or "another payer"
    return result


def _fraction(percent: Decimal) -> Decimal:
    """EB08 is a fraction (.2); some payers send 20 for 20%."""
    return percent / 100 if percent > 1 else percent
