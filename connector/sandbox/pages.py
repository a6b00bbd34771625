"""Portal pages after sign-in: dashboard, payments search with 835/PDF downloads, claim status search."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from connector.sandbox.auth import home_url, portal_page
from connector.sandbox.downloads import attachment
from connector.sandbox.era import era_bytes, era_filename
from connector.sandbox.model import Dataset
from connector.sandbox.remit_pdf import remit_filename, remit_pdf
from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import render

PAGE_SIZE = 15
PAYMENT_COLUMNS = {
    "v1": (("payment_number", "Payment number"), ("date", "Payment date"), ("payer", "Payer"), ("tin", "TIN"),
           ("method", "Method"), ("claims", "Claims"), ("amount", "Amount"), ("downloads", "Downloads")),
    "v2": (("date", "Payment date"), ("amount", "Amount"), ("payment_number", "Payment number"),
           ("method", "Method"), ("claims", "Claims"), ("tin", "TIN"), ("payer", "Payer"),
           ("downloads", "Downloads")),
}  # fmt: skip
CLAIM_COLUMNS = {
    "v1": (("claim_id", "Claim number"), ("payer_claim_number", "Payer claim number"),
           ("service_date", "Date of service"), ("status", "Status"), ("category", "Status category code"),
           ("charge", "Billed amount"), ("paid", "Paid amount"), ("payment_number", "Payment number"),
           ("status_date", "Status date")),
    "v2": (("claim_id", "Claim number"), ("status", "Status"), ("category", "Status category code"),
           ("paid", "Paid amount"), ("payment_number", "Payment number"), ("service_date", "Date of service"),
           ("charge", "Billed amount"), ("payer_claim_number", "Payer claim number"),
           ("status_date", "Status date")),
}  # fmt: skip


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


async def home(request: Request) -> Response:
    """GET /: to the variant's home page (which sends strangers to sign-in)."""
    return RedirectResponse(home_url(_state(request)), status_code=303)


def dashboard_figures(data: Dataset) -> dict[str, Any]:
    """Payments this month (as of the data set's date), denial rate of finalized claims, pending claims."""
    month = [
        p
        for p in data.payments
        if not p.zero_pay and (p.date.year, p.date.month) == (data.as_of.year, data.as_of.month)
    ]
    finalized = [s for s in data.statuses if s.category.startswith("F")]
    denied = [s for s in finalized if s.category == "F2"]
    rate = Decimal(len(denied) * 100) / Decimal(len(finalized)) if finalized else Decimal(0)
    return {
        "payments_month": f"${sum((p.amount for p in month), Decimal(0)):,.2f}",
        "payments_month_count": len(month),
        "denial_rate": f"{rate:.1f}%",
        "pending": len([s for s in data.statuses if s.category in ("A1", "A2", "P1")]),
        "as_of": data.as_of.isoformat(),
    }


@portal_page
async def dashboard(request: Request, session: Session) -> Response:
    """GET /dashboard (the optum variant's home is /viewwelcome.do)."""
    if _state(request).variant == "optum":
        return RedirectResponse(home_url(_state(request)), status_code=303)
    return render(request, "dashboard.html", **dashboard_figures(_state(request).data))


