"""The portal's Eligibility & Benefits pages: search form, result (or not found / several matches), 271."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.eligibility.model import Accumulator, Coverage, EligibilityResult, Inquiry
from connector.sandbox.auth import portal_page
from connector.sandbox.downloads import attachment
from connector.sandbox.eligibility import Enrollment, Figures
from connector.sandbox.faults import _page
from connector.sandbox.model import Dataset
from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import render
from connector.x12.model_common import ControlNumbers
from connector.x12.write_271 import write_271

SEARCH_FIELDS = (
    ("member_id", "Member ID", "text"),
    ("dob", "Date of birth", "date"),
    ("last_name", "Last name", "text"),
    ("first_name", "First name", "text"),
    ("service_date", "Date of service", "date"),
    ("provider_npi", "Provider NPI", "text"),
)
RESULT_FIELDS = (
    ("status", "Coverage status"), ("plan", "Plan"), ("group", "Group number"),
    ("effective", "Effective date"), ("end", "End date"), ("network", "Network status"),
    ("office_copay", "Office visit co-pay"), ("specialist_copay", "Specialist co-pay"),
    ("coinsurance", "Co-insurance"),
    ("ded_ind_amount", "Individual deductible"), ("ded_ind_met", "Individual deductible met"),
    ("ded_ind_remaining", "Individual deductible remaining"),
    ("ded_fam_amount", "Family deductible"), ("ded_fam_met", "Family deductible met"),
    ("ded_fam_remaining", "Family deductible remaining"),
    ("oop_ind_amount", "Individual out-of-pocket maximum"), ("oop_ind_met", "Individual out-of-pocket met"),
    ("oop_ind_remaining", "Individual out-of-pocket remaining"),
    ("oop_fam_amount", "Family out-of-pocket maximum"), ("oop_fam_met", "Family out-of-pocket met"),
    ("oop_fam_remaining", "Family out-of-pocket remaining"),
    ("referral", "Referral"), ("auth", "Prior authorization"),
)  # fmt: skip
"""Label of every value on the result page (the flow reads them by these labels or their test ids)."""
NONE = "—"


@dataclass(slots=True)
class Answer:
    """What a search found: one member, nobody, a member whose birth date differs, or several members."""

    kind: str
    matches: list[Enrollment] = field(default_factory=list)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def search(data: Dataset, member_id: str, dob: dt.date, first_name: str = "") -> Answer:
    """The payer's lookup: member id, then date of birth, then (for several) the first name."""
    found = [e for e in data.enrollments if e.member_id.casefold() == member_id.strip().casefold()]
    if not found:
        return Answer("not_found")
    same_dob = [e for e in found if e.dob == dob]
    if not same_dob:
        return Answer("dob_mismatch")
    if len(same_dob) > 1 and first_name.strip():
        named = [e for e in same_dob if e.first.casefold() == first_name.strip().casefold()]
        same_dob = named or same_dob
    return Answer("result" if len(same_dob) == 1 else "several", same_dob)


def _acc(figures: Figures | None) -> Accumulator:
    if figures is None:
        return Accumulator()
    cents = Decimal("0.01")
    return Accumulator(figures.amount * cents, figures.met * cents, figures.remaining * cents)


def result_of(e: Enrollment, service_date: dt.date, npi: str) -> EligibilityResult:
    """The payer's answer for one member on a date of service, for a rendering provider."""
    if not e.active or e.effective > service_date:
        status = Coverage.INACTIVE
    elif e.end is not None and e.end < service_date:
        status = Coverage.TERMINATED
    else:
        status = Coverage.ACTIVE
    cents = Decimal("0.01")
    return EligibilityResult(
        status, member_id=e.member_id, last_name=e.last, first_name=e.first, dob=e.dob,
        service_date=service_date, plan=e.plan, group=e.group, effective=e.effective, end=e.end,
        in_network=npi not in e.out_of_network,
        office_copay=e.office_copay * cents, specialist_copay=e.specialist_copay * cents,
        coinsurance=Decimal(e.coinsurance) / 100,
        deductible_individual=_acc(e.deductible), deductible_family=_acc(e.family_deductible),
        out_of_pocket_individual=_acc(e.out_of_pocket), out_of_pocket_family=_acc(e.family_out_of_pocket),
        referral_required=e.referral_required, auth_required=bool(e.auth_codes), auth_codes=e.auth_codes,
        other_payer=e.other_payer,
    )  # fmt: skip


def _money(value: Decimal | None) -> str:
    return NONE if value is None else f"${value:,.2f}"


