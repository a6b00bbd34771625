"""Column types and enumerations shared by the storage models: UTC timestamps, exact money, states."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that only accepts timezone-aware values and always returns UTC-aware ones.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text, re-tagged as UTC when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to the store; pass a timezone-aware UTC datetime")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """``Numeric(precision, scale)`` that takes and returns ``Decimal`` only and never rounds silently.

    Floats are refused; a value with more decimals than ``scale`` is refused rather than rounded.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)
        self._limit = Decimal(10) ** (precision - scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"the store takes Decimal amounts, not {type(value).__name__}")
        amount = Decimal(value)
        exact = amount.quantize(self._quantum)
        if exact != amount:
            raise ValueError(f"amount has more than {self.scale} decimals; refusing to round it")
        if abs(exact) >= self._limit:
            raise ValueError(f"amount does not fit Numeric({self.precision},{self.scale})")
        if dialect.name == "sqlite":
            return str(exact)
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(self._quantum)


def money() -> ExactDecimal:
    """A money column type: Numeric(12,2) as Decimal."""
    return ExactDecimal(12, 2)


def quantity() -> ExactDecimal:
    """A units/quantity column type: Numeric(15,3) as Decimal."""
    return ExactDecimal(15, 3)


class RunOutcome(enum.StrEnum):
    """Outcome of one job run in the run ledger."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    INTERRUPTED = "INTERRUPTED"


class FileKind(enum.StrEnum):
    """What a downloaded file is."""

    ERA_835 = "835"
    PDF = "PDF"
    ACK_999 = "999"
    ACK_277CA = "277CA"
    STATUS_277 = "277"


class BatchState(enum.StrEnum):
    """Life of a claim batch upload (see repo_batches for the allowed transitions)."""

    PENDING = "PENDING"
    SUBMITTED = "SUBMITTED"
    UNKNOWN = "UNKNOWN"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    DUPLICATE = "DUPLICATE"


class AckKind(enum.StrEnum):
    """Which acknowledgement a claim batch received."""

    ACK_999 = "999"
    ACK_277CA = "277CA"


class AdjustmentLevel(enum.StrEnum):
    """Whether a CAS adjustment sits on the claim or on a service line."""

    CLAIM = "CLAIM"
    LINE = "LINE"
