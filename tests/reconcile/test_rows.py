"""Compact ERA rows carry exactly what the reconciliation reads of the 835 models (samples, sandbox)."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from connector.errors import X12ParseError
from connector.reconcile.adjustments import claim_remarks
from connector.reconcile.netting import payer_of
from connector.reconcile.rows import EraRemit, compact
from connector.x12 import read_835
from connector.x12.models import AmountEntry, DateEntry, Name, Party, Reference, Remittance
from tests.reconcile.book import reconcile


def assert_same(models: Iterable[Remittance]) -> int:
    """Every field a row keeps equals what the model gives; returns the number of lines compared."""
    lines = 0
    for remit in models:
        row = compact(remit)
        assert isinstance(row, EraRemit) and compact(row) is row
        assert pickle.loads(pickle.dumps(row)) == row  # rows cross to the parent by position
        env = remit.envelope
        assert (row.envelope.interchange_control_number, row.envelope.group_control_number,
                row.envelope.transaction_control_number) == (env.interchange_control_number,
                env.group_control_number, env.transaction_control_number)  # fmt: skip
        assert payer_of(row) == (remit.payer.id or remit.payer.reference("2U") or remit.payer.name)
        assert row.payer.name == remit.payer.name and row.payer.id == remit.payer.id
        assert (row.trace_number, row.payment_amount, row.payment_method, row.payment_date) == (
            remit.trace_number, remit.payment_amount, remit.payment_method, remit.payment_date)  # fmt: skip
        assert (row.total_paid, row.plb_total) == (remit.total_paid, remit.plb_total)
        assert list(row.provider_adjustments) == remit.provider_adjustments
        assert list(row.read_findings) == remit.read_findings
        assert list(row.findings) == [f for f in remit.findings if f.level == "transaction"]
        assert len(row.claims) == len(remit.claims)
        for kept, clp in zip(row.claims, remit.claims, strict=True):
            assert (kept.claim_id, kept.status_code, kept.charge, kept.paid, kept.payer_claim_number,
                    kept.is_reversal) == (clp.claim_id, clp.status_code, clp.charge, clp.paid,
                    clp.payer_claim_number, clp.is_reversal)  # fmt: skip
            assert list(kept.adjustments) == clp.adjustments
            assert list(kept.remarks) == claim_remarks(clp.outpatient, clp.inpatient)
            assert kept.interest == sum((a.amount for a in clp.amounts if a.qualifier == "I"), Decimal(0))
            assert kept.patient == clp.patient and kept.crossover_carrier == clp.crossover_carrier
            assert list(kept.dates) == [d for d in clp.dates if d.qualifier in ("232", "472")]
            for line, svc in zip(kept.service_lines, clp.service_lines, strict=True):
                lines += 1
                assert (line.procedure, line.original_procedure, line.charge, line.paid, line.allowed,
                        line.line_control_number, line.service_date) == (svc.procedure,
                        svc.original_procedure, svc.charge, svc.paid, svc.allowed, svc.line_control_number,
                        svc.service_date)  # fmt: skip
                assert list(line.adjustments) == svc.adjustments and list(line.remarks) == svc.remarks
    return lines


def test_rows_of_every_public_sample_equal_the_models(x12_samples: Path) -> None:
    compared = files = 0
    for path in sorted(x12_samples.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".txt", ".835", ".edi", ".x12", ".dat"):
            continue
        try:
            models = list(read_835(path.read_bytes(), source=path.name))
        except (X12ParseError, UnicodeDecodeError, ValueError):
            continue  # not an 835, or one the reader refuses (tested in tests/x12)
        files += 1
        compared += assert_same(models)
    assert files >= 3 and compared > 0


def test_rows_of_sandbox_eras_equal_the_models_and_reconcile_the_same(sandbox_case: Any) -> None:
    case = sandbox_case(seed=11, payments=60)
    assert assert_same(case.remittances) > 100
    from_models = reconcile(case.remittances, case.claims, as_of=case.as_of)
    from_rows = reconcile([compact(r) for r in case.remittances], case.claims, as_of=case.as_of)
    assert from_rows == from_models


def test_a_line_without_dates_takes_the_claims_period_and_the_claim_keeps_rarcs_interest_and_2u(
    models: Any,
) -> None:
    line = models.era_line("L1", "99213", "100", "80")
    line.dates = []
    claim = models.clp("C1", "1", [line])
    period = DateEntry("232", dt.date(2026, 3, 2))
    claim.dates = [DateEntry("050", dt.date(2026, 3, 9)), period]
    line.claim_dates = claim.dates
    claim.outpatient = ("", "", "N130", "MA01")
    claim.names = [*claim.names, Name("TT", "2", "MEDIGAP")]
    claim.amounts = [
        AmountEntry("I", Decimal("1.25")),
        AmountEntry("AU", Decimal(5)),
        AmountEntry("I", Decimal(2)),
    ]
    remit = models.remit("T1", [claim])
    remit.payer = Party("PR", name="ACME", references=[Reference("TJ", "1"), Reference("2U", "77")])
    row = compact(remit)
    kept = row.claims[0]
    assert kept.service_lines[0].service_date == dt.date(2026, 3, 2) == line.service_date
    assert kept.dates == (period,) and kept.interest == Decimal("3.25")
    assert [r.code for r in kept.remarks] == ["N130", "MA01"]
    assert kept.crossover_carrier is not None and kept.crossover_carrier.last_or_org == "MEDIGAP"
    assert payer_of(row) == "77" == payer_of(remit)  # type: ignore[arg-type]
    assert assert_same([remit]) == 1


def test_every_dataclass_pickled_by_position_keeps_every_field() -> None:
    """A class pickled by position takes all its fields in ``__init__``, in order (else the round trip above
    would mix values up for a class the samples never fill)."""
    from dataclasses import fields, is_dataclass

    from connector.reconcile import model, rows
    from connector.x12 import model_835, model_common

    checked = 0
    for module in (model, rows, model_835, model_common):
        for cls in vars(module).values():
            if isinstance(cls, type) and is_dataclass(cls) and "__reduce__" in vars(cls):
                assert all(f.init for f in fields(cls)), cls
                checked += 1
    assert checked >= 15
