"""Trailer look-ahead: GE and IEA faults known before the first transaction they close is handed out.

A reader that streams transactions (stores or reconciles each as it comes) then sees every finding of a
transaction when it gets it. The look-ahead is a few ``find`` calls over the bytes, no parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.x12.envelope import SPACE_BYTES, Cursor, X12Data, count, find_isa, get
from connector.x12.model_common import ReadFinding


@dataclass(slots=True)
class Trailer:
    """A GE or IEA found ahead: where, its elements, its segment number, and its findings."""

    offset: int
    elements: list[str]
    start: int
    """Where the look-ahead started (the segment numbers are counted from there, only when needed)."""
    base: int
    """Segments read before ``start``."""
    terminated: bool
    end: int
    """Offset just past the trailer (and its terminator)."""
    findings: list[ReadFinding]
    trailing: bool = False
    """Text after this IEA was found (and is in ``findings``)."""


def find_segment(data: X12Data, head: bytes, start: int, end: int, term: int) -> int:
    """Offset of the first segment in [start, end) that begins with ``head`` (id + element separator), or -1.

    A hit counts only at a segment start: the previous non-blank byte must be the segment terminator.
    """
    pos = start
    while True:
        hit = data.find(head, pos, end)
        if hit < 0:
            return -1
        k = hit - 1
        while k >= 0 and data[k] in SPACE_BYTES and data[k] != term:
            k -= 1
        if k >= 0 and data[k] == term:
            return hit
        pos = hit + 1


def count_segments(data: X12Data, head: bytes, start: int, end: int, term: int) -> int:
    """How many segments in [start, end) begin with ``head``."""
    found = 0
    pos = find_segment(data, head, start, end, term)
    while pos >= 0:
        found += 1
        pos = find_segment(data, head, pos + 1, end, term)
    return found


def _count_bytes(data: X12Data, needle: bytes, start: int, end: int) -> int:
    if isinstance(data, bytes | bytearray):
        return data.count(needle, start, end)
    found, pos = 0, data.find(needle, start, end)
    while pos >= 0:
        found += 1
        pos = data.find(needle, pos + len(needle), end)
    return found


def _trailer(cursor: Cursor, seg_id: str, start: int, end: int) -> Trailer | None:
    """The first ``seg_id`` segment in [start, end). When a trailer is missing, the one found belongs to a
    later envelope; the reader then refuses the file when it gets there (a missing trailer is an error), so
    the findings of this look-ahead never reach a result."""
    data, term = cursor.data, cursor.term
    head = seg_id.encode() + cursor.elem.encode("latin-1")
    at = find_segment(data, head, start, end, term[0])
    if at < 0:
        return None
    stop = data.find(term, at)
    terminated = stop >= 0
    stop = stop if terminated else len(data)
    text = bytes(data[at:stop]).decode("latin-1").strip()
    end_at = stop + (len(term) if terminated else 0)
    return Trailer(at, text.split(cursor.elem), cursor.pos, cursor.segment_number, terminated, end_at, [])


def _number(cursor: Cursor, trailer: Trailer) -> int:
    """The trailer's segment number (counted only for a finding: it costs a pass over the bytes)."""
    return trailer.base + _count_bytes(cursor.data, cursor.term, trailer.start, trailer.offset) + 1


def _fault(
    cursor: Cursor, trailer: Trailer, message: str, element: str | None, kind: str = "envelope"
) -> None:
    seg_id = trailer.elements[0]
    number = _number(cursor, trailer)
    trailer.findings.append(cursor.fault(message, seg_id, element, trailer.offset, kind, number))


def look_ahead_iea(cursor: Cursor, isa13: str) -> Trailer | None:
    """The IEA closing the interchange just opened, checked (IEA01 against the GS count, IEA02 against
    ISA13, a missing last terminator, text after it); None when it cannot be told ahead."""
    data = cursor.data
    trailer = _trailer(cursor, "IEA", cursor.pos, len(data))
    if trailer is None:
        return None
    groups = count_segments(
        data, b"GS" + cursor.elem.encode("latin-1"), cursor.pos, trailer.offset, cursor.term[0]
    )
    said = count(get(trailer.elements, 1))
    if said is None:
        _fault(cursor, trailer, f"IEA01 is not a number: {get(trailer.elements, 1)!r}", "IEA01")
    elif said != groups:
        _fault(cursor, trailer, f"IEA01 says {get(trailer.elements, 1)} groups, found {groups}", "IEA01")
    if get(trailer.elements, 2) != isa13:
        _fault(cursor, trailer, "IEA02 does not match ISA13", "IEA02")
    if not trailer.terminated:
        _fault(cursor, trailer, "last segment has no terminator", None, "layout")
    after = trailer.end
    while after < len(data) and data[after] in SPACE_BYTES:
        after += 1
    if after < len(data) and data[after : after + 3] != b"ISA":
        found = find_isa(data, after)
        message = f"{(found if found >= 0 else len(data)) - after} bytes of text after the IEA ignored"
        trailer.findings.append(
            cursor.fault(message, None, None, after, "layout", _number(cursor, trailer) + 1)
        )
        trailer.trailing = True
    return trailer


def look_ahead_ge(cursor: Cursor, gs06: str, limit: int) -> Trailer | None:
    """The GE closing the group just opened, checked (GE01 against the ST count, GE02 against GS06)."""
    trailer = _trailer(cursor, "GE", cursor.pos, limit)
    if trailer is None:
        return None
    elem = cursor.elem.encode("latin-1")
    found = count_segments(cursor.data, b"ST" + elem, cursor.pos, trailer.offset, cursor.term[0])
    said = count(get(trailer.elements, 1))
    if said is None:
        _fault(cursor, trailer, f"GE01 is not a number: {get(trailer.elements, 1)!r}", "GE01")
    elif said != found:
        _fault(cursor, trailer, f"GE01 says {get(trailer.elements, 1)} transactions, found {found}", "GE01")
    if get(trailer.elements, 2) != gs06:
        _fault(cursor, trailer, "GE02 does not match GS06", "GE02")
    return trailer
