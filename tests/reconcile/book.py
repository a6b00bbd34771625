"""The reason book the tests reconcile with (loaded once), and ``reconcile`` with it passed in."""

from __future__ import annotations

from typing import Any

from connector.codetables import load_reason_book
from connector.reconcile import ReconciliationResult
from connector.reconcile import reconcile as _reconcile

BOOK = load_reason_book()


def reconcile(*args: Any, **kwargs: Any) -> ReconciliationResult:
    """``connector.reconcile.reconcile`` with the shipped reason book unless a test passes its own."""
    kwargs.setdefault("book", BOOK)
    return _reconcile(*args, **kwargs)
