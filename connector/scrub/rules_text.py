"""Scrub rules on the characters that go into the 837: X12 character sets for ids, no control characters.

A claim id with ESC, CR/LF, NUL or U+202E would be written into CLM01 as it is, and the payer echoes the id
back in the ERA (CLP01), so it cannot be cleaned silently: these rules hold the claim with a reason a biller
can act on (fix the id in the PM system). Free text (names, addresses) is cleaned by ``pm.to_837.x12_text``;
the X12 writers refuse any control character that still reaches an element.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from connector.pm.models import Claim
from connector.safetext import describe, first_unsafe
from connector.scrub.registry import Hit, ScrubContext, rule

X12_BASIC = string.ascii_uppercase + string.digits + " !\"&'()*+,-./:;?="
X12_EXTENDED = string.ascii_lowercase + "%@[]_{}\\|<>~#$"
X12_CHARACTERS = frozenset(X12_BASIC + X12_EXTENDED)
"""The X12 basic and extended character sets (ASC X12.6): what an identifier may hold."""
SEPARATORS = frozenset("*:^~")
"""The separators the connector writes 837s with (element, component, repetition, segment)."""


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an X12 identifier (a control character, a character outside the X12 sets, a
    separator), naming the character and its position; None when it can."""
    found = first_unsafe(value)
    if found is not None:
        return f"control character {describe(found[1])} at position {found[0] + 1}"
    for position, ch in enumerate(value, start=1):
        if ch in SEPARATORS:
            return f"{ch!r} at position {position} is an X12 separator"
        if ch not in X12_CHARACTERS:
            shown = repr(ch) if ch.isprintable() else describe(ch)
            return f"{shown} at position {position} is not in the X12 character sets"
    return None


@rule("CLAIM-ID-CHARACTERS", "error", "claim_id", "Claim id has a character an 837 cannot carry")
def claim_id_characters(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    problem = id_problem(claim.claim_id)
    if problem:
        yield None, problem


@rule("LINE-ID-CHARACTERS", "error", "line_id", "Line id has a character an 837 cannot carry")
def line_id_characters(claim: Claim, ctx: ScrubContext) -> Iterator[Hit]:
    for line in claim.lines:
        problem = id_problem(line.line_id)
        if problem:
            yield line.line_id, problem
