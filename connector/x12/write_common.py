"""Writer plumbing: segments joined with the caller's delimiters, envelopes (ISA/GS/ST..SE/GE/IEA)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from connector.errors import InputError
from connector.safetext import describe, first_unsafe
from connector.x12.model_common import ControlNumbers, Delimiters
from connector.x12.values import format_date, format_decimal

Element = str | Decimal | int | None | Sequence[str]
"""A str, a number, None (empty) or a tuple/list of components."""


def refuse_control(text: str, where: str) -> None:
    """Raise InputError when ``text`` holds a control or format character (ESC, CR, LF, NUL, U+202E ...)."""
    found = first_unsafe(text)
    if found is not None:
        position, ch = found
        raise InputError(
            f"{where}: value contains the control character {describe(ch)} at position {position + 1}; "
            "X12 elements allow none"
        )


class SegmentList:
    """Collects segments of one transaction set; values are checked for delimiter characters."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.segments: list[str] = []
        self._forbidden = {delimiters.element, delimiters.component, delimiters.segment}
        if delimiters.repetition:
            self._forbidden.add(delimiters.repetition)

    def _text(self, value: Element, seg_id: str, position: int) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            text = value
        elif isinstance(value, Decimal):
            return format_decimal(value)
        elif isinstance(value, int):
            return str(value)
        else:
            parts = [self._text(p, seg_id, position) for p in value]
            while parts and not parts[-1]:
                parts.pop()
            return self.d.component.join(parts)
        for ch in self._forbidden:
            if ch in text:
                raise InputError(f"{seg_id}{position:02d}: value contains an X12 delimiter character {ch!r}")
        refuse_control(text, f"{seg_id}{position:02d}")
        return text

    def add(self, seg_id: str, *elements: Element) -> None:
        """Append a segment; trailing empty elements are dropped."""
        texts = [self._text(v, seg_id, i + 1) for i, v in enumerate(elements)]
        while texts and not texts[-1]:
            texts.pop()
        self.segments.append(self.d.element.join([seg_id, *texts]))

    def __len__(self) -> int:
        return len(self.segments)


def date8(value: dt.date | None) -> str:
    """CCYYMMDD or empty."""
    return format_date(value) if value is not None else ""


def transaction(body: SegmentList, set_id: str, control_number: str, version: str | None) -> list[str]:
    """Wrap body segments in ST..SE (SE01 counts ST and SE)."""
    e = body.d.element
    refuse_control(control_number, "ST02")
    refuse_control(version or "", "ST03")
    st = e.join(["ST", set_id, control_number, *([version] if version else [])])
    se = e.join(["SE", str(len(body.segments) + 2), control_number])
    return [st, *body.segments, se]


def next_control(control: ControlNumbers, offset: int) -> str:
    """ST02 for the offset-th transaction of a group, keeping the width of control.transaction."""
    base = control.transaction
    if offset == 0:
        return base
    if not base.isdigit():
        raise InputError("ControlNumbers.transaction must be digits when writing several transaction sets")
    return str(int(base) + offset).zfill(len(base))


def interchange(
    transactions: list[list[str]],
    control: ControlNumbers,
    functional_id: str,
    version: str,
    isa_version: str = "00501",
) -> bytes:
    """ISA/GS around the transactions, GE/IEA after them; returns the encoded file.

    ``isa_version`` 00401 writes a 4010 interchange (ISA11 is then the standards identifier ``U``)."""
    d = control.delimiters
    if len({d.element, d.component, d.segment, d.repetition or d.element}) < (4 if d.repetition else 3):
        raise InputError("X12 delimiters must all differ")
    if not 0 <= control.interchange <= 999_999_999 or not 0 < control.group <= 999_999_999:
        raise InputError(
            "interchange control number must be 0..999999999 and group control number 1..999999999"
        )
    for label, value, width in (
        ("sender id", control.sender_id, 15),
        ("receiver id", control.receiver_id, 15),
        ("sender qualifier", control.sender_qualifier, 2),
        ("receiver qualifier", control.receiver_qualifier, 2),
    ):
        if not value or len(value) > width:
            raise InputError(f"ISA {label} must be 1 to {width} characters")
        refuse_control(value, f"ISA {label}")
    for label, value in (
        ("application sender", control.application_sender or ""),
        ("application receiver", control.application_receiver or ""),
    ):
        refuse_control(value, f"GS {label}")
    created = control.created
    isa = d.element.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            control.sender_qualifier.ljust(2)[:2],
            control.sender_id.ljust(15)[:15],
            control.receiver_qualifier.ljust(2)[:2],
            control.receiver_id.ljust(15)[:15],
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            "U" if isa_version < "00402" else d.repetition or "U",
            isa_version,
            f"{control.interchange:09d}",
            "0",
            control.usage,
            d.component,
        ]
    )
    gs = d.element.join(
        [
            "GS",
            functional_id,
            control.application_sender or control.sender_id,
            control.application_receiver or control.receiver_id,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(control.group),
            "X",
            version,
        ]
    )
    segments = [isa, gs]
    for txn in transactions:
        segments.extend(txn)
    segments.append(d.element.join(["GE", str(len(transactions)), str(control.group)]))
    segments.append(d.element.join(["IEA", "1", f"{control.interchange:09d}"]))
    terminator = d.segment + d.newline
    return (terminator.join(segments) + terminator).encode("utf-8")
