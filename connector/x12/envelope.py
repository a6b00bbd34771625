"""The interchange layer of the tokenizer: finding the ISA, its delimiters, envelope segments, faults."""

from __future__ import annotations

import mmap

from connector.errors import X12ParseError
from connector.x12.model_common import Delimiters, ReadFinding

X12Data = bytes | bytearray | mmap.mmap
"""What the readers accept: the whole file as bytes, or an ``mmap`` of it (keeps RSS flat on big files)."""

WHITESPACE = b" \t\r\n\x0b\x0c"
SPACE_BYTES = frozenset(b" \t\r\n\x0b\x0c\x00")
BOM = b"\xef\xbb\xbf"
ISA_SPAN = 200
"""An ISA is 106 bytes; its 16 separators must fall within this many bytes of the "ISA"."""


def _isa_end(data: X12Data, start: int) -> int:
    """Offset of the 16th element separator of an ISA at ``start``, or -1 when it is not one."""
    sep = data[start + 3 : start + 4]
    if len(sep) != 1 or sep.isalnum() or sep in WHITESPACE:
        return -1
    pos = start
    for _ in range(16):
        pos = data.find(sep, pos + 1)
        if pos < 0 or pos - start > ISA_SPAN:
            return -1
    return pos


def find_isa(data: X12Data, start: int) -> int:
    """Offset of the first ISA at or after ``start`` whose delimiters can be determined, or -1.

    It counts only at the start of a line, after white space or after punctuation (not inside a word).
    """
    pos = start
    while True:
        hit = data.find(b"ISA", pos)
        if hit < 0:
            return -1
        before = data[hit - 1 : hit] if hit > 0 else b""
        if (not before or not before.isalnum()) and _isa_end(data, hit) >= 0:
            return hit
        pos = hit + 1


class Cursor:
    """Walks a buffer segment by segment (the envelope segments between transactions).

    ``strict``: envelope and layout faults raise X12ParseError; otherwise they become ``ReadFinding``s
    handed to ``note`` and reading goes on.
    """

    def __init__(self, data: X12Data, source: str | None, strict: bool = False) -> None:
        self.data = data
        self.source = source
        self.strict = strict
        self.pos = 0
        self.segment_number = 0
        self.term = b"~"
        self.elem = "*"
        self.delims = Delimiters()
        self.line_before_term = False
        """The file puts a line break before each segment terminator (``...\\n~GS*...``)."""

    def skip_space(self) -> None:
        data, pos, n = self.data, self.pos, len(self.data)
        while pos < n and data[pos] in SPACE_BYTES:
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

    def fault(
        self,
        message: str,
        seg_id: str | None,
        element: str | None,
        offset: int,
        kind: str = "envelope",
        segment_number: int | None = None,
    ) -> ReadFinding:
        """A fault the reader can read past: raised when strict, else returned as a finding."""
        if self.strict:
            raise self.fail(message, seg_id, element, offset)
        number = segment_number if segment_number is not None else (self.segment_number or None)
        return ReadFinding(kind, message, seg_id, offset, number, element)

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
        if sep.isalnum() or sep in WHITESPACE:
            raise self.fail("ISA element separator is not a delimiter", seg_id="ISA", element="ISA01")
        pos = _isa_end(data, start)
        if pos < 0:
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
        after = pos + 3
        self.line_before_term = False
        if term in (b"\r", b"\n"):
            # a line break, then the real terminator before every segment ("...^\n~GS|..."): the
            # terminator is that punctuation byte, the line breaks are layout
            k = after
            while k < len(data) and data[k] in SPACE_BYTES:
                k += 1
            nxt = bytes(data[k : k + 1])
            if nxt and not nxt.isalnum() and nxt not in (sep, component) and nxt not in WHITESPACE:
                term, after, self.line_before_term = nxt, k + 1, True
        self.term = term
        self.elem = sep.decode("latin-1")
        self.delims = Delimiters(
            element=self.elem,
            component=component.decode("latin-1"),
            repetition=repetition,
            segment=term.decode("latin-1"),
        )
        self.pos = after
        return elements

    def read_segment(self) -> tuple[list[str], int, ReadFinding | None]:
        """Read the next (envelope) segment: its elements, its offset, and a finding when it had no
        terminator (the last segment of a file)."""
        self.skip_space()
        start = self.pos
        if start >= len(self.data):
            raise self.fail("file ends before the interchange trailer (IEA)", seg_id="IEA")
        end = self.data.find(self.term, start)
        finding = None
        if end < 0:
            text = bytes(self.data[start:]).decode("latin-1").strip()
            seg_id = text.split(self.elem)[0]
            finding = self.fault(
                "last segment has no terminator", seg_id, None, start, "layout", self.segment_number + 1
            )
            end = len(self.data)
        self.segment_number += 1
        text = bytes(self.data[start:end]).decode("latin-1").strip()
        self.pos = end + len(self.term)
        return text.split(self.elem), start, finding


def count(value: str) -> int | None:
    """A control count (SE01, GE01, IEA01), None when it is not a number."""
    if not value.strip().isdigit():
        return None
    return int(value)


def get(elements: list[str], index: int) -> str:
    """Element ``index`` stripped, "" when absent."""
    return elements[index].strip() if index < len(elements) else ""
