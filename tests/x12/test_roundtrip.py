"""The 835, 999 and 277CA writers' output reads back to equal models (with unusual delimiters too)."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.x12 import (
    Acknowledgement999,
    ClaimAcknowledgement277CA,
    ControlNumbers,
    Delimiters,
    Remittance,
    read_277ca,
    read_835,
    read_999,
    write_277ca,
    write_835,
    write_999,
)
from connector.x12.balance import balance_findings

from .strategies import DELIMITER_SETS, acknowledgements_277ca, acknowledgements_999, remittances

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
delimiters = st.sampled_from(DELIMITER_SETS)


def _control(d: Delimiters) -> ControlNumbers:
    return ControlNumbers(interchange=31, group=9, transaction="0001", delimiters=d)


@SETTINGS
@given(st.lists(remittances(), min_size=1, max_size=3), delimiters)
def test_835_round_trip(models: list[Remittance], d: Delimiters) -> None:
    data = write_835(models, control=_control(d))
    back = list(read_835(data))
    assert len(back) == len(models)
    for i, (model, read) in enumerate(zip(models, back, strict=True)):
        assert read.envelope.delimiters.element == d.element
        assert read.envelope.transaction_control_number == f"{i + 1:04d}"
        expected = dataclasses.replace(model, envelope=read.envelope, findings=balance_findings(model))
        assert read == expected


@SETTINGS
@given(st.lists(acknowledgements_999, min_size=1, max_size=2), delimiters)
def test_999_round_trip(models: list[Acknowledgement999], d: Delimiters) -> None:
    back = list(read_999(write_999(models, control=_control(d))))
    assert [dataclasses.replace(m, envelope=r.envelope) for m, r in zip(models, back, strict=True)] == back


@SETTINGS
@given(st.lists(acknowledgements_277ca(), min_size=1, max_size=2), delimiters)
def test_277ca_round_trip(models: list[ClaimAcknowledgement277CA], d: Delimiters) -> None:
    back = list(read_277ca(write_277ca(models, control=_control(d))))
    assert [dataclasses.replace(m, envelope=r.envelope) for m, r in zip(models, back, strict=True)] == back
