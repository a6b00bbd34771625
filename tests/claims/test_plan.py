"""Canonical claims to 837 models: grouping, X12-safe text, REF*6R line ids, SBR09 from the payer settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from connector.claims.plan import plan_batches, x12_text
from connector.claims.scrub_tables import load_scrub_settings
from connector.pm.reader import read_export
from connector.x12 import ControlNumbers, Submitter, write_837

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pm"
SUBMITTER = Submitter(name="ELM", id="123456789", contact_phone="5125550100")


def test_x12_text_drops_delimiters_and_control_characters() -> None:
    assert x12_text('=HYPERLINK("http://x","y")') == '=HYPERLINK("http //x","y")'
    assert x12_text("O*BRIEN~\x00 JR^") == "O BRIEN JR"


def test_batches_group_by_kind_billing_provider_and_payer() -> None:
    claims = list(read_export(FIXTURES / "generic_sample.csv").claims)
    other_payer = replace(claims[1], payer_id="MEDICARE", payer_name="Medicare Part B")
    plans = plan_batches([claims[0], other_payer, claims[2], claims[3]], SUBMITTER)
    assert [(p.kind, p.payer_id, [c.claim_id for c in p.claims]) for p in plans] == [
        ("professional", "87726", ["C1001", "C1003"]),
        ("professional", "MEDICARE", ["C1002"]),
        ("institutional", "87726", ["H2001"]),
    ]
    lines = [line.line_control_number for line in plans[0].batch.claims[0].lines]
    assert lines == ["C1001-1", "C1001-2"]


def test_filing_indicator_comes_from_the_payer_settings(pyx12_errors: Callable[[bytes], list[str]]) -> None:
    settings = load_scrub_settings()
    claim = read_export(FIXTURES / "generic_sample.csv").claims[1]
    medicare = replace(claim, payer_id="MEDICARE", payer_name="Medicare Part B")
    (plan,) = plan_batches([medicare], SUBMITTER, lambda payer: settings.for_payer(payer).filing_indicator)
    data = write_837(plan.batch, control=ControlNumbers(interchange=7, group=7, sender_id="123456789"))
    sbr = [s for s in data.decode().split("~") if s.strip().startswith("SBR")]
    assert sbr and sbr[0].strip().split("*")[9] == "MB"
    assert pyx12_errors(data) == []


def test_named_rendering_and_referring_providers_are_sent_as_persons(
    pyx12_errors: Callable[[bytes], list[str]],
) -> None:
    claims = read_export(FIXTURES / "generic_sample.csv").claims
    named = {
        "rendering_last_name": "OKAFOR",
        "rendering_first_name": "ADA",
        "referring_last_name": "LINDQVIST",
        "referring_first_name": "PER",
    }
    professional = replace(claims[1], **named)  # C1002 has a referring NPI
    institutional = replace(claims[2], rendering_npi="1245319599", **named)
    for claim, expected in [
        (professional, ["NM1*DN*1*LINDQVIST*PER", "NM1*82*1*OKAFOR*ADA"]),
        (institutional, ["NM1*82*1*OKAFOR*ADA"]),
    ]:
        (plan,) = plan_batches([claim], SUBMITTER)
        data = write_837(plan.batch, control=ControlNumbers(interchange=3, group=3, sender_id="123456789"))
        text = data.decode()
        assert all(e in text for e in expected), text
        assert pyx12_errors(data) == []
    unnamed = plan_batches([claims[1]], SUBMITTER)[0].batch.claims[0]
    assert unnamed.referring is None and unnamed.rendering is not None and not unnamed.rendering.is_person
