"""Fixtures of the reconciliation tests: sandbox data sets with ground truth, and small hand-built models."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connector.pm.models import BillingProvider as PMBilling
from connector.pm.models import Claim, Patient, ServiceLine
from connector.x12.models import (
    Adjustment,
    AmountEntry,
    ClaimPayment,
    DateEntry,
    Envelope,
    Name,
    Party,
    ProcedureCode,
    Reference,
    Remittance,
)
from connector.x12.models import ServiceLine as EraLine

AS_OF = dt.date(2026, 3, 31)
DOS = dt.date(2026, 3, 2)


@dataclass
class SandboxCase:
    """One generated practice: its ERAs (read back from 835 bytes), PM export, bank CSV and ground truth."""

    remittances: list[Remittance]
    claims: list[Claim]
    as_of: dt.date
    truth: set[tuple[str, str, str]]
    truth_rows: list[dict[str, Any]]
    folder: Path
    bank_csv: Path
    payments: int


@pytest.fixture(scope="session")
def sandbox_case(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., SandboxCase]:
    """Factory: generate (seed, payments), write exports, read the 835s and the PM export back."""
    from connector.pm.reader import read_export
    from connector.sandbox import era, exports
    from connector.sandbox.generator import generate
    from connector.x12 import read_835

    cache: dict[tuple[int, int, str], SandboxCase] = {}

    def make(seed: int = 7, payments: int = 40, export: str = "csv") -> SandboxCase:
        key = (seed, payments, export)
        if key not in cache:
            data = generate(seed=seed, payments=payments)
            folder = tmp_path_factory.mktemp(f"sandbox{seed}")
            paths = exports.write_exports(data, folder)
            eras = folder / "eras"
            eras.mkdir()
            remittances: list[Remittance] = []
            for payment in data.payments:
                raw = era.era_bytes(data, payment)
                (eras / era.era_filename(payment)).write_bytes(raw)
                remittances.extend(read_835(raw, source=era.era_filename(payment)))
            pm = read_export(paths.pm_csv if export == "csv" else paths.pm_xlsx, "generic")
            truth_rows = json.loads(paths.ground_truth.read_text())["discrepancies"]
            truth = {(d["claim_id"], d["line_id"] or "", d["category"]) for d in truth_rows}
            cache[key] = SandboxCase(
                remittances, list(pm.claims), data.as_of, truth, truth_rows, folder, paths.bank_csv,
                len([p for p in data.payments if not p.zero_pay]),
            )  # fmt: skip
        return cache[key]

    return make


def envelope(control: str = "000000001") -> Envelope:
    """A plausible 5010 835 envelope."""
    return Envelope("ZZ", "PAYER", "ZZ", "PRACTICE", DOS, "1200", control, "00501", "P", "HP", "PAYER",
                    "PRACTICE", DOS, control.lstrip("0") or "1", "005010X221A1", "835", "0001")  # fmt: skip


def era_line(
    line_id: str | None,
    code: str,
    charge: str,
    paid: str,
    *,
    allowed: str | None = None,
    cas: list[tuple[str, str, str]] | None = None,
    modifiers: tuple[str, ...] = (),
    original: ProcedureCode | None = None,
    day: dt.date = DOS,
) -> EraLine:
    """One SVC loop; ``cas`` as (group, reason, amount)."""
    return EraLine(
        procedure=ProcedureCode("HC", code, modifiers),
        charge=Decimal(charge),
        paid=Decimal(paid),
        original_procedure=original,
        dates=[DateEntry("472", day)],
        adjustments=[Adjustment(g, r, Decimal(a)) for g, r, a in cas or []],
        references=[Reference("6R", line_id)] if line_id else [],
        amounts=[AmountEntry("B6", Decimal(allowed))] if allowed is not None else [],
    )


def clp(
    claim_id: str, status: str, lines: list[EraLine], *, icn: str = "ICN1", patient: str = "DOE"
) -> ClaimPayment:
    """A CLP loop whose totals are the sums of its lines."""
    charge = sum((ln.charge for ln in lines), Decimal(0))
    paid = sum((ln.paid for ln in lines), Decimal(0))
    return ClaimPayment(claim_id, status, charge, paid, payer_claim_number=icn,
                        names=[Name("QC", "1", patient, "JANE", id_qualifier="MI", id="M123")],
                        service_lines=lines)  # fmt: skip


def remit(trace: str, claims: list[ClaimPayment], *, plb: list[Any] | None = None, day: dt.date = DOS,
          control: str = "000000001", amount: Decimal | None = None) -> Remittance:  # fmt: skip
    """A remittance whose BPR02 = Σ CLP04 − Σ PLB unless ``amount`` says otherwise."""
    adjustments = plb or []
    total = sum((c.paid for c in claims), Decimal(0)) - sum((p.amount for p in adjustments), Decimal(0))
    return Remittance(envelope(control), "I", total if amount is None else amount, payment_method="ACH",
                      payment_date=day, trace_number=trace, payer=Party("PR", "ACME HEALTH", "XV", "12345"),
                      claims=claims, provider_adjustments=adjustments)  # fmt: skip


def pm_claim(claim_id: str, lines: list[tuple[str, str, str, str | None]], *, submitted: dt.date = DOS,
             last: str = "DOE", modifiers: tuple[str, ...] = ()) -> Claim:  # fmt: skip
    """A PM claim; lines as (line id, procedure, charge, expected)."""
    pm_lines = tuple(
        ServiceLine(line_id, DOS, code, modifiers, Decimal(1), Decimal(charge),
                    expected_amount=None if expected is None else Decimal(expected))
        for line_id, code, charge, expected in lines
    )  # fmt: skip
    return Claim(claim_id, "P", Patient("P1", last, "JANE", member_id="M123"), "12345", "ACME HEALTH",
                 PMBilling(), pm_lines, sum((ln.charge for ln in pm_lines), Decimal(0)),
                 submitted_date=submitted, status="open")  # fmt: skip


@pytest.fixture(scope="session")
def models() -> Any:
    """The model builders above, for test modules (pytest runs in importlib mode: no conftest imports)."""
    from types import SimpleNamespace

    return SimpleNamespace(era_line=era_line, clp=clp, remit=remit, pm_claim=pm_claim, AS_OF=AS_OF, DOS=DOS)
