"""What the optum variant's pages share: variant guard, technical-difficulties page, periods, statuses."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from connector import periods
from connector.sandbox.auth import portal_page
from connector.sandbox.model import Dataset, Payment
from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import render

PERIODS = (
    "Last 30 days",
    "Last 60 days",
    "Last 90 days",
    "Last 4-6 months",
    "Last 6-9 months",
    "Last 9-13 months",
)
"""The Quick Search choices of View Payments (there are no free date fields)."""
PAYMENT_STATUSES = ("New", "Pending", "Closed", "Show All")
VIEWED_AFTER_DAYS = 21
"""Payments older than this were partly "viewed" (Pending/Closed) by a person before the connector came."""
_RNG = random.Random(7)

OptumPage = Callable[[Request, Session], Awaitable[Response]]


def state_of(request: Request) -> SandboxState:
    """The sandbox state behind a request."""
    state: SandboxState = request.app.state.sandbox
    return state


def period_window(label: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a Quick Search choice covers (see connector.periods); ValueError for an unknown one."""
    window = periods.period_window(label, today)
    if window is None:
        raise ValueError(f"unknown period {label!r}")
    return window


def payment_status(data: Dataset, payment: Payment) -> str:
    """New, or Pending/Closed for two in three payments a person already looked at (older ones)."""
    if (data.as_of - payment.date).days <= VIEWED_AFTER_DAYS:
        return "New"
    index = data.payments.index(payment)
    return ("Closed", "Pending", "New")[index % 3]


def internal_id(data: Dataset, payment: Payment) -> str:
    """The portal's 10-digit internal payment id (Remittance Detail's ViewPaymentsPaymentNumber)."""
    return f"{4000000000 + data.payments.index(payment):010d}"


def premium(state: SandboxState) -> bool:
    """True when the TIN has Premium access (the ``access`` knob)."""
    return str(state.faults["access"]) == "premium"


def _trouble(state: SandboxState) -> bool:
    rule = str(state.faults["technical_difficulties"])
    if not rule:
        return False
    with state.lock:
        optum = state.optum
        optum.trouble_requests += 1
        if rule.startswith("next:"):
            hit = optum.trouble_pages < int(rule.split(":", 1)[1])
        elif rule.startswith("every:"):
            hit = optum.trouble_requests % max(1, int(rule.split(":", 1)[1])) == 0
        else:
            hit = _RNG.random() < float(rule)
        if hit:
            optum.trouble_pages += 1
        return hit


def _guarded(handler: OptumPage, *, trouble: bool) -> Callable[[Request], Awaitable[Response]]:
    @wraps(handler)
    async def guarded(request: Request, session: Session) -> Response:
        state = state_of(request)
        if state.variant != "optum":
            return render(request, "message.html", 404, title="Not found", message="No such page.",
                          testid="not-found")  # fmt: skip
        if trouble and request.method == "GET" and _trouble(state):
            return render(request, "optum_trouble.html")
        return await handler(request, session)

    return portal_page(guarded)


def optum_page(handler: OptumPage) -> Callable[[Request], Awaitable[Response]]:
    """Route decorator: optum variant only (else 404), signed in, maybe the technical-difficulties page."""
    return _guarded(handler, trouble=True)


def optum_file(handler: OptumPage) -> Callable[[Request], Awaitable[Response]]:
    """Route decorator for downloads: optum variant only, signed in (never technical difficulties)."""
    return _guarded(handler, trouble=False)


def parse_us_date(text: str) -> dt.date | None:
    """An mm/dd/yyyy date, or None."""
    try:
        return dt.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None
