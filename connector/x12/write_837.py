"""837P (005010X222A1) and 837I (005010X223A2) writer; always sends REF*6R line control numbers."""

from __future__ import annotations

from connector.x12.model_837 import ClaimBatch837
from connector.x12.model_common import ControlNumbers


def write_837(batch: ClaimBatch837, *, control: ControlNumbers) -> bytes:
    """One interchange with one 837 transaction set holding every claim of ``batch``."""
    raise NotImplementedError
