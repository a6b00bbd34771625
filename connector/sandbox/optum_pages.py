"""The optum variant's pages: Home, View Payments (periods, status filter, page blocks), EPRA queue."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.downloads import attachment
from connector.sandbox.era import era_bytes, era_filename
from connector.sandbox.model import Dataset, Payment
from connector.sandbox.optum_common import (
    PAYMENT_STATUSES,
    PERIODS,
    internal_id,
    optum_file,
    optum_page,
    payment_status,
    period_window,
    premium,
    state_of,
)
from connector.sandbox.remit_pdf import remit_filename, remit_pdf
from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import render

MARKET_TYPES = ("Show All", "Dental", "Medical", "Other", "Vision")
PAGE_BLOCK = 10
LARGE_PAYMENT_CLAIMS = 75
"""Payments with more claims than this wait longer for their EPRA (priority 2 in Optum's queue)."""


def epra_state(state: SandboxState, payment: Payment) -> str:
    """ "ready", "generating" or "none" (never requested); payments a person viewed were generated then."""
    if payment_status(state.data, payment) != "New":
        return "ready"
    ready_at = state.optum.epra_ready_at.get(payment.payment_number)
    if ready_at is None:
        return "none"
    return "ready" if time.time() >= ready_at else "generating"


def _org(state: SandboxState, session: Session) -> str:
    if session.tin == state.data.practice.tin:
        return state.data.practice.name.upper()
    return "PRAIRIE SISTER CLINIC LLC"


@optum_page
async def home(request: Request, session: Session) -> Response:
    """GET /viewwelcome.do: the Home tab."""
    return render(request, "optum_home.html", org=_org(state_of(request), session))


def _choice(value: str, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


@optum_page
async def view_payments(request: Request, session: Session) -> Response:
    """GET /viewPayments.do: Quick Search period, filters (status defaults to New), 30 rows a page."""
    state = state_of(request)
    data, q = state.data, request.query_params
    period = _choice(q.get("periodId", ""), PERIODS, PERIODS[0])
    status = _choice(q.get("archiveFilterType", ""), PAYMENT_STATUSES, "New")
    market = _choice(q.get("mktType", ""), MARKET_TYPES, "Show All")
    filter_ = q.get("filterPayments", "Show All")
    paid = premium(state)
    start, end = period_window(period, data.as_of)
    found = [
        p for p in data.payments
        if session.tin == data.practice.tin and start <= p.date <= end and market in ("Show All", "Medical")
        and (not paid or status == "Show All" or payment_status(data, p) == status)
    ]  # fmt: skip
    found.sort(key=lambda p: (p.date, p.payment_number), reverse=True)
    size = max(1, int(state.faults["rows_per_page"]))
    pages = max(1, -(-len(found) // size))
    try:
        page = min(max(1, int(q.get("page", "1"))), pages)
    except ValueError:
        page = 1
    shown = found[(page - 1) * size : page * size]
    first = (page - 1) // PAGE_BLOCK * PAGE_BLOCK + 1
    block = list(range(first, min(first + PAGE_BLOCK, pages + 1)))
    params = {"periodId": period, "filterPayments": filter_, "mktType": market, "archiveFilterType": status}

    def page_url(number: int) -> str:
        return "/viewPayments.do?" + urlencode({**params, "page": number})

    rows = [_row(state, data, p) for p in shown]
    return render(
        request, "optum_payments.html", rows=rows, total=len(found), page=page, pages=pages, block=block,
        next_block=first + PAGE_BLOCK if first + PAGE_BLOCK <= pages else 0, page_url=page_url,
        periods=PERIODS, period=period, statuses=PAYMENT_STATUSES, status=status, market_types=MARKET_TYPES,
        market=market, filter=filter_, premium=paid, org=_org(state, session),
    )  # fmt: skip


def _row(state: SandboxState, data: Dataset, p: Payment) -> dict[str, object]:
    return {
        "payer": data.payer.name.upper(), "date": p.date.strftime("%m/%d/%Y"), "npi": data.practice.npi,
        "number": p.payment_number, "internal": internal_id(data, p), "amount": f"${p.amount:,.2f}",
        "claims": len(p.claims), "trace": "N/A" if p.zero_pay else p.payment_number,
        "status": payment_status(data, p), "epra": epra_state(state, p),
    }  # fmt: skip


def _payment(request: Request, session: Session) -> Payment | None:
    state = state_of(request)
    payment = state.data.payment(request.query_params.get("paymentNbr", "").strip())
    return payment if payment is not None and session.tin == state.data.practice.tin else None


def _missing(request: Request, text: str = "No such payment.") -> Response:
    return render(request, "message.html", 404, title="Not found", message=text, testid="not-found")


@optum_file
async def download_era(request: Request, session: Session) -> Response:
    """GET /downloadEra.do?paymentNbr=N: the payment's 835 (the "835" link of the 835 / EPRA cell)."""
    payment = _payment(request, session)
    if payment is None:
        return _missing(request)
    cache: dict[tuple[str, str], tuple[bytes, str]] = request.app.state.file_cache
    key = ("835", payment.payment_number)
    if key not in cache:
        cache[key] = (era_bytes(state_of(request).data, payment), era_filename(payment))
    return attachment(request, *cache[key], "application/edi-x12")


@optum_page
async def request_epra(request: Request, session: Session) -> Response:
    """GET /epraRequest.do?paymentNbr=N: the EPRADisplayWindow pop-up; queues the PDF's generation."""
    state = state_of(request)
    payment = _payment(request, session)
    if payment is None:
        return _missing(request)
    number = payment.payment_number
    if not premium(state):
        refused = "PDF remittance documents are not available without activating Optum Pay."
        return render(request, "optum_epra.html", number=number, ready=False, refused=refused)
    current = epra_state(state, payment)
    if current == "none":
        delay = float(state.faults["epra_delay"]) * (3 if len(payment.claims) > LARGE_PAYMENT_CLAIMS else 1)
        with state.lock:
            state.optum.epra_ready_at[number] = time.time() + delay
    return render(request, "optum_epra.html", number=number, ready=current == "ready", refused="")


@optum_file
async def download_epra(request: Request, session: Session) -> Response:
    """GET /epraDownload.do?paymentNbr=N: the generated EPRA PDF (the PDF icon / Print Available)."""
    state = state_of(request)
    payment = _payment(request, session)
    if payment is None:
        return _missing(request)
    if not premium(state) or epra_state(state, payment) != "ready":
        return _missing(request, "The PDF document is not available.")
    with state.lock:
        state.optum.epra_downloads[payment.payment_number] = (
            state.optum.epra_downloads.get(payment.payment_number, 0) + 1
        )
    cache: dict[tuple[str, str], tuple[bytes, str]] = request.app.state.file_cache
    key = ("pdf", payment.payment_number)
    if key not in cache:
        cache[key] = (remit_pdf(state.data, payment), remit_filename(payment))
    return attachment(request, *cache[key], "application/pdf")


@optum_page
async def remittance_detail(request: Request, session: Session) -> Response:
    """GET /remittanceDetail.do: one payment, with Download 835 and Print Request / Print Available."""
    state = state_of(request)
    payment = _payment(request, session)
    if payment is None:
        return _missing(request)
    data = state.data
    claims = [
        {"account": c.claim_id, "payer_claim": c.payer_claim_number, "charge": f"${c.charge:,.2f}",
         "paid": f"${c.paid:,.2f}"}
        for c in payment.claims
    ]  # fmt: skip
    return render(
        request, "optum_remit.html", org=_org(state, session), date=payment.date.strftime("%m/%d/%Y"),
        ptype="Zero Dollar" if payment.zero_pay else "ACH", number=payment.payment_number,
        npi=data.practice.npi, claims=claims, amount=f"${payment.amount:,.2f}",
        epra=epra_state(state, payment), premium=premium(state),
    )  # fmt: skip


ROUTES = [
    Route("/viewwelcome.do", home),
    Route("/viewPayments.do", view_payments),
    Route("/downloadEra.do", download_era),
    Route("/epraRequest.do", request_epra),
    Route("/epraDownload.do", download_epra),
    Route("/remittanceDetail.do", remittance_detail),
]
