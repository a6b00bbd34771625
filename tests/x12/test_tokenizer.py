"""Tokenizer and envelope: layout tolerance, several interchanges, X12ParseError for every malformation."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import X12ParseError
from connector.x12 import (
    ControlNumbers,
    Delimiters,
    iter_transactions,
    read_277ca,
    read_835,
    read_999,
    validate_837,
    write_835,
    write_837,
)

from .factories import claim_batch
from .strategies import remittances

with_settings = settings(max_examples=40, deadline=None)


def _era(**delims: str) -> bytes:
    control = ControlNumbers(
        interchange=5, group=6, delimiters=Delimiters(**delims) if delims else Delimiters()
    )
    from .test_balance import small_remittance

    return write_835([small_remittance(), small_remittance()], control=control)


def _summary(data: bytes) -> list[tuple[str, int, str]]:
    return [(r.trace_number, r.claim_count, str(r.total_paid)) for r in read_835(data)]


def test_delimiters_come_from_the_isa() -> None:
    plain = _era()
    odd = _era(element="|", component=">", repetition="!", segment="\n", newline="")
    assert b"CLP|" in odd and b"\n" in odd
    txn = next(iter_transactions(odd))
    assert txn.envelope.delimiters == Delimiters("|", ">", "!", "\n", "\n")
    assert _summary(odd) == _summary(plain)


@pytest.mark.parametrize(
    "transform",
    [
        lambda b: b"\xef\xbb\xbf" + b,
        lambda b: b.replace(b"~\n", b"~\r\n"),
        lambda b: b.replace(b"~\n", b"~"),
        lambda b: b.replace(b"~\n", b"~\n\n  \n"),
        lambda b: b.replace(b"~\n", b"~   \r\n"),
        lambda b: b"\n\n" + b + b"\n   \n",
    ],
    ids=["bom", "crlf", "no-newlines", "blank-lines", "trailing-spaces", "leading-and-trailing-blank"],
)
def test_layout_is_tolerated(transform: object) -> None:
    plain = _era()
    assert _summary(transform(plain)) == _summary(plain)  # type: ignore[operator]


def test_several_interchanges_in_one_file() -> None:
    data = _era() + b"\n" + _era(element="|", component=">", segment="'", newline="\r\n") + _era()
    assert len(list(read_835(data))) == 6
    numbers = [t.envelope.interchange_control_number for t in iter_transactions(data)]
    assert numbers == ["000000005"] * 6


def test_other_transaction_types_are_skipped_by_the_835_reader() -> None:
    data = write_837(claim_batch("professional", 2), control=ControlNumbers(interchange=1, group=1)) + _era()
    assert [t.envelope.transaction_set_id for t in iter_transactions(data)] == ["837", "835", "835"]
    assert len(list(read_835(data))) == 2


def test_every_truncation_is_an_x12_parse_error() -> None:
    data = _era()
    end = data.rstrip().rfind(b"~")
    iea = data.rfind(b"IEA*")
    whole = [(r.claim_count, r.total_paid, r.payment_amount) for r in read_835(data)]
    for cut in range(0, end):
        with pytest.raises(X12ParseError):
            list(read_835(data[:cut], strict=True))
        if cut < iea + 3:  # before the interchange trailer: the file is not whole
            with pytest.raises(X12ParseError):
                list(read_835(data[:cut]))
        else:  # every transaction and its group are complete; only the IEA is cut: read, with a finding
            remits = list(read_835(data[:cut]))
            assert [(r.claim_count, r.total_paid, r.payment_amount) for r in remits] == whole
            assert all(r.read_findings for r in remits)


@pytest.mark.parametrize(
    ("old", "new", "segment_id", "element"),
    [
        (b"SE*13*0001", b"SE*15*0001", "SE", "SE01"),
        (b"SE*13*0001", b"SE*13*0009", "SE", "SE02"),
        (b"GE*2*6", b"GE*3*6", "GE", "GE01"),
        (b"GE*2*6", b"GE*2*7", "GE", "GE02"),
        (b"IEA*1*000000005", b"IEA*2*000000005", "IEA", "IEA01"),
        (b"IEA*1*000000005", b"IEA*1*000000004", "IEA", "IEA02"),
        (b"CLP*A1*1*100*80", b"CLP*A1*1*1O0*80", "CLP", "CLP03"),
        (b"CAS*CO*45*20", b"CAS*CO*45*2x0", "CAS", "CAS03"),
        (b"CAS*CO*45*20", b"CAS*CO*45*Infinity", "CAS", "CAS03"),
        (b"CLP*A1*1*100*80", b"CLP*A1*1*100*NaN", "CLP", "CLP04"),
        (b"SVC*HC:99213:25*100*80", b"SVC*HC:99213:25*100*8-0", "SVC", "SVC03"),
    ],
)
def test_envelope_and_value_faults_name_segment_and_element(
    old: bytes, new: bytes, segment_id: str, element: str
) -> None:
    data = _era()
    assert old in data
    envelope = segment_id in ("SE", "GE", "IEA")
    if envelope:  # read past as a finding naming the same segment and element; strict refuses
        remits = list(read_835(data.replace(old, new, 1)))  # trailer findings are complete once read through
        found = [f for r in remits for f in r.read_findings]
        assert [(f.segment_id, f.element) for f in found] == [(segment_id, element)] * len(found) != []
    with pytest.raises(X12ParseError) as caught:
        list(read_835(data.replace(old, new, 1), strict=envelope))
    err = caught.value
    assert (err.segment_id, err.element) == (segment_id, element)
    assert err.offset is not None and err.segment_number is not None
    assert data.replace(old, new, 1)[err.offset : err.offset + len(segment_id)] == segment_id.encode()


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"GS*HP~", b"ISA*00*", b"ISA" + b"*" * 120, b"\xff\xfe garbage", b"ISA*00*" + b"x" * 200],
)
def test_garbage_is_an_x12_parse_error(data: bytes) -> None:
    with pytest.raises(X12ParseError):
        list(iter_transactions(data, source="junk.txt"))


@with_settings
@given(remittances(), st.data())
def test_mutated_files_never_raise_anything_but_x12_parse_error(model: object, data: st.DataObject) -> None:
    raw = bytearray(write_835(model, control=ControlNumbers(interchange=1, group=1)))  # type: ignore[arg-type]
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.sampled_from(b"*:~^\n 0A-.\x00\xff"))
    for reader in (read_835, read_999, read_277ca):
        with contextlib.suppress(X12ParseError):
            list(reader(bytes(raw)))
    with contextlib.suppress(X12ParseError):
        validate_837(bytes(raw))


def test_offsets_are_file_offsets_even_after_a_bom() -> None:
    data = b"\xef\xbb\xbf" + _era().replace(b"SE*13*0001", b"SE*12*0001", 1)
    with pytest.raises(X12ParseError) as caught:
        list(read_835(data, strict=True))
    offset = caught.value.offset
    assert offset is not None and data[offset : offset + 6] == b"SE*12*"
    [finding] = next(read_835(data)).read_findings
    assert finding.offset is not None and data[finding.offset : finding.offset + 6] == b"SE*12*"
