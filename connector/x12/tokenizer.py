"""Streaming X12 tokenizer: delimiters from the ISA, envelope checks, one ST..SE transaction at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from connector.errors import X12ParseError
from connector.x12.envelope import BOM, SPACE_BYTES, Cursor, X12Data, count, find_isa, get
from connector.x12.model_common import Envelope, ReadFinding
from connector.x12.segments import split_transaction
from connector.x12.trailers import find_segment, look_ahead_ge, look_ahead_iea
from connector.x12.values import parse_date

__all__ = ["Transaction", "X12Data", "iter_transactions"]


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
    findings: list[ReadFinding] = field(default_factory=list)
    """Envelope and layout faults read past (see ``iter_transactions``); shared with the models built."""

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


def iter_transactions(
    data: X12Data, source: str | None = None, *, strict: bool = False
) -> Iterator[Transaction]:
    """Yield every ST..SE transaction set in ``data`` (several ISA/GS/ST allowed), checking the envelope.

    Envelope faults (SE01/GE01/IEA01 counts, SE02/GE02/IEA02 control numbers, a GS with fewer than 8
    elements) and layout faults (text before the ISA or after the IEA, no terminator after the last
    segment) become ``ReadFinding``s on ``Transaction.findings``; with ``strict`` they raise
    X12ParseError instead (before any transaction is handed out). GE and IEA are checked ahead with a
    byte search, so each transaction carries every finding that concerns it when it is yielded.

    Always raises X12ParseError for what cannot be read without guessing: no ISA whose delimiters can be
    determined, a file that ends before its trailers (truncated), a transaction without SE, segments out
    of envelope order.
    """
    cursor = Cursor(data, source, strict)
    if data[:3] == BOM:
        cursor.pos = 3  # offsets stay file offsets; no copy of the data
    if cursor.at_end():
        raise cursor.fail("no X12 content (empty file)")
    file_findings: list[ReadFinding] = []
    if data[cursor.pos : cursor.pos + 3] != b"ISA":
        found = find_isa(data, cursor.pos)
        if found < 0:
            raise cursor.fail(
                "no ISA segment whose delimiters can be determined",
                seg_id=bytes(data[cursor.pos : cursor.pos + 3]).decode("latin-1"),
            )
        file_findings.append(
            cursor.fault(
                f"{found - cursor.pos} bytes of text before the ISA skipped (reading starts at the ISA)",
                "ISA",
                None,
                found,
                "layout",
                1,
            )
        )
        cursor.pos = found
    while not cursor.at_end():
        isa_at = cursor.pos
        isa = cursor.read_isa()
        isa_faults: list[ReadFinding] = []
        if cursor.line_before_term:
            message = f"a line break comes before each segment terminator {cursor.delims.segment!r}"
            isa_faults.append(cursor.fault(message, "ISA", "ISA16", isa_at, "layout"))
        iea = look_ahead_iea(cursor, isa[13].strip())
        if iea is not None:
            isa_faults += iea.findings
        lists: list[list[ReadFinding]] = []
        """The findings lists of this interchange's transactions (a trailer fault found late goes on each)."""
        groups = 0
        while True:
            seg, offset, last = cursor.read_segment()
            ahead = iea is not None and offset == iea.offset
            if last is not None and not ahead:
                _note(lists, last)
            seg_id = seg[0]
            if seg_id == "IEA":
                if not ahead:
                    _check_iea(cursor, seg, isa, groups, offset, lists)
                break
            if seg_id == "TA1":
                continue
            if seg_id != "GS":
                raise cursor.fail(f"expected GS or IEA, found {seg_id!r}", seg_id, None, offset)
            gs_faults: list[ReadFinding] = []
            if len(seg) < 9:
                gs_faults.append(cursor.fault(f"GS has {len(seg) - 1} elements, not 8", "GS", None, offset))
                seg = seg + [""] * (9 - len(seg))
            groups += 1
            ge = look_ahead_ge(cursor, seg[6].strip(), iea.offset if iea is not None else len(data))
            gs_faults += ge.findings if ge is not None else []
            inherited = [*file_findings, *isa_faults, *gs_faults]
            yield from _read_group(cursor, isa, seg, lists, inherited, ge.offset if ge is not None else -1)
        if cursor.at_end():
            break
        if data[cursor.pos : cursor.pos + 3] == b"ISA":
            continue
        after = cursor.pos
        found = find_isa(data, after)
        end = found if found >= 0 else len(data)
        if iea is None or not iea.trailing:
            message = f"{end - after} bytes of text after the IEA ignored"
            _note(lists, cursor.fault(message, None, None, after, "layout", cursor.segment_number + 1))
        if found < 0:
            break
        cursor.pos = found


def _note(lists: list[list[ReadFinding]], finding: ReadFinding) -> None:
    for target in lists:
        target.append(finding)