def _page(request: Request, total: int) -> tuple[int, int, int]:
    try:
        size = max(1, min(100, int(request.query_params.get("per_page", PAGE_SIZE))))
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        size, page = PAGE_SIZE, 1
    pages = max(1, -(-total // size))
    return min(page, pages), pages, size


@portal_page
async def payments(request: Request, session: Session) -> Response:
    """GET /payments: search by date range, payment number, TIN; newest first; paginated."""
    state = _state(request)
    data = state.data
    q = request.query_params
    start, end = _date(q.get("from", "")), _date(q.get("to", ""))
    number, tin = q.get("payment_number", "").strip(), q.get("tin", "").strip().replace("-", "")
    message = ""
    if (q.get("from") and start is None) or (q.get("to") and end is None):
        message = "Enter dates as YYYY-MM-DD."
    found = [
        p for p in data.payments
        if (start is None or p.date >= start) and (end is None or p.date <= end)
        and (not number or p.payment_number == number) and (not tin or tin == data.practice.tin)
    ]  # fmt: skip
    found.sort(key=lambda p: (p.date, p.payment_number), reverse=True)
    page, pages, size = _page(request, len(found))
    shown = found[(page - 1) * size : page * size]
    rows = [
        {"payment_number": p.payment_number, "date": p.date.isoformat(), "payer": data.payer.name,
         "tin": data.practice.tin, "method": p.method, "claims": len(p.claims), "amount": f"${p.amount:,.2f}"}
        for p in shown
    ]  # fmt: skip
    params = {k: v for k, v in q.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return "/payments?" + urlencode({**params, "page": number})

    query = {
        "from_": q.get("from", ""),
        "to": q.get("to", ""),
        "payment_number": number,
        "tin": q.get("tin", ""),
    }
    return render(
        request, "payments.html", rows=rows, q=query, message=message,
        columns=PAYMENT_COLUMNS.get(state.variant, PAYMENT_COLUMNS["v1"]),
        page=page, pages=pages, total=len(found), first=(page - 1) * size + 1 if found else 0,
        last=(page - 1) * size + len(shown), page_url=page_url,
    )  # fmt: skip


def _cached(request: Request, kind: str, number: str) -> tuple[bytes, str] | None:
    state = _state(request)
    payment = state.data.payment(number)
    if payment is None:
        return None
    cache: dict[tuple[str, str], tuple[bytes, str]] = request.app.state.file_cache
    key = (kind, number)
    if key not in cache:
        if kind == "835":
            cache[key] = (era_bytes(state.data, payment), era_filename(payment))
        else:
            cache[key] = (remit_pdf(state.data, payment), remit_filename(payment))
    return cache[key]


@portal_page
async def download_835(request: Request, session: Session) -> Response:
    """GET /payments/{number}/835."""
    found = _cached(request, "835", request.path_params["number"])
    if found is None:
        return render(
            request, "message.html", 404, title="Not found", message="No such payment.", testid="not-found"
        )
    return attachment(request, found[0], found[1], "application/edi-x12")


@portal_page
async def download_pdf(request: Request, session: Session) -> Response:
    """GET /payments/{number}/remit.pdf."""
    found = _cached(request, "pdf", request.path_params["number"])
    if found is None:
        return render(
            request, "message.html", 404, title="Not found", message="No such payment.", testid="not-found"
        )
    return attachment(request, found[0], found[1], "application/pdf")


@portal_page
async def claim_status(request: Request, session: Session) -> Response:
    """GET /claims/status: by claim number (ours or the payer's), or member id + birth date + service date."""
    state = _state(request)
    q = request.query_params
    number = q.get("claim_number", "").strip()
    member, dob, service = (
        q.get("member_id", "").strip(),
        _date(q.get("dob", "")),
        _date(q.get("service_date", "")),
    )
    searched = any(q.get(k) for k in ("claim_number", "member_id", "dob", "service_date"))
    message = ""
    records = list(state.data.statuses) + [
        r for b in list(state.batches.values()) if b.ready for r in b.records
    ]
    if not searched:
        found = []
    elif number:
        found = [r for r in records if number in (r.claim_id, r.payer_claim_number)]
    elif member and dob and service:
        found = [r for r in records if (r.member_id, r.dob, r.service_date) == (member, dob, service)]
    else:
        found, message = [], "Enter a claim number, or a member ID with date of birth and date of service."
    rows = [
        {"claim_id": r.claim_id, "payer_claim_number": r.payer_claim_number,
         "service_date": r.service_date.isoformat(),
         "status": r.status, "category": r.category, "charge": f"${r.charge:,.2f}", "paid": f"${r.paid:,.2f}",
         "payment_number": r.payment_number, "status_date": r.status_date.isoformat()}
        for r in found
    ]  # fmt: skip
    query = {
        "claim_number": number,
        "member_id": member,
        "dob": q.get("dob", ""),
        "service_date": q.get("service_date", ""),
    }
    return render(
        request, "claims.html", rows=rows, q=query, message=message,
        columns=CLAIM_COLUMNS.get(state.variant, CLAIM_COLUMNS["v1"]),
        searched=searched and not message,
    )  # fmt: skip


ROUTES = [
    Route("/", home),
    Route("/dashboard", dashboard),
    Route("/payments", payments),
    Route("/payments/{number}/835", download_835),
    Route("/payments/{number}/remit.pdf", download_pdf),
    Route("/claims/status", claim_status),
]
