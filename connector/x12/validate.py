"""Structural validation of 837 claim batches (envelope, HL tree, required segments, totals)."""

from __future__ import annotations

from connector.x12.tokenizer import X12Data


def validate_837(data: X12Data, source: str | None = None) -> list[str]:
    """Check an 837 file; return findings (empty = valid). Malformed envelopes raise X12ParseError."""
    raise NotImplementedError
