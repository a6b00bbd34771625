"""Against the sandbox ground truth: every planted discrepancy lands in its category, nothing else flagged."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from connector.reconcile import read_bank_csv
from tests.reconcile.book import reconcile

PLANTED = (
    "underpaid", "overpaid", "partially_paid", "denied", "forwarded", "interest", "reversed", "recouped",
    "duplicate_payment", "charge_mismatch", "era_not_in_pm", "missing_era",
)  # fmt: skip


@pytest.mark.parametrize(("seed", "payments", "export"), [(7, 40, "csv"), (3, 40, "xlsx"), (42, 90, "csv")])
def test_every_planted_discrepancy_and_nothing_else(
    sandbox_case: Any, seed: int, payments: int, export: str
) -> None:
    case = sandbox_case(seed, payments, export)
    result = reconcile(case.remittances, case.claims, as_of=case.as_of)
    found = result.discrepancies()
    assert found - case.truth == set(), "flagged but not planted"
    assert case.truth - found == set(), "planted but not found"
    planted = Counter(category for _claim, _line, category in case.truth)
    for category in PLANTED:
        assert planted[category] >= 1, f"the generator planted no {category}; the test would prove nothing"
    assert result.tie_out.ties, result.tie_out.notes


def test_amounts_of_planted_discrepancies(sandbox_case: Any) -> None:
    case = sandbox_case(7, 40, "csv")
    result = reconcile(case.remittances, case.claims, as_of=case.as_of)
    lines = {(ln.claim_id, ln.line_id): ln for ln in result.lines}
    claims = {c.claim_id: c for c in result.claims}
    for row in case.truth_rows:
        amount = Decimal(row["amount"]) if row["amount"] is not None else None
        if row["category"] in ("underpaid", "overpaid"):
            line = lines[(row["claim_id"], row["line_id"])]
            assert line.difference is not None and abs(line.difference) == amount
        elif row["category"] == "recouped":
            assert claims[row["claim_id"]].recouped == amount
        elif row["category"] == "interest":
            assert claims[row["claim_id"]].interest == amount
        elif row["category"] == "charge_mismatch":
            line = lines[(row["claim_id"], row["line_id"])]
            assert line.pm_charge is not None and line.charge is not None
            assert line.pm_charge - line.charge == amount


def test_deposits_tie_to_their_eras(sandbox_case: Any) -> None:
    case = sandbox_case(7, 40, "csv")
    deposits = read_bank_csv(case.bank_csv.read_text())
    result = reconcile(case.remittances, case.claims, as_of=case.as_of, deposits=deposits)
    assert result.deposits is not None
    statuses = Counter(d.status for d in result.deposits)
    assert statuses["matched"] == case.payments
    assert statuses["era_without_deposit"] == 0 and statuses["amount_mismatch"] == 0
    merchant = [d for d in deposits if "MERCHANT" in d.description]
    assert merchant and statuses["deposit_without_era"] == len(merchant)
