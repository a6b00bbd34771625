"""Amount cells: equal texts share one Decimal, and sharing never changes a value (signs, blanks, errors)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connector.pm.values import SHARED_AMOUNTS, AmountParser


def test_equal_cells_share_one_decimal_and_every_spelling_keeps_its_value() -> None:
    parse = AmountParser(("$", ","))
    first, again = parse("$1,250.00"), parse("$1,250.00")
    assert first == Decimal("1250.00") and again is first
    assert str(parse("12.50")) == "12.50" and str(parse("12.5")) == "12.5"  # exponent kept as written
    assert parse("(12.50)") == parse("12.50-") == parse("-12.50") == Decimal("-12.50")
    assert parse("(12.50)") is parse("(12.50)")
    assert parse("   ") is None and parse("") is None and parse(None) is None
    assert parse(3) == Decimal(3) and parse(2.5) == Decimal("2.5")
    for _ in range(2):  # a bad cell raises every time (never remembered)
        with pytest.raises(ValueError, match="not an amount"):
            parse("12.5x")


def test_the_memory_is_bounded() -> None:
    parse = AmountParser(())
    for cents in range(SHARED_AMOUNTS + 10):
        assert parse(f"{cents / 100:.2f}") == Decimal(cents) / 100
    assert len(parse.seen) <= SHARED_AMOUNTS
