"""Invariants over random remittances: every CLP04 lands on exactly one claim, totals tie, PM claims once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.reconcile import CATEGORIES
from connector.x12.models import ProviderAdjustment
from tests.reconcile.book import reconcile

CENTS = st.integers(min_value=0, max_value=50_000).map(lambda c: Decimal(c) / 100)


@st.composite
def scenario(draw: Any) -> dict[str, Any]:
    claims = draw(st.integers(min_value=1, max_value=8))
    plan = []
    for number in range(claims):
        lines = draw(st.lists(st.tuples(CENTS, CENTS, st.sampled_from(["45", "16", "1", "97"])), min_size=1,
                              max_size=3))  # fmt: skip
        plan.append({
            "id": f"Q{number}",
            "lines": lines,
            "in_pm": draw(st.booleans()),
            "echo_ids": draw(st.booleans()),
            "events": draw(st.lists(st.sampled_from(["pay", "reverse", "duplicate", "recoup", "interest"]),
                                    max_size=3)),
        })  # fmt: skip
    return {"claims": plan, "split": draw(st.integers(min_value=1, max_value=3))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=scenario())
def test_every_clp_lands_once_and_totals_tie(models: Any, case: dict[str, Any]) -> None:
    m = models
    pm_claims, batches = [], [[] for _ in range(case["split"])]
    plbs: list[list[ProviderAdjustment]] = [[] for _ in range(case["split"])]
    for index, plan in enumerate(case["claims"]):
        rows = []
        for n, (charge, paid, reason) in enumerate(plan["lines"]):
            paid = min(paid, charge)
            rows.append((f"{plan['id']}-{n}", "99213", charge, paid, reason))
        if plan["in_pm"]:
            pm_claims.append(
                m.pm_claim(plan["id"], [(lid, code, str(ch), str(pd)) for lid, code, ch, pd, _r in rows])
            )

        def clp(sign: int, rows: list[Any] = rows, plan: dict[str, Any] = plan) -> Any:
            lines = [
                m.era_line(lid if plan["echo_ids"] else None, code, str(sign * ch), str(sign * pd),
                           cas=[("CO", r, str(sign * (ch - pd)))])
                for lid, code, ch, pd, r in rows
            ]  # fmt: skip
            return m.clp(plan["id"], "22" if sign < 0 else "1", lines)

        target = index % case["split"]
        batches[target].append(clp(1))
        for event in plan["events"]:
            if event == "reverse":
                batches[-1].append(clp(-1))
            elif event in ("pay", "duplicate"):
                batches[-1].append(clp(1))
            elif event == "recoup":
                plbs[-1].append(ProviderAdjustment("1", None, "WO", plan["id"], Decimal("1.00")))
            else:
                plbs[-1].append(ProviderAdjustment("1", None, "L6", plan["id"], Decimal("-0.50")))
    remits = [m.remit(f"T{i}", claims, plb=plbs[i], day=m.DOS + dt.timedelta(days=i), control=f"{i + 1:09d}")
              for i, claims in enumerate(batches) if claims or plbs[i]]  # fmt: skip
    result = reconcile(remits, pm_claims, as_of=m.AS_OF)
    era_total = sum((r.total_paid for r in remits), Decimal(0))
    assert sum((c.paid for c in result.claims), Decimal(0)) == era_total
    assert result.tie_out.ties and result.tie_out.claim_paid == era_total
    counts = Counter(c.claim_id for c in result.claims)
    assert all(count == 1 for count in counts.values())
    assert {p.claim_id for p in pm_claims} <= set(counts)
    assert {c.category for c in result.claims} <= set(CATEGORIES)
    matched = Counter((ln.claim_id, ln.line_id) for ln in result.lines if ln.match != "none")
    assert all(count == 1 for count in matched.values())
    assert all(p.claim_id for p in result.provider_adjustments)  # every PLB here names a claim