def _check_iea(
    cursor: Cursor, seg: list[str], isa: list[str], groups: int, offset: int, lists: list[list[ReadFinding]]
) -> None:
    said = count(get(seg, 1))
    if said is None:
        _note(lists, cursor.fault(f"IEA01 is not a number: {get(seg, 1)!r}", "IEA", "IEA01", offset))
    elif said != groups:
        _note(lists, cursor.fault(f"IEA01 says {get(seg, 1)} groups, found {groups}", "IEA", "IEA01", offset))
    if get(seg, 2) != isa[13].strip():
        _note(lists, cursor.fault("IEA02 does not match ISA13", "IEA", "IEA02", offset))


_ENVELOPE_IDS = (b"ST", b"GE", b"GS", b"IEA", b"ISA")


def _read_group(
    cursor: Cursor,
    isa: list[str],
    gs: list[str],
    isa_lists: list[list[ReadFinding]],
    inherited: list[ReadFinding],
    checked_ge: int,
) -> Iterator[Transaction]:
    """The transactions of one group; ``checked_ge`` is the offset of the GE already checked ahead."""
    transactions = 0
    data = cursor.data
    elem = cursor.elem
    term_text = cursor.delims.segment
    lists: list[list[ReadFinding]] = []
    while True:
        seg, offset, last = cursor.read_segment()
        if last is not None:
            _note(lists, last)
        seg_id = seg[0]
        if seg_id == "GE" and offset == checked_ge:
            return
        if seg_id == "GE":
            said = count(get(seg, 1))
            if said is None:
                _note(lists, cursor.fault(f"GE01 is not a number: {get(seg, 1)!r}", "GE", "GE01", offset))
            elif said != transactions:
                message = f"GE01 says {get(seg, 1)} transactions, found {transactions}"
                _note(lists, cursor.fault(message, "GE", "GE01", offset))
            if get(seg, 2) != gs[6].strip():
                _note(lists, cursor.fault("GE02 does not match GS06", "GE", "GE02", offset))
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
        while gap_end < len(data) and gap_end - cursor.pos < 4 and data[gap_end] in SPACE_BYTES:
            gap_end += 1
        gap = bytes(data[cursor.pos : gap_end])
        prefix = cursor.term + gap
        se_at = data.find(prefix + b"SE" + elem_bytes, cursor.pos - len(prefix))
        fast_se = se_at >= 0 and not cursor.line_before_term
        if se_at >= 0:
            se_at += len(prefix)
        else:
            se_at = find_segment(data, b"SE" + elem_bytes, cursor.pos, len(data), term_byte)
        if se_at < 0:
            limit = len(data)
            others = [
                (at, sid)
                for sid in _ENVELOPE_IDS
                if (at := find_segment(data, sid + elem_bytes, cursor.pos, limit, term_byte)) >= 0
            ]
            found = min(others)[1].decode() if others else "end of file"
            raise cursor.fail(
                f"transaction {get(seg, 2)!r} has no SE trailer (found {found})", "ST", None, offset
            )
        se_end = data.find(cursor.term, se_at)
        if se_end < 0:
            raise cursor.fail(
                "file ends after the SE segment, before GE and IEA (truncated?)", "SE", None, se_at
            )
        raw = data[offset:se_end]
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
        del raw  # a copy of the transaction's bytes: not held while the transaction is read
        segments, inside = split_transaction(text, term_text, gap.decode("latin-1"), elem, fast_se)
        if inside:
            raise cursor.fail(
                f"transaction {get(seg, 2)!r} has no SE trailer (found {inside})", "ST", None, offset
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
            implementation_reference=get(seg, 3),
            delimiters=cursor.delims,
            offset=offset,
        )
        txn = Transaction(envelope, segments, cursor.source, st_number, text, encoding, list(inherited))
        lists.append(txn.findings)
        isa_lists.append(txn.findings)
        _check_se(cursor, txn)
        if len(txn.findings) > 1:
            txn.findings.sort(key=lambda f: -1 if f.offset is None else f.offset)  # in file order
        yield txn


def _check_se(cursor: Cursor, txn: Transaction) -> None:
    """SE01 (segment count) and SE02 (= ST02): findings on the transaction, errors when strict."""
    segments = txn.segments
    index = len(segments) - 1
    se = segments[index]
    problems: list[tuple[str, int]] = []
    said = count(se[1]) if len(se) > 1 else None
    if said is None:
        problems.append((f"SE01 is not a segment count: {get(se, 1)!r}", 1))
    elif said != len(segments):
        problems.append((f"SE01 says {se[1].strip()} segments, counted {len(segments)}", 1))
    if get(se, 2) != txn.envelope.transaction_control_number:
        problems.append(("SE02 does not match ST02", 2))
    for message, element in problems:
        if cursor.strict:
            raise txn.error(message, index, element)
        txn.findings.append(
            ReadFinding(
                "envelope",
                message,
                "SE",
                txn._offset_of(index),
                txn.first_segment_number + index,
                f"SE{element:02d}",
            )
        )
