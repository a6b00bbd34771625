"""Streaming X12 tokenizer: delimiters from the ISA, envelope checks, one ST..SE transaction at a time."""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass, field

from connector.errors import X12ParseError
from connector.x12.model_common import Delimiters, Envelope
from connector.x12.segments import split_transaction
from connector.x12.values import parse_date

X12Data = bytes | bytearray | mmap.mmap
"""What the readers accept: the whole file as bytes, or an ``mmap`` of it (keeps RSS flat on big files)."""

_WHITESPACE = b" \t\r\n\x0b\x0c"
_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Transaction:
    """One transaction set: its envelope and its segments ST..SE, each a list of elements ([0] is the id)."""

    envelope: Envelope
    segments: list[list[str]]
    source: str | None = None
    first_segment_number: int = 1
    """1-based number of the ST segment counted from the start of the file."""
    text: str = field(default="", repr=False)
    encoding: str = "utf-8"

    def error(self, message: str, index: int, element: int | str | None = None) -> X12ParseError:
        """An X12ParseError for segment ``index`` (0 = ST) of this transaction, naming offset and element."""
        seg_id = self.segments[index][0] if 0 <= index < len(self.segments) else None
        elem = None
        if element is not None:
            elem = f"{seg_id}{int(element):02d}" if isinstance(element, int) and seg_id else str(element)
        return X12ParseError(
            message,
            offset=self._offset_of(index),
            segment_number=self.first_segment_number + index,
            segment_id=seg_id,
            element=elem,
            source=self.source,
        )

    def _offset_of(self, index: int) -> int:
        term = self.envelope.delimiters.segment
        pos = 0
        seen = -1
        while pos < len(self.text):
            end = self.text.find(term, pos)
            end = len(self.text) if end < 0 else end
            if self.text[pos:end].strip():
                seen += 1
                if seen == index:
                    lead = len(self.text[pos:end]) - len(self.text[pos:end].lstrip())
                    char_pos = pos + lead
                    return self.envelope.offset + len(self.text[:char_pos].encode(self.encoding, "replace"))
            pos = end + len(term)
        return self.envelope.offset


class _Cursor:
    """Walks a buffer segment by segment (used for the envelope segments between transactions)."""

    def __init__(self, data: X12Data, source: str | None) -> None:
        self.data = data
        self.source = source
        self.pos = 0
        self.segment_number = 0
        self.term = b"~"
        self.elem = "*"
        self.delims = Delimiters()

    def skip_space(self) -> None:
        data, pos, n = self.data, self.pos, len(self.data)
        while pos < n and data[pos : pos + 1] in (b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c", b"\x00"):
            pos += 1
        self.pos = pos

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.data)

    def fail(
        self, message: str, seg_id: str | None = None, element: str | None = None, offset: int = -1
    ) -> X12ParseError:
        return X12ParseError(
            message,
            offset=self.pos if offset < 0 else offset,
            segment_number=self.segment_number or None,
            segment_id=seg_id,
            element=element,
            source=self.source,
        )

    def read_isa(self) -> list[str]:
        """Read an ISA and set the delimiters from it."""
        self.skip_space()
        start = self.pos
        data = self.data
        if data[start : start + 3] != b"ISA":
            raise self.fail(
                "expected an ISA segment", seg_id=bytes(data[start : start + 3]).decode("latin-1")
            )
        if len(data) < start + 106:
            raise self.fail("file ends inside the ISA segment", seg_id="ISA")
        sep = data[start + 3 : start + 4]
        if sep.isalnum() or sep in _WHITESPACE:
            raise self.fail("ISA element separator is not a delimiter", seg_id="ISA", element="ISA01")
        pos = start
        for _ in range(16):
            pos = data.find(sep, pos + 1)
            if pos < 0 or pos - start > 200:
                raise self.fail("ISA does not have 16 elements", seg_id="ISA")
        component = data[pos + 1 : pos + 2]
        term = bytes(data[pos + 2 : pos + 3])
        if not term or not component or term == sep or component == sep:
            raise self.fail("ISA16 or the segment terminator is missing", seg_id="ISA", element="ISA16")
        self.segment_number += 1
        text = bytes(data[start : pos + 2]).decode("latin-1")
        elements = text.split(sep.decode("latin-1"))
        rep = elements[11]
        version = elements[12]
        repetition = rep if (version >= "00402" and len(rep) == 1 and not rep.isalnum()) else ""
        self.term = term
        self.elem = sep.decode("latin-1")
        self.delims = Delimiters(
            element=self.elem,
            component=component.decode("latin-1"),
            repetition=repetition,
            segment=term.decode("latin-1"),
        )
        self.pos = pos + 3
        return elements

    def read_segment(self) -> tuple[list[str], int]:
        """Read the next (envelope) segment; returns its elements and its offset."""
        self.skip_space()
        start = self.pos
        if start >= len(self.data):
            raise self.fail("file ends before the interchange trailer (IEA)", seg_id="IEA")
        end = self.data.find(self.term, start)
        if end < 0:
            raise self.fail("last segment has no terminator (file truncated?)")
        self.segment_number += 1
        text = bytes(self.data[start:end]).decode("latin-1").strip()
        self.pos = end + len(self.term)
        return text.split(self.elem), start


