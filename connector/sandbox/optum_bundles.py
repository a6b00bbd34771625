"""The optum variant's Payment Data Files: 835/EPRA bundles (at most 30 days), built later, kept 7 days."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.downloads import attachment
from connector.sandbox.era import era_bytes
from connector.sandbox.optum_common import optum_file, optum_page, parse_us_date, premium, state_of
from connector.sandbox.remit_pdf import remit_pdf
from connector.sandbox.state import Bundle, SandboxState, Session
from connector.sandbox.ui import csrf_ok, render

FILE_TYPES = ("835s", "Payer PRAs", "EPRAs")
PAYERS = {"87726": "UnitedHealthcare", "VA0001": "Optum VA CCN"}
KEEP_DAYS = 7
MAX_DAYS = 30


def bundle_name(bundle: Bundle) -> str:
    """The zip's file name (our own; the real naming is unknown)."""
    return f"PDF_{bundle.tin}_{bundle.start:%Y%m%d}_{bundle.end:%Y%m%d}_{bundle.bundle_id}.zip"


def _built(bundle: Bundle) -> bool:
    return time.time() >= bundle.ready_at


def _problems(form_from: str, form_to: str, types: list[str], payers: list[str], today: dt.date) -> list[str]:
    start, end = parse_us_date(form_from), parse_us_date(form_to)
    problems = []
    if start is None or end is None:
        problems.append("Settlement Date Range: From and To Dates are required")
    elif start < end - dt.timedelta(days=MAX_DAYS):
        problems.append("Settlement Date Range : From Date must not be greater than 30 Days prior to To date")
    elif start > today or end > today or start > end:
        problems.append("Settlement Date Range : To and From Dates must be prior to or same as current date.")
    if not payers:
        problems.append("Payer Selection : Missing Data")
    if not types:
        problems.append("File Types : Missing Data")
    return problems


@optum_page
async def create(request: Request, session: Session) -> Response:
    """GET/POST /paymentDataFiles.do: Create Data Bundle (dates, types, payers); Standard sees an upsell."""
    state = state_of(request)
    org = state.data.practice.name.upper()
    if not premium(state):
        return render(request, "optum_datafiles.html", upsell=True, org=org)
    if request.method == "GET":
        return render(request, "optum_datafiles.html", payers=PAYERS, org=org)
    form = await request.form()
    if not await csrf_ok(request):
        return render(
            request, "optum_datafiles.html", 403, payers=PAYERS, org=org, errors=["Please try again."]
        )
    types = [t for t in form.getlist("fileTypes") if t in FILE_TYPES]
    payers = [str(p) for p in form.getlist("selectedPayerTinNbrs") if p in PAYERS]
    start_text, end_text = str(form.get("settlementDateFrom", "")), str(form.get("settlementDateTo", ""))
    today = max(state.data.as_of, dt.date.today())  # the data set's day, or the real one when later
    errors = _problems(start_text, end_text, [str(t) for t in types], payers, today)
    if errors:
        return render(request, "optum_datafiles.html", 400, payers=PAYERS, org=org, errors=errors)
    now = time.time()
    with state.lock:
        bundle = Bundle(
            len(state.optum.bundles) + 1, session.tin, parse_us_date(start_text), parse_us_date(end_text),
            tuple(str(t) for t in types), now, now + float(state.faults["bundle_delay"]),
        )  # fmt: skip
        state.optum.bundles.append(bundle)
    return render(request, "optum_datafiles.html", payers=PAYERS, org=org, submitted=True)


def _visible(state: SandboxState, session: Session) -> list[Bundle]:
    cutoff = time.time() - KEEP_DAYS * 86400
    return [b for b in state.optum.bundles if b.tin == session.tin and b.created >= cutoff]


@optum_page
async def bundles(request: Request, session: Session) -> Response:
    """GET /downloadDataBundle.do: the bundles of the chosen TIN, newest first."""
    state = state_of(request)
    if not premium(state):
        return render(request, "optum_datafiles.html", upsell=True, org=state.data.practice.name.upper())
    rows = [
        {"id": b.bundle_id, "tin": b.tin,
         "created": dt.datetime.fromtimestamp(b.created).strftime("%m/%d/%Y"),
         "range": f"{b.start:%m/%d/%Y} - {b.end:%m/%d/%Y}",
         "expires": dt.datetime.fromtimestamp(b.created + KEEP_DAYS * 86400).strftime("%m/%d/%Y"),
         "types": ", ".join(b.types)}
        for b in reversed(_visible(state, session))
    ]  # fmt: skip
    return render(request, "optum_bundles.html", rows=rows)


def _find(request: Request, session: Session) -> Bundle | None:
    wanted = request.query_params.get("bundleId", "")
    return next((b for b in _visible(state_of(request), session) if str(b.bundle_id) == wanted), None)


@optum_page
async def details(request: Request, session: Session) -> Response:
    """GET /bundleDetails.do?bundleId=N: "Bundle File Name: N/A" until built, then the zip's name and link."""
    bundle = _find(request, session)
    if bundle is None:
        return render(request, "message.html", 404, title="Not found", message="No such bundle.", testid="x")
    name = bundle_name(bundle) if _built(bundle) else ""
    return render(request, "optum_bundle.html", bundle=bundle, name=name, types=", ".join(bundle.types))


def bundle_zip(state: SandboxState, bundle: Bundle) -> bytes:
    """The zip: ``<payment>.835`` and ``<payment>_EPRA.pdf`` for each payment settled in the range."""
    data = state.data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for payment in data.payments:
            if bundle.tin != data.practice.tin or not bundle.start <= payment.date <= bundle.end:
                continue
            if "835s" in bundle.types:
                archive.writestr(f"{payment.payment_number}.835", era_bytes(data, payment))
            if "EPRAs" in bundle.types:
                archive.writestr(f"{payment.payment_number}_EPRA.pdf", remit_pdf(data, payment))
    return out.getvalue()


@optum_file
async def download(request: Request, session: Session) -> Response:
    """GET /bundleFile.do?bundleId=N: the built zip."""
    bundle = _find(request, session)
    if bundle is None or not _built(bundle):
        return render(request, "message.html", 404, title="Not found", message="No such file.", testid="x")
    return attachment(request, bundle_zip(state_of(request), bundle), bundle_name(bundle), "application/zip")


ROUTES = [
    Route("/paymentDataFiles.do", create, methods=["GET", "POST"]),
    Route("/downloadDataBundle.do", bundles),
    Route("/bundleDetails.do", details),
    Route("/bundleFile.do", download),
]