def shown(r: EligibilityResult) -> dict[str, str]:
    """The result page's values by field key."""
    status = {
        Coverage.ACTIVE: "Active",
        Coverage.INACTIVE: "Inactive",
        Coverage.TERMINATED: f"Terminated on {r.end.isoformat() if r.end else ''}",
    }[r.status]
    values = {
        "status": status, "plan": r.plan, "group": r.group,
        "effective": r.effective.isoformat() if r.effective else NONE,
        "end": r.end.isoformat() if r.end else NONE,
        "network": "In network" if r.in_network else "Out of network",
        "office_copay": _money(r.office_copay), "specialist_copay": _money(r.specialist_copay),
        "coinsurance": NONE if r.coinsurance is None else f"{r.coinsurance * 100:.0f}%",
        "referral": "Required for specialist visits" if r.referral_required else "Not required",
        "auth": f"Required for {', '.join(r.auth_codes)}" if r.auth_codes else "Not required",
    }  # fmt: skip
    for prefix, acc in (
        ("ded_ind", r.deductible_individual), ("ded_fam", r.deductible_family),
        ("oop_ind", r.out_of_pocket_individual), ("oop_fam", r.out_of_pocket_family),
    ):  # fmt: skip
        values[f"{prefix}_amount"] = _money(acc.amount)
        values[f"{prefix}_met"] = _money(acc.met)
        values[f"{prefix}_remaining"] = _money(acc.remaining)
    return values


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _query(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "").strip() for name, _, _ in SEARCH_FIELDS}


def _throttled(state: SandboxState) -> Response | None:
    """The eligibility_burst knob: that many searches per retry_after seconds, then 429."""
    with state.lock:
        burst = int(state.faults["eligibility_burst"])
        if burst <= 0:
            return None
        window = max(1, int(state.faults["retry_after"]))
        now = time.monotonic()
        while state.eligibility_window and now - state.eligibility_window[0] >= window:
            state.eligibility_window.popleft()
        if len(state.eligibility_window) >= burst:
            state.eligibility_throttled += 1
            text = "Too many eligibility requests. Please wait and try again."
            return _page(429, "Too many requests", text, {"Retry-After": str(window)})
        state.eligibility_window.append(now)
    return None


@portal_page
async def eligibility_form(request: Request, session: Session) -> Response:
    """GET /eligibility: the search form."""
    return render(request, "eligibility.html", fields=SEARCH_FIELDS, q=_query(request), answer=None)


@portal_page
async def eligibility_search(request: Request, session: Session) -> Response:
    """GET /eligibility/search: member id, birth date and date of service are required."""
    state = _state(request)
    q = _query(request)
    dob, service = _date(q["dob"]), _date(q["service_date"])
    context: dict[str, Any] = {"fields": SEARCH_FIELDS, "q": q, "answer": None, "message": ""}
    if not q["member_id"] or dob is None or service is None:
        context["message"] = "Enter the member ID, date of birth and date of service (YYYY-MM-DD)."
        return render(request, "eligibility.html", 400, **context)
    refused = _throttled(state)
    if refused is not None:
        return refused
    with state.lock:
        state.eligibility_searches.append((q["member_id"], q["service_date"]))
    answer = search(state.data, q["member_id"], dob, q["first_name"])
    context["answer"] = answer
    if answer.kind == "result":
        result = result_of(answer.matches[0], service, q["provider_npi"])
        context.update(result=result, values=shown(result), member=answer.matches[0], labels=RESULT_FIELDS)
        context["download"] = "/eligibility/271?" + str(request.url.query)
    return render(request, "eligibility.html", **context)


@portal_page
async def eligibility_271(request: Request, session: Session) -> Response:
    """GET /eligibility/271: the same answer as a 271 (005010X279A1)."""
    state = _state(request)
    q = _query(request)
    dob, service = _date(q["dob"]), _date(q["service_date"])
    if not q["member_id"] or dob is None or service is None:
        return render(
            request, "message.html", 400, title="Bad request", message="Search first.", testid="bad"
        )
    answer = search(state.data, q["member_id"], dob, q["first_name"])
    payer, practice = state.data.payer, state.data.practice
    inquiry = Inquiry(
        q["member_id"], q["last_name"], q["first_name"], dob, service, q["provider_npi"] or practice.npi,
        practice.name, payer.payer_id, payer.name, trace=f"{q['member_id']}-{service:%Y%m%d}",
    )  # fmt: skip
    if answer.kind == "result":
        result = result_of(answer.matches[0], service, q["provider_npi"])
    else:
        status = Coverage.SEVERAL_MATCHES if answer.kind == "several" else Coverage.NOT_FOUND
        result = EligibilityResult(status)
    control = ControlNumbers(interchange=1, group=1, sender_id=payer.payer_id, receiver_id=practice.npi)
    data = write_271(
        [(inquiry, result)], control, reference=inquiry.trace, dob_mismatch=answer.kind == "dob_mismatch"
    )
    return attachment(request, data, f"eligibility-{service:%Y%m%d}.271", "application/edi-x12")


ROUTES = [
    Route("/eligibility", eligibility_form),
    Route("/eligibility/search", eligibility_search),
    Route("/eligibility/271", eligibility_271),
]
