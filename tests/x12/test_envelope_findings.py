"""Envelope and layout faults are read past as findings (strict refuses them); unreadable files refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli import app
from connector.codetables import load_code_lists
from connector.errors import X12ParseError
from connector.x12 import read_277ca, read_835, read_999
from connector.x12.code_check import code_findings
from connector.x12.inspect import inspect_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "envelope"

EXPECTED: dict[str, tuple[str, str, str | None]] = {
    "se01_count": ("envelope", "SE", "SE01"),
    "se02_mismatch": ("envelope", "SE", "SE02"),
    "ge01_count": ("envelope", "GE", "GE01"),
    "ge02_mismatch": ("envelope", "GE", "GE02"),
    "iea01_count": ("envelope", "IEA", "IEA01"),
    "iea02_mismatch": ("envelope", "IEA", "IEA02"),
    "gs_short": ("envelope", "GS", None),
    "no_last_terminator": ("layout", "IEA", None),
    "trailing_text": ("layout", "", None),
    "preamble": ("layout", "ISA", None),
}
"""fixture -> (kind, segment id, element) of its one finding."""


def _figures(data: bytes, *, strict: bool = False) -> tuple[int, Decimal, Decimal, Decimal]:
    remits = list(read_835(data, "x.835", strict=strict))
    return (
        sum(r.claim_count for r in remits),
        sum((r.total_paid for r in remits), Decimal(0)),
        sum((r.payment_amount for r in remits), Decimal(0)),
        sum((r.plb_total for r in remits), Decimal(0)),
    )


def test_the_valid_fixture_reads_without_findings() -> None:
    [remit] = read_835((FIXTURES / "valid.835").read_bytes(), strict=True)
    assert remit.read_findings == [] and remit.balanced
    [line] = remit.claims[0].service_lines
    assert line.dates == [] and line.dated_by_claim
    assert line.service_date == dt.date(2026, 1, 5) == line.service_date_end


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_envelope_fault_is_one_finding_with_the_same_figures(name: str) -> None:
    data = (FIXTURES / f"{name}.835").read_bytes()
    valid = (FIXTURES / "valid.835").read_bytes()
    assert _figures(data) == _figures(valid) == (1, Decimal("150.00"), Decimal("150.00"), Decimal(0))
    [remit] = read_835(data, f"{name}.835")
    [finding] = remit.read_findings
    kind, segment, element = EXPECTED[name]
    assert (finding.kind, finding.segment_id or "", finding.element) == (kind, segment, element)
    assert finding.offset is not None and finding.segment_number is not None
    if segment:  # the offset points at the segment named
        assert data[finding.offset : finding.offset + len(segment)].decode() == segment
    assert remit.balanced


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_strict_refuses_each_envelope_fault(name: str) -> None:
    with pytest.raises(X12ParseError) as caught:
        list(read_835((FIXTURES / f"{name}.835").read_bytes(), f"{name}.835", strict=True))
    assert caught.value.source == f"{name}.835"
    assert caught.value.offset is not None


@pytest.mark.parametrize(
    ("name", "segment"),
    [("refused_no_isa", "XSA"), ("refused_truncated", "IEA"), ("refused_clp_without_charge", "CLP"),
     ("refused_amount_not_numeric", "SVC")],
)  # fmt: skip
def test_what_cannot_be_read_without_guessing_is_refused(name: str, segment: str) -> None:
    with pytest.raises(X12ParseError) as caught:
        list(read_835((FIXTURES / f"{name}.835").read_bytes(), f"{name}.835"))
    assert caught.value.segment_id == segment


def test_inspect_shows_findings_in_text_and_json() -> None:
    path = FIXTURES / "se01_count.835"
    text = CliRunner().invoke(app, ["x12", "inspect", str(path)])
    assert text.exit_code == 0, text.output
    assert "finding [envelope] offset" in text.output and "SE01 says 18 segments, counted 19" in text.output
    as_json = CliRunner().invoke(app, ["x12", "inspect", "--json", str(path)])
    [txn] = json.loads(as_json.output)["files"][0]["transactions"]
    [finding] = txn["read_findings"]
    assert finding["kind"] == "envelope" and finding["segment_id"] == "SE" and finding["element"] == "SE01"
    assert isinstance(finding["offset"], int) and finding["segment_number"] == 21
    strict = CliRunner().invoke(app, ["x12", "inspect", "--strict", str(path)])
    assert strict.exit_code == 1


def test_trailer_findings_reach_every_transaction_they_close() -> None:
    summary = inspect_bytes((FIXTURES / "iea02_mismatch.835").read_bytes(), "x.835")
    [txn] = summary["transactions"]
    assert [f["element"] for f in txn["read_findings"]] == ["IEA02"]


def test_acknowledgements_with_envelope_faults_or_a_preamble_are_read(x12_samples: Path) -> None:
    ack = (x12_samples / "azoner__pyx12" / "834_ls_le_ls_5010.999.txt").read_bytes()
    faulty = b"Saved from the portal\r\n" + ack.replace(b"GE*1*", b"GE*4*", 1)
    [read] = read_999(faulty, "ack.999")
    assert [(f.kind, f.element) for f in read.read_findings] == [("layout", None), ("envelope", "GE01")]
    assert read.group_status == next(read_999(ack)).group_status
    with pytest.raises(X12ParseError):
        list(read_999(faulty, "ack.999", strict=True))
    ca = (x12_samples / "imsweb__x12-parser" / "x12_277CA_accepted.txt").read_bytes()
    [read_ca] = read_277ca(ca.replace(b"IEA*1*", b"IEA*2*", 1), "ca.277")
    assert [f.element for f in read_ca.read_findings] == ["IEA01"]
    assert [c.accepted for c in read_ca.claims] == [True]


def test_unknown_codes_and_retired_remarks_are_findings() -> None:
    data = (FIXTURES / "valid.835").read_bytes()
    data = (
        data.replace(b"CAS*PR*2*20.00~", b"CAS*PR*2*20.00~\nLQ*HE*M68~\nLQ*HE*ZZ99~")
        .replace(b"CAS*CO*45*30.00~", b"CAS*CO*Q9*30.00~")
        .replace(b"SE*19*", b"SE*21*")
    )
    assert not next(read_835(data, "codes.835")).read_findings  # no lists given: no code check
    [remit] = read_835(data, "codes.835", codes=load_code_lists())
    found = {(f.kind, f.code): f.message for f in remit.read_findings}
    assert set(found) == {("code", "Q9"), ("code", "M68"), ("code", "ZZ99")}
    assert "after its stop date 2005-06-02" in found[("code", "M68")]
    assert "not in the published CARC list" in found[("code", "Q9")]
    assert code_findings(remit, load_code_lists())  # the same check, callable on any Remittance


def test_trailer_findings_are_there_when_the_transaction_is_handed_out() -> None:
    """A streaming reader (store or reconcile each remittance as it comes) sees GE/IEA faults too."""
    data = (FIXTURES / "valid.835").read_bytes()
    two = data.replace(
        b"SE*19*0001~\n", b"SE*19*0001~\n" + data.split(b"GS*")[1].split(b"\n", 1)[1].split(b"GE*")[0]
    )
    two = two.replace(b"GE*1*101", b"GE*3*101").replace(b"IEA*1*000000101~\n", b"IEA*1*000000101~\nEND\n")
    seen = [
        [f.message for f in remit.read_findings] for remit in read_835(two, "two.835")
    ]  # lazily, one by one
    assert len(seen) == 2
    assert all("GE01 says 3 transactions, found 2" in found for found in seen)
    assert all(any("text after the IEA" in m for m in found) for found in seen)
