"""Split one transaction's text into segments and elements, tolerant of line breaks and blank lines."""

from __future__ import annotations

import gc
import re
import sys

ENVELOPE_IDS = frozenset({"ST", "SE", "GE", "GS", "IEA", "ISA"})
_SCANS: dict[tuple[str, str, str], re.Pattern[str]] = {}


def _scan(term: str, gap: str, elem: str) -> re.Pattern[str]:
    """One pass over the text: an envelope segment inside (group ``env``) or a terminator that is not
    followed by exactly ``gap`` and a segment id (an irregular layout that needs the tolerant split)."""
    key = (term, gap, elem)
    pattern = _SCANS.get(key)
    if pattern is None:
        t, g, e = re.escape(term), re.escape(gap), re.escape(elem)
        pattern = _SCANS[key] = re.compile(f"{t}(?:{g}(?P<env>ST|SE|GE|GS|IEA|ISA){e}|(?!{g}[A-Za-z0-9]))")
    return pattern


def _needs_strip(text: str, term: str) -> bool:
    return "\n" in text or "\r" in text or "\t" in text or (term + " ") in text or (" " + term) in text


def _tolerant_split(text: str, term: str) -> list[str]:
    """Split on the terminator, dropping CR/LF after terminators, blank lines and surrounding whitespace."""
    if not _needs_strip(text, term):
        return text.split(term)
    if term not in "\r\n":
        compact = text.replace(term + "\r\n", term).replace(term + "\n", term)
        if not _needs_strip(compact, term):
            return compact.split(term)
    pieces = [p.strip() for p in text.split(term)]
    return [p for p in pieces if p]


_shared = sys.intern
"""Equal elements (codes, qualifiers, names, dates) share one string: models of 100,000 claims hold each
distinct text once."""


def split_transaction(
    text: str, term: str, gap: str, elem: str, regular_end: bool
) -> tuple[list[list[str]], str | None]:
    """Segments (lists of elements) of one ST..SE text (without the SE terminator), and the id of an
    envelope segment found between ST and SE (a missing SE), if any.

    ``gap`` is what follows terminators in this file ("", "\\n" or "\\r\\n"); ``regular_end`` says the
    closing SE was found right after terminator + gap. When one regex pass confirms that every terminator
    is followed by exactly the gap and a segment id, a single split does it.
    """
    enabled = gc.isenabled()
    gc.disable()  # many small lists and no cycles: a collection mid-split only costs time
    try:
        if regular_end and gap in ("", "\n", "\r\n") and term not in "\r\n":
            last = text.rfind(term + gap)
            match = _scan(term, gap, elem).search(text, 0, max(last, 0))
            if match is None:
                return [list(map(_shared, p.split(elem))) for p in text.split(term + gap)], None
            if match.group("env"):
                return [], match.group("env")
        segments = [list(map(_shared, p.split(elem))) for p in _tolerant_split(text, term)]
    finally:
        if enabled:
            gc.enable()
    inside = next((s[0] for s in segments[1:-1] if s[0] in ENVELOPE_IDS), None)
    return segments, inside
