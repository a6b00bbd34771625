"""835 reader: one Remittance per ST..SE, 5010 (X221A1) and 4010 (X091A1), with balancing findings."""

from __future__ import annotations

from collections.abc import Iterator

from connector.x12.model_835 import Remittance
from connector.x12.tokenizer import X12Data


def read_835(data: X12Data, source: str | None = None) -> Iterator[Remittance]:
    """Yield one Remittance per 835 transaction set in ``data`` (other transaction types are skipped)."""
    raise NotImplementedError
