"""Readers of acknowledgements and statuses: 999, 277CA (005010X214) and 277 (005010X212)."""

from __future__ import annotations

from collections.abc import Iterator

from connector.x12.model_ack import Acknowledgement999, ClaimAcknowledgement277CA, ClaimStatusResponse277
from connector.x12.tokenizer import X12Data


def read_999(data: X12Data, source: str | None = None) -> Iterator[Acknowledgement999]:
    """Yield one Acknowledgement999 per 999 transaction set."""
    raise NotImplementedError


def read_277ca(data: X12Data, source: str | None = None) -> Iterator[ClaimAcknowledgement277CA]:
    """Yield one ClaimAcknowledgement277CA per 277CA (X214) transaction set."""
    raise NotImplementedError


def read_277(data: X12Data, source: str | None = None) -> Iterator[ClaimStatusResponse277]:
    """Yield one ClaimStatusResponse277 per 277 (X212) transaction set."""
    raise NotImplementedError