def _count(value: str, cursor: _Cursor, seg_id: str, element: str, offset: int) -> int:
    if not value.strip().isdigit():
        raise cursor.fail(
            f"{element} is not a number: {value!r}", seg_id=seg_id, element=element, offset=offset
        )
    return int(value)


def _get(elements: list[str], index: int) -> str:
    return elements[index].strip() if index < len(elements) else ""


def _fault(error: X12ParseError, faults: list[X12ParseError] | None) -> None:
    """Raise an envelope count/control-number fault, or note it when the caller reads leniently."""
    if faults is None:
        raise error
    faults.append(error)


def iter_transactions(
    data: X12Data, source: str | None = None, faults: list[X12ParseError] | None = None
) -> Iterator[Transaction]:
    """Yield every ST..SE transaction set in ``data`` (several ISA/GS/ST allowed), checking the envelope.

    Raises X12ParseError for anything malformed: no ISA, truncated files, wrong SE01/GE01/IEA01 counts,
    trailers whose control numbers do not match their headers. With a ``faults`` list, count and
    control-number faults of the trailers (SE01/SE02, GE01/GE02, IEA01/IEA02) are appended there instead
    and reading goes on (lenient reading: the caller reports them).
    """
    cursor = _Cursor(data, source)
    if data[:3] == _BOM:
        cursor.pos = 3  # offsets stay file offsets; no copy of the data
    if cursor.at_end():
        raise cursor.fail("no X12 content (empty file)")
    while not cursor.at_end():
        isa = cursor.read_isa()
        groups = 0
        while True:
            seg, offset = cursor.read_segment()
            seg_id = seg[0]
            if seg_id == "IEA":
                if _count(_get(seg, 1), cursor, "IEA", "IEA01", offset) != groups:
                    message = f"IEA01 says {_get(seg, 1)} groups, found {groups}"
                    _fault(cursor.fail(message, "IEA", "IEA01", offset), faults)
                if _get(seg, 2) != isa[13].strip():
                    _fault(cursor.fail("IEA02 does not match ISA13", "IEA", "IEA02", offset), faults)
                break
            if seg_id == "TA1":
                continue
            if seg_id != "GS":
                raise cursor.fail(f"expected GS or IEA, found {seg_id!r}", seg_id, None, offset)
            if len(seg) < 9:
                raise cursor.fail("GS has fewer than 8 elements", "GS", None, offset)
            groups += 1
            yield from _read_group(cursor, isa, seg, faults)


_SPACE_BYTES = frozenset(b" \t\r\n\x0b\x0c\x00")


def _find_segment(data: X12Data, head: bytes, start: int, end: int, term: int) -> int:
    """Offset of the first segment in [start, end) that begins with ``head`` (id + element separator), or -1.

    A hit counts only at a segment start: the previous non-blank byte must be the segment terminator.
    """
    pos = start
    while True:
        hit = data.find(head, pos, end)
        if hit < 0:
            return -1
        k = hit - 1
        while k >= 0 and data[k] in _SPACE_BYTES and data[k] != term:
            k -= 1
        if k >= 0 and data[k] == term:
            return hit
        pos = hit + 1


_ENVELOPE_IDS = (b"ST", b"GE", b"GS", b"IEA", b"ISA")


