"""Claim status flow: for each open claim the runner names, search by claim number and read the rows."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flows.portal import PortalPage
from flows.records import ClaimStatusRow

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "status.claim_number",
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
    box = await portal.find("status.claim_number")
    await box.fill(claim_number)
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


async def claim_statuses(portal: PortalPage, claim_numbers: Iterable[str]) -> dict[str, list[ClaimStatusRow]]:
    """Status rows for every claim number (one search each, in order)."""
    found: dict[str, list[ClaimStatusRow]] = {}
    for number in claim_numbers:
        found[number] = await claim_status(portal, number)
    log.info("claim status: %d claims searched", len(found))
    return found
