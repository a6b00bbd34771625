"""Rows pickled as their class and field values in order: the compact ERA rows and the report's rows cross
from one process to another, and a slotted dataclass's default state (a dict per object) costs more."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

_Row = TypeVar("_Row")


def pickled_by_position(cls: type[_Row]) -> type[_Row]:
    """Pickle a dataclass as its class and its field values in order: a third less time than a slotted
    dataclass's default state dict, and a smaller pickle (every field must be an ``__init__`` argument)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    getter = operator.attrgetter(*names)
    values: Callable[[Any], tuple[Any, ...]] = (lambda row: (getter(row),)) if len(names) == 1 else getter

    def reduce(self: _Row) -> tuple[type[_Row], tuple[Any, ...]]:
        return cls, values(self)

    setattr(cls, "__reduce__", reduce)  # noqa: B010  (assigned after the dataclass is made)
    return cls
