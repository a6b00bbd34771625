"""The summary of one reconciliation as plain JSON (amounts as text), stored so the dashboard shows the
report's own figures: the same KPIs, money at stake, per-payer table, denials, aging and tie-out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connector.pm.models import ChargeClaim, Claim
from connector.reconcile.at_stake import money_at_stake
from connector.reconcile.labels import category_label
from connector.reconcile.model import Kpi, ReconciliationResult
from connector.reconcile.totals import Totals, recent_by_id

SNAPSHOT_VERSION = 1


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def kpi_rows(found: Sequence[Kpi]) -> list[dict[str, Any]]:
    """KPIs as JSON rows (value as exact text)."""
    return [
        {"name": k.name, "value": _text(k.value), "unit": k.unit, "definition": k.definition} for k in found
    ]


def snapshot(result: ReconciliationResult, pm_claims: Sequence[Claim | ChargeClaim] = ()) -> dict[str, Any]:
    """Everything the Summary sheet shows, as JSON; per-payer KPIs are the KPIs of that payer's claims.

    From the result's running totals; a result built by hand (no totals) is totalled from its rows, and
    its per-payer KPIs count the recent charges of ``pm_claims``."""
    stake = money_at_stake(result)
    totals = result.totals
    if totals is None:
        totals = Totals.of(result.claims, result.lines, recent_by_id(pm_claims, result.as_of))
    payers = []
    for row in totals.payer_table():
        payers.append(
            {
                "payer": row.payer,
                "claims": row.claims,
                "charges": str(row.charges),
                "paid": str(row.paid),
                "denied": str(row.denied),
                "underpaid": str(row.underpaid),
                "missing_era": str(row.missing_era),
                "problems": row.problems,
                "kpis": kpi_rows(row.sums.kpis()),
            }
        )
    tie = result.tie_out
    return {
        "version": SNAPSHOT_VERSION,
        "as_of": result.as_of.isoformat(),
        "paid": str(totals.paid),
        "kpis": kpi_rows(result.kpis),
        "categories": [
            {"category": cat, "label": category_label(cat), "claims": count, "paid": str(paid)}
            for cat, (count, paid) in result.category_counts().items()
        ],
        "at_stake": {
            "underpaid": str(stake.underpaid),
            "underpaid_lines": stake.underpaid_lines,
            "denied": str(stake.denied),
            "denied_by_action": {action: str(amount) for action, amount in stake.denied_by_action.items()},
            "missing_era": str(stake.missing_era),
            "missing_era_claims": stake.missing_era_claims,
            "total": str(stake.total),
        },
        "payers": payers,
        "denials": [
            {
                "group": g.group,
                "code": g.code,
                "description": g.description,
                "next_action": g.next_action,
                "claims": g.claims,
                "lines": g.lines,
                "amount": str(g.amount),
                "remarks": list(g.remarks),
            }
            for g in result.denials
        ],
        "aging": [
            {"bucket": bucket, "claims": count, "charges": str(amount)}
            for bucket, (count, amount) in result.aging.items()
        ],
        "payments": [
            {"payer": p.payer, "method": p.method, "remittances": p.remittances, "amount": str(p.amount)}
            for p in result.payments
        ],
        "tie_out": {
            "ties": tie.ties,
            "claim_paid": str(tie.claim_paid),
            "provider_adjustments": str(tie.provider_adjustments),
            "payment_amount": str(tie.payment_amount),
            "notes": list(tie.notes),
            "lines": [
                {
                    "payment_number": t.payment_number,
                    "payer": t.payer,
                    "method": t.payment_method,
                    "payment_date": t.payment_date.isoformat() if t.payment_date else None,
                    "claim_paid": str(t.claim_paid),
                    "provider_adjustments": str(t.provider_adjustments),
                    "payment_amount": str(t.payment_amount),
                    "ties": t.ties,
                    "note": t.note,
                }
                for t in tie.lines
            ],
        },
    }
