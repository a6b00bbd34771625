"""Streaming: reading yields one transaction at a time and does not hold the whole file's objects."""

from __future__ import annotations

import dataclasses
import tracemalloc
from decimal import Decimal

from connector.x12 import ControlNumbers, read_835, write_835

from .test_balance import small_remittance


def _big_file(payments: int, claims_per_payment: int) -> bytes:
    base = small_remittance()
    claims = [
        dataclasses.replace(
            base.claims[i % 2], claim_id=f"C{i}", service_lines=list(base.claims[i % 2].service_lines)
        )
        for i in range(claims_per_payment)
    ]
    remits = [
        dataclasses.replace(base, trace_number=f"EFT{n}", claims=claims, payment_amount=Decimal(0))
        for n in range(payments)
    ]
    return write_835(remits, control=ControlNumbers(interchange=1, group=1))


def _peak(fn: object) -> int:
    tracemalloc.start()
    try:
        fn()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_streams_one_transaction_at_a_time() -> None:
    data = _big_file(payments=24, claims_per_payment=150)
    seen: list[tuple[str, int]] = []

    def stream() -> None:
        for remit in read_835(data):
            seen.append((remit.trace_number, remit.claim_count))

    def hold_all() -> None:
        kept = list(read_835(data))
        assert len(kept) == 24

    streaming, holding = _peak(stream), _peak(hold_all)
    assert seen == [(f"EFT{n}", 150) for n in range(24)]
    assert streaming * 5 < holding, (streaming, holding)


def test_one_big_transaction_releases_its_segments_and_models_as_it_is_read() -> None:
    """One ST..SE of 3,000 claims: read_835 drops each segment once parsed and the ERA reader each claim's
    model once compacted, so the peak is under that of holding the segments until the models are made, then
    the models until the rows are; the models and rows are the same as without releasing."""
    from connector.reconcile.rows import compact
    from connector.x12.read_835 import parse_835
    from connector.x12.tokenizer import iter_transactions

    data = _big_file(payments=1, claims_per_payment=3000)
    held = [parse_835(txn) for txn in iter_transactions(data)]  # segments kept by the transaction
    released = list(read_835(data))
    assert released == held and held[0].claim_count == 3000
    rows = [compact(r) for r in held]
    assert [compact(r, release=True) for r in read_835(data)] == rows

    def before() -> None:  # as read_835 read until now: the segments held until the models are made
        for txn in iter_transactions(data):
            model = parse_835(txn)
            del txn
            assert compact(model)

    def releasing() -> None:
        assert [compact(r, release=True) for r in read_835(data)]

    kept, streamed = _peak(before), _peak(releasing)
    assert streamed < 0.8 * kept, (streamed, kept)  # 0.72 here; 1.0 without releasing
