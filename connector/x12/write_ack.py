"""999 and 277CA writers (the sandbox portal serves them; the readers read them back)."""

from __future__ import annotations

from collections.abc import Sequence

from connector.x12.model_ack import Acknowledgement999, ClaimAcknowledgement277CA
from connector.x12.model_common import ControlNumbers


def write_999(acks: Acknowledgement999 | Sequence[Acknowledgement999], *, control: ControlNumbers) -> bytes:
    """One ISA/GS(FA) with one 999 ST..SE per acknowledgement."""
    raise NotImplementedError


def write_277ca(
    acks: ClaimAcknowledgement277CA | Sequence[ClaimAcknowledgement277CA], *, control: ControlNumbers
) -> bytes:
    """One ISA/GS(HN) with one 277CA (005010X214) ST..SE per acknowledgement."""
    raise NotImplementedError
