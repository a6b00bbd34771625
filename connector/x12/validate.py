"""Structural validation of 837 claim batches (envelope, HL tree, required segments, totals)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from connector.errors import X12ParseError
from connector.safetext import describe, first_unsafe
from connector.x12.tokenizer import Transaction, X12Data, iter_transactions

_LINE_SEGMENTS = ("SV1", "SV2", "SV3")


def validate_837(data: X12Data, source: str | None = None) -> list[str]:
    """Check every 837 in ``data``; return warnings (empty = clean).

    Structural faults raise X12ParseError: a control character (ESC, CR/LF inside an element, NUL,
    U+202E) in any element, envelope faults (from the tokenizer), a missing BHT, submitter
    (NM1*41) or receiver (NM1*40), HL numbering or parent faults, a billing-provider level without NM1*85,
    a subscriber level without SBR / NM1*IL / NM1*PR, a claim outside a subscriber or patient level, a
    claim without service lines, a service line outside a claim, non-numeric charges.
    Warnings: an empty transaction set (ST..SE only), a claim charge that is not the sum of its lines,
    lines without a REF*6R line control number.
    """
    warnings: list[str] = []
    count = 0
    for txn in iter_transactions(data, source, strict=True):
        if txn.envelope.transaction_set_id != "837":
            continue
        count += 1
        warnings.extend(_check(txn))
    if count == 0:
        raise X12ParseError("no 837 transaction set in the file", source=source)
    return warnings


def _number(txn: Transaction, index: int, position: int) -> Decimal:
    seg = txn.segments[index]
    text = seg[position] if position < len(seg) else ""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise txn.error(f"number expected, found {text!r}", index, position) from None


class _Claim:
    def __init__(self, claim_id: str, index: int, charge: Decimal) -> None:
        self.claim_id, self.index, self.charge = claim_id, index, charge
        self.lines = 0
        self.line_total = Decimal(0)
        self.missing_6r = 0
        self.current_has_6r = True


def _refuse_control(txn: Transaction) -> None:
    """An element holding a control or format character (ESC, CR/LF, NUL, U+202E) makes the file invalid."""
    for index, seg in enumerate(txn.segments):
        for position, element in enumerate(seg):
            found = first_unsafe(element)
            if found is not None:
                at, ch = found
                what = "segment id" if position == 0 else "element"
                raise txn.error(
                    f"{what} contains the control character {describe(ch)} at position {at + 1}; "
                    "X12 allows none",
                    index,
                    position if position else None,
                )


def _check(txn: Transaction) -> list[str]:
    segs = txn.segments
    warnings: list[str] = []
    _refuse_control(txn)
    if len(segs) == 2:
        return [f"transaction set {txn.envelope.transaction_control_number} is empty (ST..SE only)"]
    if segs[1][0] != "BHT":
        raise txn.error("an 837 must start with BHT", 1)
    ids = [s[0] for s in segs]
    first_hl = ids.index("HL") if "HL" in ids else len(segs) - 1
    header = [(s[0], s[1] if len(s) > 1 else "") for s in segs[:first_hl]]
    if ("NM1", "41") not in header:
        raise txn.error("submitter (NM1*41) is missing", first_hl)
    if ("NM1", "40") not in header:
        raise txn.error("receiver (NM1*40) is missing", first_hl)
    if first_hl == len(segs) - 1:
        raise txn.error("no HL levels (billing provider, subscriber, claims)", first_hl)
    levels: dict[str, str] = {}
    level_code = ""
    level_index = 0
    seen: set[tuple[str, str]] = set()
    claims: list[_Claim] = []
    claim: _Claim | None = None

    def close_level(end: int) -> None:
        if level_code == "20" and ("NM1", "85") not in seen:
            raise txn.error("billing provider level (HL*20) has no NM1*85", level_index)
        if level_code == "22":
            for need in (("SBR", ""), ("NM1", "IL"), ("NM1", "PR")):
                if need not in seen:
                    raise txn.error(
                        f"subscriber level (HL*22) has no {need[0]}{'*' + need[1] if need[1] else ''}",
                        level_index,
                    )
        if level_code == "23" and ("NM1", "QC") not in seen:
            raise txn.error("patient level (HL*23) has no NM1*QC", level_index)

    for index in range(first_hl, len(segs) - 1):
        seg = segs[index]
        sid = seg[0]
        if sid == "HL":
            close_level(index)
            e = seg + [""] * 4
            number, parent, code = e[1], e[2], e[3]
            if number != str(len(levels) + 1):
                raise txn.error(f"HL01 should be {len(levels) + 1}", index, 1)
            if parent and parent not in levels:
                raise txn.error("HL02 names a parent level that does not exist", index, 2)
            expected = {"20": None, "22": "20", "23": "22"}
            if code not in expected:
                raise txn.error(f"unexpected hierarchical level code {code!r}", index, 3)
            if code != "20" and (not parent or levels[parent] != expected[code]):
                raise txn.error(f"HL*{code} must sit under a level {expected[code]}", index, 2)
            levels[number] = code
            level_code, level_index, seen, claim = code, index, set(), None
            continue
        seen.add((sid, seg[1] if sid == "NM1" and len(seg) > 1 else ""))
        if sid == "CLM":
            if level_code not in ("22", "23"):
                raise txn.error("claim (CLM) outside a subscriber or patient level", index)
            if len(seg) < 3 or not seg[1]:
                raise txn.error("CLM needs a claim id and a charge", index, 1)
            claim = _Claim(seg[1], index, _number(txn, index, 2))
            claims.append(claim)
        elif sid in _LINE_SEGMENTS:
            if claim is None:
                raise txn.error(f"service line ({sid}) outside a claim", index)
            claim.lines += 1
            if not claim.current_has_6r:
                claim.missing_6r += 1
            claim.current_has_6r = False
            claim.line_total += _number(txn, index, 3 if sid == "SV2" else 2)
        elif sid == "REF" and claim is not None and len(seg) > 1 and seg[1] == "6R":
            claim.current_has_6r = True
    close_level(len(segs) - 1)
    if not claims:
        raise txn.error("the 837 has no claims (CLM)", len(segs) - 1)
    for c in claims:
        if c.lines == 0:
            raise txn.error(f"claim {c.claim_id!r} has no service lines", c.index)
        missing = c.missing_6r + (0 if c.current_has_6r else 1)
        if c.line_total != c.charge:
            warnings.append(
                f"claim {c.claim_id}: CLM02 {c.charge} is not the sum of its lines {c.line_total}"
            )
        if missing:
            warnings.append(f"claim {c.claim_id}: {missing} line(s) without a REF*6R line control number")
    return warnings
