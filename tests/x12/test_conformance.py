"""Conformance over the public samples: figures equal SOURCES.tsv, malformed files raise X12ParseError."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.errors import X12ParseError
from connector.x12 import iter_transactions, read_277, read_277ca, read_835, read_999, validate_837

from .conftest import MALFORMED_NAME, Sample


def _parse(sample: Sample, strict: bool = True) -> object:
    data = sample.path.read_bytes()
    kind = sample.kind
    if kind == "835":
        return list(read_835(data, sample.name, strict=strict))
    if kind.startswith("837"):
        return validate_837(data, sample.name)
    if kind == "999":
        return list(read_999(data, sample.name, strict=strict))
    if kind == "277CA":
        return list(read_277ca(data, sample.name, strict=strict))
    if kind == "277":
        return list(read_277(data, sample.name, strict=strict))
    return list(iter_transactions(data, sample.name, strict=strict))


def test_catalogue_has_both_kinds(samples: list[Sample]) -> None:
    malformed = [s for s in samples if s.malformed]
    assert len(malformed) >= 20
    assert len(samples) - len(malformed) >= 60


def test_every_malformed_sample_raises_x12_parse_error_when_strict(samples: list[Sample]) -> None:
    for sample in (s for s in samples if s.malformed):
        with pytest.raises(X12ParseError) as caught:
            _parse(sample)
        err = caught.value
        assert err.source == sample.name
        assert err.segment_id or err.offset is not None, sample.name


def test_every_well_formed_sample_parses(samples: list[Sample]) -> None:
    failures = []
    for sample in (s for s in samples if not s.malformed):
        try:
            _parse(sample)
        except X12ParseError as exc:
            failures.append(f"{sample.name}: {exc}")
    assert not failures


def test_without_strict_samples_read_or_raise_only_x12_parse_error(samples: list[Sample]) -> None:
    read = 0
    for sample in samples:
        try:
            _parse(sample, strict=False)
            read += 1
        except X12ParseError as exc:
            assert exc.source == sample.name and (exc.segment_id or exc.offset is not None)
    enveloped = [s for s in samples if "ENVELOPE ISSUES" in s.notes and not s.kind.startswith("837")]
    assert enveloped and read > len(samples) - len([s for s in samples if s.malformed])


def test_acknowledgements_with_only_envelope_faults_are_read_with_findings(samples: list[Sample]) -> None:
    checked = 0
    for sample in samples:
        if sample.kind not in ("999", "277CA", "277") or not sample.malformed:
            continue
        if MALFORMED_NAME.search(sample.name) or "NO ISA envelope" in sample.notes:
            continue
        docs = _parse(sample, strict=False)
        assert isinstance(docs, list) and docs, sample.name
        assert all(d.read_findings for d in docs), sample.name
        checked += 1
    assert checked >= 1


def test_835_figures_equal_sources_tsv(samples: list[Sample]) -> None:
    """Every 835 with an ISA and numeric amounts reads with the figures SOURCES.tsv states; its envelope
    faults are findings."""
    checked = 0
    for sample in samples:
        if sample.kind != "835" or "NO ISA envelope" in sample.notes or sample.figure("CLP") is None:
            continue
        remits = list(read_835(sample.path.read_bytes(), sample.name))
        envelope = [f for r in remits for f in r.read_findings if f.kind == "envelope"]
        assert bool(envelope) == ("ENVELOPE ISSUES" in sample.notes), sample.name
        got = (
            sum(r.claim_count for r in remits),
            sum((r.total_paid for r in remits), Decimal(0)),
            sum((r.payment_amount for r in remits), Decimal(0)),
            sum((r.plb_total for r in remits), Decimal(0)),
        )
        expected = (
            int(sample.figure("CLP") or -1),
            sample.decimal("sumCLP04"),
            sample.decimal("BPR02"),
            sample.decimal("PLBsum"),
        )
        assert got == expected, sample.name
        mismatch = any(f.level == "transaction" for r in remits for f in r.findings)
        assert mismatch == ("BALANCE MISMATCH" in sample.notes), sample.name
        checked += 1
    assert checked >= 44


def test_mixed_files_yield_every_transaction(samples: list[Sample]) -> None:
    for sample in samples:
        if not sample.kind.startswith("mixed") or sample.malformed:
            continue
        txns = list(iter_transactions(sample.path.read_bytes(), sample.name))
        st = sample.figure("ST")
        assert st is None or len(txns) == int(st), sample.name
        remits = list(read_835(sample.path.read_bytes(), sample.name))
        assert len(remits) == sum(1 for t in txns if t.envelope.transaction_set_id == "835")


def test_999_statuses_equal_sources_tsv(samples: list[Sample]) -> None:
    checked = 0
    for sample in samples:
        if sample.kind != "999" or sample.malformed or "AK9=" not in sample.notes:
            continue
        acks = list(read_999(sample.path.read_bytes(), sample.name))
        ak9 = sample.notes.split("AK9=")[1].split()[0].split(",")
        ik5 = sample.notes.split("IK5=")[1].split()[0].split(",")
        assert [a.group_status for a in acks] == ak9, sample.name
        assert [t.status for a in acks for t in a.transactions] == ik5, sample.name
        ik3 = sum(len(t.segment_errors) for a in acks for t in a.transactions)
        assert ik3 == int(sample.figure("IK3") or 0), sample.name
        checked += 1
    assert checked >= 3


def test_277_status_counts_equal_sources_tsv(samples: list[Sample]) -> None:
    checked = 0
    for sample in samples:
        if sample.kind not in ("277", "277CA") or sample.malformed or "STC=" not in sample.notes:
            continue
        data = sample.path.read_bytes()
        docs = list(read_277ca(data, sample.name) if sample.kind == "277CA" else read_277(data, sample.name))
        assert len(docs) == 1, sample.name
        doc = docs[0]
        summary = doc.summary_statuses if sample.kind == "277CA" else []  # type: ignore[union-attr]
        stc = sum(1 for c in doc.claims for _ in c.statuses) + len(summary)
        stc += sum(1 for c in doc.claims for line in c.line_statuses for _ in line.statuses)
        expected = int(sample.figure("STC") or -1)
        if sample.kind == "277":
            # provider/receiver level statuses of a 277 are not kept on the claims
            assert stc <= expected, sample.name
        else:
            assert stc == expected, sample.name
        first_category = sample.notes.split("first_STC01=")[1].split()[0].split("|")[0].split(":")[0]
        if sample.kind == "277CA":
            assert summary[0].category == first_category, sample.name
        checked += 1
    assert checked >= 5


def test_277ca_accepted_and_rejected(x12_samples: object, samples: list[Sample]) -> None:
    by_name = {s.name: s for s in samples}
    accepted = next(read_277ca(by_name["x12_277CA_accepted.txt"].path.read_bytes()))
    rejected = next(read_277ca(by_name["x12_277CA_rejected.txt"].path.read_bytes()))
    assert [c.accepted for c in accepted.claims] == [True]
    assert accepted.claims[0].payer_claim_number == "1107000000014420"
    assert [c.rejected for c in rejected.claims] == [True]
    assert rejected.claims[0].statuses[0].category == "A7"
    assert rejected.claims[0].statuses[0].code == "562"
