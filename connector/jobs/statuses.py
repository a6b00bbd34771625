"""The claim status job: search each claim still waiting for payment and append what the portal says."""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import store
from connector.errors import InputError
from connector.jobs.context import JobContext
from connector.pm.reader import read_export
from connector.store import ClaimStatusObservation
from flows.claim_status import claim_statuses
from flows.records import MemberQuery

log = logging.getLogger(__name__)

FINAL_STATUS = re.compile(r"^(F\d|finalized)", re.IGNORECASE)


def _money(text: str) -> Decimal | None:
    cleaned = text.replace("$", "").replace(",", "").strip()
    try:
        return Decimal(cleaned).quantize(Decimal("0.01")) if cleaned else None
    except InvalidOperation:
        return None


def _open_claims(session: Session, account_id: int) -> list[str]:
    """This account's claims whose latest observation is not final."""
    latest: dict[str, ClaimStatusObservation] = {}
    query = (
        select(ClaimStatusObservation)
        .where(ClaimStatusObservation.account_id == account_id)
        .order_by(ClaimStatusObservation.observed_at, ClaimStatusObservation.id)
    )
    for obs in session.scalars(query):
        latest[obs.claim_number] = obs
    return sorted(n for n, o in latest.items() if not FINAL_STATUS.match(o.status_category or o.status_text))


def claims_awaiting_payment(ctx: JobContext, session: Session, limit: int = 100) -> dict[str, Any] | None:
    """PM claims with no payment on any stored ERA yet (``claims``), and for each, the member id, birth
    date and service date to search by when the payer does not know our id (``members``); None without a
    readable PM export."""
    acct = ctx.account_settings
    if acct.pm_export is None:
        return None
    try:
        export = read_export(acct.pm_export, acct.pm_profile, override_dir=ctx.settings.mappings_dir)
    except (InputError, OSError) as exc:
        log.warning(
            "claim statuses: PM export not readable (%s); checking stored open claims", type(exc).__name__
        )
        return None
    paid = set(session.scalars(select(store.ClaimPaymentRow.patient_control_number)))
    waiting = [c for c in export.claims if c.claim_id not in paid][:limit]
    members = {}
    for claim in waiting:
        first_date, patient = claim.first_service_date, claim.patient
        if patient.member_id and patient.dob and first_date:
            members[claim.claim_id] = MemberQuery(claim.claim_id, patient.member_id, patient.dob, first_date)
    return {"claims": [c.claim_id for c in waiting], "members": members}


def claims_to_check(ctx: JobContext, session: Session) -> tuple[list[str], dict[str, MemberQuery] | None]:
    """The claims this run searches: the ones given (``--claim``), else the PM claims still waiting for
    payment, else (no PM export) the stored claims whose latest status is not final."""
    given = ctx.options.get("claims")
    if given is not None:  # an empty list given means "no claims", not "every open claim"
        return list(given), ctx.options.get("members")
    waiting = claims_awaiting_payment(ctx, session)
    if waiting is not None:
        return waiting["claims"], waiting["members"]
    return _open_claims(session, ctx.account_id(session)), None


async def run(ctx: JobContext) -> dict[str, Any]:
    """Search each claim still waiting for payment (:func:`claims_to_check`); append what the portal says."""
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
        claims, members = claims_to_check(ctx, session)
    found = await claim_statuses(ctx.portal, claims, members)
    rows = 0
    with ctx.factory.begin() as session:
        for claim, status_rows in found.items():
            for row in status_rows:
                store.add_claim_status(
                    session,
                    claim_number=row.claim_number or claim,
                    status_text=row.status,
                    status_category=row.category_code[:8] or None,
                    paid_amount=_money(row.paid_amount),
                    payment_number=row.payment_number or None,
                    run_id=ctx.run_id,
                    account_id=account_id,
                )
                rows += 1
    return {"claims": len(claims), "status_rows": rows, "not_found": sum(not r for r in found.values())}
