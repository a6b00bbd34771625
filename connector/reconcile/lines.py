"""Line matching on flat keys (REF*6R, else procedure, modifiers, date, charge) and line verdicts in cents.

Kept flat (tuples of str/int) so one million lines match in about a second with exact integer money.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from typing import Literal, NamedTuple

Verdict = Literal[
    "denied", "partially_paid", "underpaid", "overpaid", "patient_responsibility", "paid_as_expected"
]

BY_LINE_ID = 1
BY_PROCEDURE_DATE_CHARGE = 2
BY_PROCEDURE_DATE = 3
MATCH_KINDS = {
    0: "none",
    BY_LINE_ID: "line_control_number",
    BY_PROCEDURE_DATE_CHARGE: "procedure_date_charge",
    BY_PROCEDURE_DATE: "procedure_date",
}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of tuples are built (it would rescan them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LineKey(NamedTuple):
    """What a line is matched on: claim key, line id, procedure, modifiers, service day, charge (cents)."""

    claim: str
    line_id: str
    procedure: str
    modifiers: str
    day: int
    charge: int


def match_lines(era: Sequence[LineKey], pm: Sequence[LineKey]) -> tuple[list[int], bytearray]:
    """For every ERA line the index of its PM line (−1: none) and how it matched (see MATCH_KINDS).

    First REF*6R against the PM line id (within the same claim); the rest against the PM lines still free by
    claim + procedure + modifiers + date + charge, then without the charge (a charge mismatch).
    """
    found = [-1] * len(era)
    kinds = bytearray(len(era))
    used = bytearray(len(pm))
    by_id: dict[str, int] = {}
    for index, line in enumerate(pm):
        if line.line_id:
            by_id[line.line_id] = index
    rest: list[int] = []
    get = by_id.get
    for index, line in enumerate(era):
        hit = get(line.line_id, -1) if line.line_id else -1
        if hit >= 0 and not used[hit] and pm[hit].claim == line.claim:
            found[index] = hit
            kinds[index] = BY_LINE_ID
            used[hit] = 1
        else:
            rest.append(index)
    if rest:
        _match_by_content(era, pm, rest, found, kinds, used)
    return found, kinds


def _match_by_content(
    era: Sequence[LineKey],
    pm: Sequence[LineKey],
    rest: list[int],
    found: list[int],
    kinds: bytearray,
    used: bytearray,
) -> None:
    claims = {era[i].claim for i in rest}
    full: dict[tuple[str, str, str, int, int], list[int]] = {}
    loose: dict[tuple[str, str, str, int], list[int]] = {}
    for index, line in enumerate(pm):
        if used[index] or line.claim not in claims:
            continue
        full.setdefault((line.claim, line.procedure, line.modifiers, line.day, line.charge), []).append(index)
        loose.setdefault((line.claim, line.procedure, line.modifiers, line.day), []).append(index)
    second: list[int] = []
    for index in rest:
        line = era[index]
        hit = _take(full.get((line.claim, line.procedure, line.modifiers, line.day, line.charge)), used)
        if hit >= 0:
            found[index] = hit
            kinds[index] = BY_PROCEDURE_DATE_CHARGE
        else:
            second.append(index)
    for index in second:
        line = era[index]
        hit = _take(loose.get((line.claim, line.procedure, line.modifiers, line.day)), used)
        if hit >= 0:
            found[index] = hit
            kinds[index] = BY_PROCEDURE_DATE


def _take(candidates: list[int] | None, used: bytearray) -> int:
    if candidates:
        for position, index in enumerate(candidates):
            if not used[index]:
                used[index] = 1
                del candidates[: position + 1]
                return index
    return -1


def line_verdict(
    paid: int, allowed: int, expected: int | None, denied: int, patient: int, tolerance: int
) -> Verdict:
    """A line's category from cents: denied, partially paid, patient responsibility, under/over/as expected.

    ``denied`` is the amount adjusted away for a denial reason (not contractual, not the patient's share).
    """
    if paid == 0 and denied > 0:
        return "denied"
    if denied > 0:
        return "partially_paid"
    if expected is not None:
        if allowed < expected - tolerance:
            return "underpaid"
        if allowed > expected + tolerance:
            return "overpaid"
    if paid == 0 and patient > 0:
        return "patient_responsibility"
    return "paid_as_expected"
