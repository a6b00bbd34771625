"""Every scrub rule fires on its planted bad case and stays quiet on the good claims (table-driven)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from connector.pm.models import Address, Claim
from connector.scrub import RULES, ScrubContext, ScrubSettings, duplicate_key, scrub
from connector.scrub.settings import PayerRules

TODAY = dt.date(2026, 11, 20)


def with_line(claim: Claim, index: int = 0, **changes: Any) -> Claim:
    lines = list(claim.lines)
    lines[index] = replace(lines[index], **changes)
    return replace(claim, lines=tuple(lines), total_charge=sum((ln.charge for ln in lines), Decimal("0")))


def with_patient(claim: Claim, **changes: Any) -> Claim:
    return replace(claim, patient=replace(claim.patient, **changes))


def with_billing(claim: Claim, **changes: Any) -> Claim:
    return replace(claim, billing=replace(claim.billing, **changes))


def dos(claim: Claim, day: dt.date) -> Claim:
    return replace(claim, lines=tuple(replace(ln, service_date=day) for ln in claim.lines))


Mutation = Callable[[Claim], Claim]

# (rule id, which good claim to start from, the planted error)
CASES: list[tuple[str, str, Mutation]] = [
    ("NPI-BILLING", "P", lambda c: with_billing(c, npi="1234567890")),
    ("NPI-BILLING", "P", lambda c: with_billing(c, npi="")),
    ("NPI-BILLING", "P", lambda c: with_billing(c, npi="123456789")),
    ("NPI-RENDERING", "P", lambda c: replace(c, rendering_npi="1245319598")),
    ("NPI-REFERRING", "P", lambda c: replace(c, referring_npi="12453195AA")),
    ("REFERRING-NAME-MISSING", "P", lambda c: replace(c, referring_npi="1003000126")),
    (
        "REFERRING-NAME-MISSING",
        "P",
        lambda c: replace(c, referring_npi="1003000126", referring_last_name="LEE"),
    ),
    ("TIN-FORMAT", "P", lambda c: with_billing(c, tin="12345")),
    ("TIN-FORMAT", "P", lambda c: with_billing(c, tin="000000000")),
    ("BILLING-ADDRESS", "P", lambda c: with_billing(c, address=Address("", "AUSTIN", "TX", "787011234"))),
    ("BILLING-ZIP9", "P", lambda c: with_billing(c, address=Address("9 OAK AVE", "AUSTIN", "TX", "78701"))),
    ("PAYER-ID-MISSING", "P", lambda c: replace(c, payer_id="")),
    ("MEMBER-ID-MISSING", "P", lambda c: with_patient(c, member_id="")),
    ("DOB-MISSING", "P", lambda c: with_patient(c, dob=None)),
    ("SEX-CODE", "P", lambda c: with_patient(c, sex="X")),
    ("DX-PRINCIPAL-MISSING", "P", lambda c: replace(c, diagnosis_codes=(), lines=c.lines[1:2])),
    ("DX-FORMAT", "P", lambda c: replace(c, diagnosis_codes=("E119", "250.00"))),
    ("DX-FORMAT", "P", lambda c: replace(c, diagnosis_codes=("9E119", "I10"))),
    ("DX-TOO-MANY", "P", lambda c: replace(c, diagnosis_codes=tuple(f"Z{n:02d}" for n in range(13)))),
    (
        "DX-BEFORE-ICD10",
        "P",
        lambda c: replace(dos(c, dt.date(2015, 9, 30)), submitted_date=dt.date(2015, 10, 5)),
    ),
    ("PROC-FORMAT", "P", lambda c: with_line(c, 0, procedure_code="9921")),
    ("PROC-FORMAT", "P", lambda c: with_line(c, 0, procedure_code="")),
    ("PROC-FORMAT", "I", lambda c: with_line(c, 1, procedure_code="8005X")),
    ("MOD-FORMAT", "P", lambda c: with_line(c, 0, modifiers=("2",))),
    ("MOD-TOO-MANY", "P", lambda c: with_line(c, 0, modifiers=("25", "LT", "RT", "GA", "GY"))),
    ("MOD-26-TC", "P", lambda c: with_line(c, 0, modifiers=("26", "TC"))),
    ("MOD-59-REVIEW", "P", lambda c: with_line(c, 1, modifiers=("XU",))),
    ("MOD-59-REVIEW", "P", lambda c: with_line(c, 1, modifiers=("59",))),
    ("UNITS-POSITIVE", "P", lambda c: with_line(c, 1, units=Decimal("0"))),
    ("UNITS-MAX", "P", lambda c: with_line(c, 0, units=Decimal("2"))),
    ("POS-INVALID", "P", lambda c: with_line(c, 0, place_of_service="30")),
    ("POS-INVALID", "P", lambda c: with_line(c, 0, place_of_service="")),
    ("DXPTR-MISSING", "P", lambda c: with_line(c, 1, diagnosis_pointers=())),
    ("DXPTR-INVALID", "P", lambda c: with_line(c, 1, diagnosis_pointers=(3,))),
    ("DXPTR-INVALID", "P", lambda c: with_line(c, 1, diagnosis_pointers=(0,))),
    ("DXPTR-TOO-MANY", "P", lambda c: with_line(c, 0, diagnosis_pointers=(1, 2, 1, 2, 1))),
    ("CLAIM-NO-LINES", "P", lambda c: replace(c, lines=(), total_charge=Decimal("0"))),
    ("CLAIM-TOO-MANY-LINES", "P", lambda c: replace(c, lines=c.lines * 26, total_charge=c.total_charge * 26)),
    ("CHARGE-POSITIVE", "P", lambda c: with_line(c, 1, charge=Decimal("0.00"))),
    ("CLAIM-TOTAL", "P", lambda c: replace(c, total_charge=Decimal("175.00"))),
    ("DOS-MISSING", "P", lambda c: with_line(c, 0, service_date=None)),
    ("DOS-FUTURE", "P", lambda c: with_line(c, 0, service_date=TODAY + dt.timedelta(days=1))),
    ("DOS-BEFORE-BIRTH", "P", lambda c: with_patient(c, dob=TODAY - dt.timedelta(days=2))),
    ("FREQ-CODE", "P", lambda c: replace(c, frequency_code="5")),
    ("FREQ-ORIGINAL-MISSING", "P", lambda c: replace(c, frequency_code="7")),
    ("FREQ-ORIGINAL-MISSING", "P", lambda c: replace(c, frequency_code="8")),
    ("TIMELY-FILING", "P", lambda c: dos(c, TODAY - dt.timedelta(days=91))),
    (
        "TIMELY-FILING",
        "P",
        lambda c: replace(dos(c, dt.date(2026, 1, 2)), submitted_date=dt.date(2026, 4, 3)),
    ),
    ("TIMELY-FILING-SOON", "P", lambda c: dos(c, TODAY - dt.timedelta(days=80))),
    ("DUPLICATE-IN-BATCH", "P", lambda c: with_line(c, 1, procedure_code="99213", modifiers=("25",))),
    ("REV-CODE", "I", lambda c: with_line(c, 0, revenue_code="450")),
    ("REV-CODE", "I", lambda c: with_line(c, 0, revenue_code="")),
    ("TYPE-OF-BILL", "I", lambda c: replace(c, type_of_bill="")),
    ("TYPE-OF-BILL", "I", lambda c: replace(c, type_of_bill="0031")),
    ("STATEMENT-DATES", "I", lambda c: replace(c, statement_to=None)),
    (
        "STATEMENT-DATES",
        "I",
        lambda c: replace(c, statement_from=TODAY, statement_to=TODAY - dt.timedelta(days=9)),
    ),
    (
        "STATEMENT-DATES",
        "I",
        lambda c: replace(c, statement_to=c.statement_from, statement_from=TODAY - dt.timedelta(1)),
    ),
    ("DX-TOO-MANY", "I", lambda c: replace(c, diagnosis_codes=tuple(f"Z{n:02d}" for n in range(26)))),
]


def fired(claims: list[Claim], ctx: ScrubContext) -> set[str]:
    return {f.rule_id for f in scrub(claims, ctx).findings}


@pytest.mark.parametrize("good", ["professional", "institutional"])
def test_good_claims_are_clean(good: str, request: pytest.FixtureRequest, ctx: ScrubContext) -> None:
    claim = request.getfixturevalue(good)
    report = scrub([claim], ctx)
    assert report.findings == ()
    assert report.clean_claims == (claim,) and report.clean_claim_rate == Decimal("100.0")


@pytest.mark.parametrize(
    ("rule_id", "start", "plant"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires_on_planted_case(
    rule_id: str, start: str, plant: Mutation, professional: Claim, institutional: Claim, ctx: ScrubContext
) -> None:
    good = professional if start == "P" else institutional
    assert rule_id not in fired([good], ctx)
    bad = plant(good)
    findings = [f for f in scrub([bad], ctx).findings if f.rule_id == rule_id]
    assert findings, f"{rule_id} did not fire"
    rule = RULES[rule_id]
    assert all(f.severity == rule.severity and f.field == rule.field for f in findings)
    assert all(f.message.startswith(rule.message) for f in findings)
    report = scrub([bad], ctx)
    if rule.severity == "error":
        assert report.held_claims == (bad,) and report.clean_claim_rate == Decimal("0.0")


def test_every_registered_rule_has_a_planted_case() -> None:
    planted = {case[0] for case in CASES} | {"DUPLICATE-SUBMITTED"}
    assert set(RULES) == planted


def test_duplicate_submitted_uses_the_given_keys(professional: Claim, ctx: ScrubContext) -> None:
    assert "DUPLICATE-SUBMITTED" not in fired([professional], ctx)
    sent = frozenset({duplicate_key(professional, professional.lines[1])})
    ctx_sent = replace(ctx, already_submitted=sent)
    findings = [f for f in scrub([professional], ctx_sent).findings if f.rule_id == "DUPLICATE-SUBMITTED"]
    assert [f.line_id for f in findings] == ["L2"]
    replacement = replace(professional, frequency_code="7", original_claim_number="PAYERICN1")
    assert "DUPLICATE-SUBMITTED" not in fired([replacement], ctx_sent)


def test_duplicate_across_claims_in_batch(professional: Claim, ctx: ScrubContext) -> None:
    other = replace(
        professional,
        claim_id="C2",
        lines=tuple(replace(ln, line_id=ln.line_id + "b") for ln in professional.lines),
    )
    report = scrub([professional, other], ctx)
    dups = [f for f in report.findings if f.rule_id == "DUPLICATE-IN-BATCH"]
    assert {(f.claim_id, f.line_id) for f in dups} == {("C2", "L1b"), ("C2", "L2b")}
    assert report.clean_claims == (professional,)
    assert report.clean_claim_rate == Decimal("50.0")


def test_payer_settings_change_timely_filing_and_turn_rules_off(
    professional: Claim, scrub_settings: ScrubSettings
) -> None:
    late = dos(professional, TODAY - dt.timedelta(days=100))
    ctx = ScrubContext(today=TODAY, settings=scrub_settings)
    assert "TIMELY-FILING" in fired([late], ctx)
    aetna = replace(late, payer_id="60054")  # 120 days in mappings/scrub/payers.yaml
    assert "TIMELY-FILING" not in fired([aetna], ctx)
    custom = replace(
        scrub_settings,
        payers={"87726": PayerRules(timely_filing_days=90, disabled=frozenset({"TIMELY-FILING"}))},
    )
    assert "TIMELY-FILING" not in fired([late], ScrubContext(today=TODAY, settings=custom))


def test_warnings_do_not_hold_a_claim(professional: Claim, ctx: ScrubContext) -> None:
    flagged = with_line(professional, 1, modifiers=("59",))
    report = scrub([flagged], ctx)
    assert [f.rule_id for f in report.findings] == ["MOD-59-REVIEW"]
    assert report.clean_claims == (flagged,)


def test_findings_point_at_the_export_row(professional: Claim, ctx: ScrubContext) -> None:
    claim = with_line(professional, 1, units=Decimal("0"), source_row=7)
    (finding,) = [f for f in scrub([claim], ctx).findings if f.rule_id == "UNITS-POSITIVE"]
    assert (finding.claim_id, finding.line_id, finding.row) == ("C1", "L2", 7)


def test_submitted_history_is_not_a_batch_duplicate_but_a_new_repeat_is(
    professional: Claim, ctx: ScrubContext
) -> None:
    from connector.scrub.registry import submitted_keys

    sent_a = replace(professional, submitted_date=TODAY - dt.timedelta(days=3))
    sent_b = replace(
        sent_a, claim_id="C2", lines=tuple(replace(ln, line_id=ln.line_id + "b") for ln in sent_a.lines)
    )
    new = replace(
        professional,
        claim_id="C3",
        lines=tuple(replace(ln, line_id=ln.line_id + "c") for ln in professional.lines),
    )
    claims = [sent_a, sent_b, new]
    report = scrub(claims, replace(ctx, already_submitted=submitted_keys(claims)))
    assert {(f.claim_id, f.rule_id) for f in report.findings} == {("C3", "DUPLICATE-SUBMITTED")}
