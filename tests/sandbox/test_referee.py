"""pyx12 (the independent referee) accepts the sandbox's 835s, 999s and 277CAs without an error."""

from __future__ import annotations

import datetime as dt

from connector.sandbox.batches import intake
from connector.sandbox.era import era_bytes
from connector.sandbox.generator import generate
from connector.x12 import read_277ca
from tests.sandbox.helpers import batch_837
from tests.x12.pyx12_check import pyx12_errors


def test_special_835s_pass_pyx12() -> None:
    data = generate()
    special = [
        p for p in data.payments
        if p.adjustments or p.zero_pay or any(c.status_code in ("2", "19", "22") for c in p.claims)
    ]  # fmt: skip
    assert len(special) >= 8
    for payment in [*special, data.payments[0]]:
        assert pyx12_errors(era_bytes(data, payment)) == [], payment.payment_number


def test_acknowledgements_pass_pyx12() -> None:
    data = generate()
    good, bad = data.claims[0], data.claims[1]
    saved, bad.lines[0].procedure = bad.lines[0].procedure, "ABC"
    try:
        content = batch_837(data, [good, bad])
    finally:
        bad.lines[0].procedure = saved
    result = intake(content, 3, dt.datetime(2026, 11, 28, 10, 0))
    assert (result.accepted, result.rejected) == (1, 1)
    assert pyx12_errors(result.ack_999) == []
    assert pyx12_errors(result.ack_277ca) == []
    (ack,) = list(read_277ca(result.ack_277ca))
    assert ack.accepted_claims[0].payer_claim_number == "900003000001"
