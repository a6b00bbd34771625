"""Text from hostile input, made safe to show: control characters escaped, found and named.

A claim id, a cell or a file may carry ESC sequences, CR/LF, NUL or the right-to-left override (U+202E).
Printed as they are they rewrite the terminal, split a log line or reverse the text a person reads.
"""

from __future__ import annotations

import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
"""Control, format (bidi overrides, zero-width), line/paragraph separators, surrogate, private, unassigned."""

_NAMES = {0: "NUL", 8: "BS", 9: "TAB", 10: "LF", 13: "CR", 27: "ESC", 127: "DEL"}


def is_unsafe(ch: str) -> bool:
    """True for a character that must never be shown raw or written into an X12 element."""
    return unicodedata.category(ch) in UNSAFE_CATEGORIES


def first_unsafe(text: str) -> tuple[int, str] | None:
    """Position (0-based) and character of the first unsafe character in ``text``, or None."""
    for position, ch in enumerate(text):
        if is_unsafe(ch):
            return position, ch
    return None


def describe(ch: str) -> str:
    """A character by name and code point, e.g. ``ESC (U+001B)`` or ``RIGHT-TO-LEFT OVERRIDE (U+202E)``."""
    code = ord(ch)
    name = _NAMES.get(code) or unicodedata.name(ch, "")
    return f"{name} (U+{code:04X})" if name else f"U+{code:04X}"


def printable(text: str, keep: str = "") -> str:
    """``text`` with every unsafe character (and every one not printable) escaped the way repr() does."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch in keep or (ch.isprintable() and not is_unsafe(ch)):
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1] if ch not in "'\"" else ch)
    return "".join(out)
