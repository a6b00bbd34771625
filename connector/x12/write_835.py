"""835 writer (005010X221A1): Remittance models to bytes the 835 reader reads back to equal models."""

from __future__ import annotations

from collections.abc import Sequence

from connector.x12.model_835 import Remittance
from connector.x12.model_common import ControlNumbers


def write_835(remittances: Remittance | Sequence[Remittance], *, control: ControlNumbers) -> bytes:
    """One ISA/GS with one ST..SE per remittance (ST02 counts up from control.transaction)."""
    raise NotImplementedError