def _read_group(
    cursor: _Cursor, isa: list[str], gs: list[str], faults: list[X12ParseError] | None = None
) -> Iterator[Transaction]:
    transactions = 0
    data = cursor.data
    elem = cursor.elem
    term_text = cursor.delims.segment
    while True:
        seg, offset = cursor.read_segment()
        seg_id = seg[0]
        if seg_id == "GE":
            if _count(_get(seg, 1), cursor, "GE", "GE01", offset) != transactions:
                message = f"GE01 says {_get(seg, 1)} transactions, found {transactions}"
                _fault(cursor.fail(message, "GE", "GE01", offset), faults)
            if _get(seg, 2) != gs[6].strip():
                _fault(cursor.fail("GE02 does not match GS06", "GE", "GE02", offset), faults)
            return
        if seg_id != "ST":
            raise cursor.fail(f"expected ST or GE, found {seg_id!r}", seg_id, None, offset)
        if len(seg) < 3:
            raise cursor.fail("ST has no control number", "ST", "ST02", offset)
        transactions += 1
        st_number = cursor.segment_number
        # find the SE that closes this transaction (fast when the layout after terminators is regular);
        # an envelope segment before it (a missing SE) is caught once the transaction is split
        term_byte = cursor.term[0]
        elem_bytes = elem.encode("latin-1")
        gap_end = cursor.pos
        while gap_end < len(data) and gap_end - cursor.pos < 4 and data[gap_end] in _SPACE_BYTES:
            gap_end += 1
        gap = bytes(data[cursor.pos : gap_end])
        prefix = cursor.term + gap
        se_at = data.find(prefix + b"SE" + elem_bytes, cursor.pos - len(prefix))
        fast_se = se_at >= 0
        if fast_se:
            se_at += len(prefix)
        else:
            se_at = _find_segment(data, b"SE" + elem_bytes, cursor.pos, len(data), term_byte)
        if se_at < 0:
            limit = len(data)
            others = [
                (at, sid)
                for sid in _ENVELOPE_IDS
                if (at := _find_segment(data, sid + elem_bytes, cursor.pos, limit, term_byte)) >= 0
            ]
            found = min(others)[1].decode() if others else "end of file"
            raise cursor.fail(
                f"transaction {_get(seg, 2)!r} has no SE trailer (found {found})", "ST", None, offset
            )
        se_end = data.find(cursor.term, se_at)
        if se_end < 0:
            raise cursor.fail("SE segment has no terminator (file truncated?)", "SE", None, se_at)
        raw = data[offset:se_end]
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
        segments, inside = split_transaction(text, term_text, gap.decode("latin-1"), elem, fast_se)
        if inside:
            raise cursor.fail(
                f"transaction {_get(seg, 2)!r} has no SE trailer (found {inside})", "ST", None, offset
            )
        cursor.pos = se_end + len(cursor.term)
        cursor.segment_number += len(segments) - 1
        envelope = Envelope(
            sender_qualifier=isa[5].strip(),
            sender_id=isa[6].strip(),
            receiver_qualifier=isa[7].strip(),
            receiver_id=isa[8].strip(),
            interchange_date=parse_date(isa[9].strip()),
            interchange_time=isa[10].strip(),
            interchange_control_number=isa[13].strip(),
            version=isa[12].strip(),
            usage=isa[15].strip(),
            functional_id=gs[1].strip(),
            application_sender=gs[2].strip(),
            application_receiver=gs[3].strip(),
            group_date=parse_date(gs[4].strip()),
            group_control_number=gs[6].strip(),
            group_version=gs[8].strip(),
            transaction_set_id=seg[1].strip(),
            transaction_control_number=seg[2].strip(),
            implementation_reference=_get(seg, 3),
            delimiters=cursor.delims,
            offset=offset,
        )
        txn = Transaction(envelope, segments, cursor.source, st_number, text, encoding)
        se = segments[-1]
        if len(se) < 3 or not se[1].strip().isdigit():
            raise txn.error("SE01 is not a segment count", len(segments) - 1, 1)
        if int(se[1]) != len(segments):
            message = f"SE01 says {se[1]} segments, counted {len(segments)}"
            _fault(txn.error(message, len(segments) - 1, 1), faults)
        if se[2].strip() != envelope.transaction_control_number:
            _fault(txn.error("SE02 does not match ST02", len(segments) - 1, 2), faults)
        yield txn
