"""Compact claims for reconciling (read_charges) equal the full claims compacted, and fail alike."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from connector.pm.models import ChargeClaim, charge_claim
from connector.pm.profile_parse import load_profile
from connector.pm.reader import ExportSchemaError, read_charges, read_export, reconcile_needs
from tests.pm.test_real_systems import FIXTURES, PRACTICE, SYSTEMS
from tests.reconcile.book import reconcile

HEADER = "claim_id,claim_type,patient_id,patient_last_name,patient_first_name,payer_id,payer_name,line_id,"
HEADER += "service_date,procedure_code,modifiers,units,line_charge,claim_total_charge,submitted_date\n"


def assert_same_charges(path: Path, profile: str, practice: dict[str, str] | None = None) -> int:
    """read_charges gives what read_export gives, compacted, with the reconcile needs and with all fields."""
    compact = read_charges(path, profile, practice=practice)
    needs = reconcile_needs(load_profile(profile))
    slim = read_export(path, profile, needs=needs, practice=practice)
    assert list(compact.claims) == [charge_claim(c) for c in slim.claims]
    assert (compact.source, compact.profile, compact.row_count) == (slim.source, slim.profile, slim.row_count)
    assert compact.line_count == slim.line_count
    for kept, claim in zip(compact.claims, slim.claims, strict=True):
        assert isinstance(kept, ChargeClaim) and charge_claim(kept) is kept
        assert (kept.last_name, kept.first_name, kept.member_id) == (claim.patient.last_name,
                claim.patient.first_name, claim.patient.member_id)  # fmt: skip
        assert kept.first_service_date == claim.first_service_date and kept.total_charge == claim.total_charge
        for line, full in zip(kept.lines, claim.lines, strict=True):
            fields = [f.name for f in dataclasses.fields(line)]
            assert [getattr(line, f) for f in fields] == [getattr(full, f) for f in fields]
    return len(compact.claims)


def test_sandbox_exports_read_compact_equal_the_full_claims_and_reconcile_the_same(sandbox_case: Any) -> None:
    case = sandbox_case(seed=11, payments=60)
    assert assert_same_charges(case.folder / "pm-export.csv", "generic") > 50
    xlsx = case.folder / "pm-export.xlsx"
    assert assert_same_charges(xlsx, "generic") > 50
    compact = read_charges(case.folder / "pm-export.csv", "generic").claims
    from_full = reconcile(case.remittances, case.claims, as_of=case.as_of)
    from_compact = reconcile(case.remittances, compact, as_of=case.as_of)
    assert from_compact == from_full


@pytest.mark.parametrize("profile", sorted(SYSTEMS))
def test_real_systems_read_compact_equal_the_full_claims(profile: str) -> None:
    export, claims, _lines = SYSTEMS[profile]
    assert assert_same_charges(FIXTURES / export, profile, PRACTICE) == claims


def _fails_alike(path: Path) -> str:
    """The full reader and the compact one refuse the export with the same message; returns it."""
    needs = reconcile_needs(load_profile("generic"))
    with pytest.raises(ExportSchemaError) as full:
        read_export(path, "generic", needs=needs)
    with pytest.raises(ExportSchemaError) as compact:
        read_charges(path, "generic")
    assert str(compact.value) == str(full.value)
    return str(compact.value)


def test_a_broken_export_fails_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(
        HEADER
        + "C1,P,A1,DOE,JO,P1,ACME,L1,2026-03-02,99213,,1,abc,100,2026-03-05\n"
        + "C2,P,A2,ROE,AL,P1,ACME,L1,2026-03-02,99213,,1,80,80,2026-03-05\n"
        + "C3,P,A3,POE,ED,P1,ACME,L3,not a date,99213,,1,80,80,2026-03-05\n",
        encoding="utf-8",
    )
    message = _fails_alike(path)
    assert "row 2" in message and "duplicates row 2" in message


def test_a_claim_whose_rows_are_apart_is_still_compared(tmp_path: Path) -> None:
    """Only the last row's claim cells are kept for the quick comparison: a claim's later row after other
    claims' rows is compared field by field, and a differing value is still a problem."""
    path = tmp_path / "apart.csv"
    rows = [
        "C1,P,A1,DOE,JO,P1,ACME,L1,2026-03-02,99213,,1,80,160,2026-03-05",
        "C2,P,A2,ROE,AL,P1,ACME,L2,2026-03-02,99213,,1,80,80,2026-03-05",
        "C1,P,A1,DOE,JO,P1,ACME,L3,2026-03-02,99214,,1,80,160,2026-03-05",
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    charges = read_charges(path, "generic").claims
    assert [(c.claim_id, len(c.lines)) for c in charges] == [("C1", 2), ("C2", 1)]
    clash = rows[0].replace("L1,", "L4,").replace("ACME", "OTHER")
    path.write_text(HEADER + "\n".join([*rows, clash]) + "\n", encoding="utf-8")
    message = _fails_alike(path)
    assert "row 5" in message and "differs from row 2" in message


def test_compact_claims_share_their_repeated_texts(tmp_path: Path) -> None:
    """Compact claims read without sharing every cell still hold one string per repeated payer and status."""
    path = tmp_path / "many.csv"
    row = "C{n},P,A{n},DOE,JO,P1,ACME HEALTH,L{n},2026-03-02,99213,,1,80,80,2026-03-05,Open"
    rows = [row.format(n=n) for n in range(50)]
    path.write_text(HEADER.replace("\n", ",claim_status\n") + "\n".join(rows) + "\n", encoding="utf-8")
    claims = read_charges(path, "generic").claims
    assert len({id(c.payer_name) for c in claims}) == 1 and len({id(c.last_name) for c in claims}) == 1
    assert len({id(c.lines[0].procedure_code) for c in claims}) == 1
    assert {c.status for c in claims} == {"open"} and len({id(c.status) for c in claims}) == 1
