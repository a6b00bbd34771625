"""Find the header row among an export's first rows (report titles above it), and spot totals rows."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from connector.pm.columns import header_key
from connector.pm.table import Cell, RawTable, move_header
from connector.pm.values import as_text

HEADER_SEARCH_ROWS = 20
"""How many rows from the top may hold the header when the profile does not say (``header_row``)."""


def locate_header(table: RawTable, names: Collection[str], header_row: int | None = None) -> RawTable:
    """The table re-headed at ``header_row`` (1-based), or at whichever of the first rows names the most of
    ``names`` (the first row when none names more)."""
    if header_row is not None:
        return move_header(table, header_row - 2) if header_row > 1 else table
    wanted = {header_key(n) for n in names}
    best, best_score = -1, _score(table.header, wanted)
    for i, row in enumerate(table.rows[: HEADER_SEARCH_ROWS - 1]):
        score = _score([as_text(c) for c in row], wanted)
        if score > best_score:
            best, best_score = i, score
    return move_header(table, best) if best >= 0 else table


def _score(row: Sequence[str], wanted: set[str]) -> int:
    return len({header_key(c) for c in row if c} & wanted)


def is_blank(row: Sequence[Cell]) -> bool:
    """True for a row with no value in any cell."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def is_totals(row: Sequence[Cell], claim_index: int | None, pattern: re.Pattern[str] | None) -> bool:
    """A totals row: its claim id cell is empty or says "Total", and some cell starts with "Total"."""
    if pattern is None:
        return False
    if claim_index is not None and claim_index < len(row):
        claim = as_text(row[claim_index])
        if claim and not pattern.search(claim):
            return False
    return any(isinstance(c, str) and pattern.search(c) for c in row)
