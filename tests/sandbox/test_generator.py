"""Generator determinism and the agreement of the PM export, ERAs and bank deposits with the ground truth."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine

from connector.sandbox.codes import npi_is_valid
from connector.sandbox.era import era_bytes
from connector.sandbox.exports import PM_COLUMNS, write_exports
from connector.sandbox.generator import generate
from connector.sandbox.model import Dataset
from connector.sandbox.remit_pdf import remit_pdf
from connector.x12 import read_835
from connector.x12.models import Remittance

CATEGORIES = {
    "underpaid", "overpaid", "denied", "reversed", "recouped", "interest", "forwarded", "missing_era",
    "era_not_in_pm", "duplicate_payment", "charge_mismatch", "partially_paid",
}  # fmt: skip


@pytest.fixture(scope="module")
def data() -> Dataset:
    return generate()


@pytest.fixture(scope="module")
def remits(data: Dataset) -> dict[str, Remittance]:
    out = {}
    for payment in data.payments:
        (remit,) = list(read_835(era_bytes(data, payment)))
        out[payment.payment_number] = remit
    return out


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first, second = generate(seed=11), generate(seed=11)
    a, b = write_exports(first, tmp_path / "a"), write_exports(second, tmp_path / "b")
    for name in ("pm_csv", "pm_xlsx", "bank_csv", "ground_truth"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes(), name
    for p1, p2 in zip(first.payments, second.payments, strict=True):
        assert era_bytes(first, p1) == era_bytes(second, p2)
        assert remit_pdf(first, p1) == remit_pdf(second, p2)
    other = write_exports(generate(seed=12), tmp_path / "c")
    assert other.pm_csv.read_bytes() != a.pm_csv.read_bytes()


def test_default_size_is_moderate_and_size_scales(data: Dataset) -> None:
    paying = [p for p in data.payments if not p.zero_pay]
    assert len(paying) == 40
    assert 120 <= len(data.claims) <= 220
    assert (max(p.date for p in paying) - min(p.date for p in paying)).days >= 50
    big = generate(payments=200)
    assert len([p for p in big.payments if not p.zero_pay]) == 200


def test_practice_identifiers_are_valid(data: Dataset) -> None:
    assert npi_is_valid(data.practice.npi)
    assert all(npi_is_valid(p.npi) for p in data.practice.providers)
    assert len(data.practice.tin) == 9 and data.practice.tin.isdigit()


def test_ground_truth_lists_every_category(data: Dataset, tmp_path: Path) -> None:
    paths = write_exports(data, tmp_path)
    truth = json.loads(paths.ground_truth.read_text())
    assert {d["category"] for d in truth["discrepancies"]} == CATEGORIES


def test_every_era_parses_and_balances(data: Dataset, remits: dict[str, Remittance]) -> None:
    for payment in data.payments:
        remit = remits[payment.payment_number]
        assert remit.findings == [], (payment.payment_number, remit.findings)
        assert remit.trace_number == payment.payment_number
        assert remit.payment_amount == payment.amount
        assert remit.payment_method == ("NON" if payment.zero_pay else "ACH")
        if payment.zero_pay:
            assert remit.payment_amount == 0 and all(c.status_code == "4" for c in remit.claims)
        else:
            assert remit.payment_amount > 0


def _pm_rows(data: Dataset, tmp_path: Path) -> list[dict[str, str]]:
    paths = write_exports(data, tmp_path)
    rows = list(csv.DictReader(io.StringIO(paths.pm_csv.read_text(encoding="utf-8"))))
    assert tuple(rows[0].keys()) == PM_COLUMNS
    book = python_calamine.CalamineWorkbook.from_path(str(paths.pm_xlsx))
    sheet = book.get_sheet_by_name("Charges").to_python()
    assert tuple(sheet[0]) == PM_COLUMNS and len(sheet) == len(rows) + 1
    assert [str(r[1]) for r in sheet[1:]] == [r["line_id"] for r in rows]
    return rows


def test_pm_export_and_eras_agree_except_planted(
    data: Dataset, remits: dict[str, Remittance], tmp_path: Path
) -> None:
    rows = _pm_rows(data, tmp_path)
    truth = json.loads(write_exports(data, tmp_path / "t").ground_truth.read_text())["discrepancies"]
    listed_lines = {(d["line_id"], d["category"]) for d in truth if d["line_id"]}
    listed_claims = {(d["claim_id"], d["category"]) for d in truth}
    pm_lines = {r["line_id"]: r for r in rows}
    pm_claims = {r["claim_id"] for r in rows}
    paid_in: dict[str, list[str]] = defaultdict(list)
    era_claims: set[str] = set()
    for number, remit in remits.items():
        for claim in remit.claims:
            era_claims.add(claim.claim_id)
            if claim.claim_id not in pm_claims:
                assert (claim.claim_id, "era_not_in_pm") in listed_claims
                continue
            if claim.status_code == "22":
                assert (claim.claim_id, "reversed") in listed_claims
                continue
            paid_in[claim.claim_id].append(number)
            if claim.status_code == "19":
                assert (claim.claim_id, "forwarded") in listed_claims
            for line in claim.service_lines:
                row = pm_lines[line.line_control_number or ""]
                if Decimal(row["line_charge"]) != line.charge:
                    assert (row["line_id"], "charge_mismatch") in listed_lines
                expected = Decimal(row["expected_amount"])
                if not line.allowed:
                    assert {(row["line_id"], "denied"), (row["line_id"], "partially_paid")} & listed_lines
                elif line.allowed != expected and (claim.claim_id, "reversed") not in listed_claims:
                    category = "underpaid" if (line.allowed or 0) < expected else "overpaid"
                    assert (row["line_id"], category) in listed_lines, row["line_id"]
        for adjustment in remit.provider_adjustments:
            category = {"L6": "interest", "WO": "recouped"}[adjustment.reason]
            assert (adjustment.reference, category) in listed_claims
    for claim_id, numbers in paid_in.items():
        if len(numbers) > 1:
            assert {(claim_id, "duplicate_payment"), (claim_id, "reversed")} & listed_claims
    for claim in data.claims:
        if claim.in_pm and claim.claim_id not in era_claims:
            aged = (data.as_of - claim.submitted).days
            assert (claim.claim_id, "missing_era") in listed_claims or aged <= 14
    for d in truth:
        if d["category"] == "missing_era":
            assert d["claim_id"] in pm_claims and d["claim_id"] not in era_claims


def test_bank_deposits_tie_to_payments(data: Dataset, tmp_path: Path) -> None:
    paths = write_exports(data, tmp_path)
    deposits = {r["trace_number"]: r for r in csv.DictReader(io.StringIO(paths.bank_csv.read_text()))}
    for payment in data.payments:
        if payment.zero_pay:
            assert payment.payment_number not in deposits
            continue
        row = deposits[payment.payment_number]
        assert Decimal(row["amount"]) == payment.amount and row["date"] == payment.date.isoformat()
    assert "" in deposits, "a non-payer deposit is present as noise"
