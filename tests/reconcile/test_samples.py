"""Reconciliation over the public 835 samples: reversal (CLP02=22) + correction, PLB, tie-out notes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from connector.errors import X12ParseError
from connector.pm.models import BillingProvider, Claim, Patient, ServiceLine
from connector.x12 import read_835
from connector.x12.models import Remittance
from tests.reconcile.book import reconcile

AS_OF = dt.date(2009, 3, 1)


def remits(folder: Path, name: str) -> list[Remittance]:
    path = folder / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the sample folder")
    return list(read_835(path.read_bytes(), source=path.name))


def test_reversal_and_correction_net_and_the_imbalance_is_explained(x12_samples: Path) -> None:
    eras = remits(x12_samples, "azoner__pyx12/835_simple.txt")
    line = ServiceLine("L1", dt.date(2008, 1, 11), "T1017", (), Decimal(6), Decimal("300"),
                       expected_amount=Decimal("200"))  # fmt: skip
    pm = Claim("123839-24635", "P", Patient("P1", "Flintstone", "Fred"), "", "Payer 1", BillingProvider(),
               (line,), Decimal("300"), submitted_date=dt.date(2008, 1, 20))  # fmt: skip
    result = reconcile(eras, [pm], as_of=AS_OF)
    rows = {c.claim_id: c for c in result.claims}
    fred = rows["123839-24635"]
    assert fred.paid == Decimal("-10")  # reversal −210 (original outside this file) + correction 200
    assert fred.category == "paid_as_expected" and "reversed" in fred.flags
    barney = rows["134158-27488"]
    assert barney.category == "era_not_in_pm" and barney.paid == Decimal("-500.25")
    tie = result.tie_out
    assert tie.claim_paid == sum((r.total_paid for r in eras), Decimal(0))
    assert not tie.ties and tie.notes[0] == "Totals do NOT tie out."
    [bad] = [line for line in tie.lines if not line.ties]
    assert bad.payment_number == "0004926" and bad.note


def test_plb_without_a_claim_reference_is_listed_and_totals_tie(x12_samples: Path) -> None:
    eras = remits(x12_samples, "LinuxForHealth__x12/demo.835")
    result = reconcile(eras, [], as_of=AS_OF)
    assert {c.category for c in result.claims} == {"era_not_in_pm"}
    [plb] = result.provider_adjustments
    assert (plb.reason, plb.amount, plb.claim_id) == ("CV", Decimal("-1.27"), "")
    assert result.tie_out.ties
    assert result.tie_out.claim_paid - result.tie_out.provider_adjustments == result.tie_out.payment_amount


def test_every_readable_835_sample_reconciles_and_sums(x12_samples: Path) -> None:
    names = [row.split("\t")[0] for row in (x12_samples / "SOURCES.tsv").read_text().splitlines()[1:]
             if row.split("\t")[4:5] == ["835"]]  # fmt: skip
    checked = 0
    for name in names:
        try:
            eras = list(read_835((x12_samples / name).read_bytes(), source=name))
        except X12ParseError:
            continue
        result = reconcile(eras, [], as_of=AS_OF)
        assert sum((c.paid for c in result.claims), Decimal(0)) == sum(
            (r.total_paid for r in eras), Decimal(0)
        )
        assert len(result.provider_adjustments) == sum(len(r.provider_adjustments) for r in eras)
        assert result.tie_out.ties == all(r.total_paid - r.plb_total == r.payment_amount for r in eras), name
        checked += 1
    assert checked >= 5
