"""Claim status flow: search by claim number, or by member id + date of birth + date of service."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from flows.portal import PortalPage
from flows.records import ClaimStatusRow, MemberQuery

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "status.claim_number",
    "status.member_id",
    "status.dob",
    "status.service_date",
    "status.search",
    "status.row",
    "status.no_results",
    "status.row_claim_number",
    "status.row_status",
    "status.row_category",
    "status.row_paid",
    "status.row_payment_number",
    "status.row_date",
)
STEP = "claim status"


async def claim_status(portal: PortalPage, claim_number: str) -> list[ClaimStatusRow]:
    """Search one claim number and return its status rows (empty when the portal knows none)."""
    await portal.goto("claim_status", step=STEP)
    await portal.fill("status.claim_number", claim_number, step=STEP)
    return await _search(portal, claim_number)


async def claim_status_by_member(portal: PortalPage, member: MemberQuery) -> list[ClaimStatusRow]:
    """Search by member id, date of birth and date of service (when the payer does not know our claim id)."""
    await portal.goto("claim_status", step=STEP)
    await portal.fill("status.member_id", member.member_id, step=STEP)
    await portal.fill("status.dob", member.dob.isoformat(), step=STEP)
    await portal.fill("status.service_date", member.service_date.isoformat(), step=STEP)
    return await _search(portal, member.claim_number)


async def _search(portal: PortalPage, claim_number: str) -> list[ClaimStatusRow]:
    await (await portal.find("status.search")).click()
    await portal.after_action(STEP)
    if await portal.first_of(("status.row", "status.no_results"), step=STEP) == "status.no_results":
        return []
    rows = await portal.find("status.row")
    out = []
    for i in range(await rows.count()):
        row = rows.nth(i)
        out.append(
            ClaimStatusRow(
                claim_number=await portal.text_in(row, "status.row_claim_number") or claim_number,
                status=await portal.text_in(row, "status.row_status"),
                category_code=await portal.text_in(row, "status.row_category"),
                paid_amount=await portal.text_in(row, "status.row_paid"),
                payment_number=await portal.text_in(row, "status.row_payment_number"),
                status_date=await portal.text_in(row, "status.row_date"),
            )
        )
    return out


async def claim_statuses(
    portal: PortalPage, claim_numbers: Iterable[str], members: Mapping[str, MemberQuery] | None = None
) -> dict[str, list[ClaimStatusRow]]:
    """Status rows for every claim number (one search each, in order); a claim the portal does not find by
    number is searched again by member id + date of birth + date of service when ``members`` has it."""
    found: dict[str, list[ClaimStatusRow]] = {}
    by_member = 0
    for number in claim_numbers:
        found[number] = await claim_status(portal, number)
        if not found[number] and members and number in members:
            found[number] = await claim_status_by_member(portal, members[number])
            by_member += 1
    log.info("claim status: %d claims searched (%d again by member)", len(found), by_member)
    return found
