"""Line matching on flat keys (REF*6R, else procedure, modifiers, date, charge) and line verdicts in cents.

Kept flat (tuples of str/int) with exact integer money; one claim's lines at a time (``match_claim``), so the
reconciliation streams claim by claim.
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


ClaimLineKey = tuple[str, str, str, int, int]
"""A line of one claim as matched: line id ('' when none or not usable), procedure, modifiers, day, cents."""


def match_lines(era: Sequence[LineKey], pm: Sequence[LineKey]) -> tuple[list[int], bytearray]:
    """For every ERA line the index of its PM line (−1: none) and how it matched (see MATCH_KINDS).

    First REF*6R against the PM line id (within the same claim; an id names the last PM line carrying it);
    the rest against the PM lines still free by claim + procedure + modifiers + date + charge, then without
    the charge (a charge mismatch). Claim by claim with :func:`match_claim`.
    """
    found = [-1] * len(era)
    kinds = bytearray(len(era))
    last_of_id: dict[str, int] = {}
    for index, line in enumerate(pm):
        if line.line_id:
            last_of_id[line.line_id] = index
    pm_of: dict[str, list[int]] = {}
    for index, line in enumerate(pm):
        pm_of.setdefault(line.claim, []).append(index)
    era_of: dict[str, list[int]] = {}
    for index, line in enumerate(era):
        era_of.setdefault(line.claim, []).append(index)
    for claim, era_indexes in era_of.items():
        pm_indexes = pm_of.get(claim, [])
        pm_keys = [_claim_key(pm[j], pm[last_of_id[pm[j].line_id]].claim == claim if pm[j].line_id else False)
                   for j in pm_indexes]  # fmt: skip
        hits, how = match_claim([_claim_key(era[i], True) for i in era_indexes], pm_keys)
        for position, i in enumerate(era_indexes):
            if hits[position] >= 0:
                found[i] = pm_indexes[hits[position]]
                kinds[i] = how[position]
    return found, kinds


def _claim_key(line: LineKey, usable_id: bool) -> ClaimLineKey:
    return (line.line_id if usable_id else "", line.procedure, line.modifiers, line.day, line.charge)


def match_claim(era: Sequence[ClaimLineKey], pm: Sequence[ClaimLineKey]) -> tuple[list[int], list[int]]:
    """:func:`match_lines` for the lines of one claim: for every ERA line the index of its PM line (−1: none)
    and how it matched. A PM line id names the last PM line carrying it; the rest match the first PM line
    still free by procedure + modifiers + date + charge, then without the charge."""
    found = [-1] * len(era)
    kinds = [0] * len(era)
    if not pm:
        return found, kinds
    used = [False] * len(pm)
    by_id: dict[str, int] = {}
    for index, line in enumerate(pm):
        if line[0]:
            by_id[line[0]] = index
    rest: list[int] = []
    for index, line in enumerate(era):
        hit = by_id.get(line[0], -1) if line[0] and by_id else -1
        if hit >= 0 and not used[hit]:
            found[index] = hit
            kinds[index] = BY_LINE_ID
            used[hit] = True
        else:
            rest.append(index)
    if len(rest) * len(pm) > SCAN_LIMIT:
        _match_indexed(era, pm, rest, found, kinds, used)
        return found, kinds
    second: list[int] = []
    for index in rest:
        _, procedure, modifiers, day, charge = era[index]
        for candidate, line in enumerate(pm):
            if (not used[candidate] and line[3] == day and line[4] == charge and line[1] == procedure
                    and line[2] == modifiers):  # fmt: skip
                found[index] = candidate
                kinds[index] = BY_PROCEDURE_DATE_CHARGE
                used[candidate] = True
                break
        else:
            second.append(index)
    for index in second:
        _, procedure, modifiers, day, _charge = era[index]
        for candidate, line in enumerate(pm):
            if not used[candidate] and line[3] == day and line[1] == procedure and line[2] == modifiers:
                found[index] = candidate
                kinds[index] = BY_PROCEDURE_DATE
                used[candidate] = True
                break
    return found, kinds


SCAN_LIMIT = 256
"""Above this many ERA × PM line pairs left after the line ids, a claim's lines are matched through an index
(same result as the scan: the first free PM line in file order)."""


def _match_indexed(
    era: Sequence[ClaimLineKey],
    pm: Sequence[ClaimLineKey],
    rest: list[int],
    found: list[int],
    kinds: list[int],
    used: list[bool],
) -> None:
    full: dict[tuple[str, str, int, int], list[int]] = {}
    loose: dict[tuple[str, str, int], list[int]] = {}
    for index, line in enumerate(pm):
        if not used[index]:
            full.setdefault((line[1], line[2], line[3], line[4]), []).append(index)
            loose.setdefault((line[1], line[2], line[3]), []).append(index)
    second: list[int] = []
    for index in rest:
        line = era[index]
        hit = _take(full.get((line[1], line[2], line[3], line[4])), used)
        if hit >= 0:
            found[index] = hit
            kinds[index] = BY_PROCEDURE_DATE_CHARGE
        else:
            second.append(index)
    for index in second:
        line = era[index]
        hit = _take(loose.get((line[1], line[2], line[3])), used)
        if hit >= 0:
            found[index] = hit
            kinds[index] = BY_PROCEDURE_DATE


def _take(candidates: list[int] | None, used: list[bool]) -> int:
    if candidates:
        for position, index in enumerate(candidates):
            if not used[index]:
                used[index] = True
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
