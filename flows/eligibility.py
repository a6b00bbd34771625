"""Eligibility & Benefits flow: search a member for a date of service and read the result page."""

from __future__ import annotations

import asyncio
import logging
import re

from connector.eligibility.model import Coverage, EligibilityResult, Inquiry, Rejection
from connector.eligibility.page import result_from_page
from connector.errors import PortalUnavailable
from flows.portal import NAVIGATION_STATUS, PortalPage

log = logging.getLogger(__name__)

VALUE_KEYS: tuple[str, ...] = (
    "status", "plan", "group", "effective", "end", "network", "office_copay", "specialist_copay",
    "coinsurance", "ded_ind_amount", "ded_ind_met", "ded_ind_remaining", "ded_fam_amount", "ded_fam_met",
    "ded_fam_remaining", "oop_ind_amount", "oop_ind_met", "oop_ind_remaining", "oop_fam_amount",
    "oop_fam_met", "oop_fam_remaining", "referral", "auth",
)  # fmt: skip
"""Values of the result page, each under the logical name ``elig.<key>``."""
FORM: tuple[str, ...] = (
    "elig.member_id", "elig.dob", "elig.last_name", "elig.first_name", "elig.service_date",
    "elig.provider_npi", "elig.search",
)  # fmt: skip
ANSWERS: tuple[str, ...] = ("elig.status", "elig.not_found", "elig.dob_mismatch", "elig.several")
NAMES: tuple[str, ...] = (
    *FORM, *ANSWERS, "elig.throttled", "elig.match_row", "elig.member_row", "elig.member_name",
    "elig.member_dob", "elig.other_payer", "elig.download_271", *(f"elig.{k}" for k in VALUE_KEYS[1:]),
)  # fmt: skip
STEP = "eligibility"
THROTTLED = 429


async def check_eligibility(portal: PortalPage, inquiry: Inquiry) -> EligibilityResult:
    """Search one member for one date of service; return the payer's answer (never guesses a match).

    Raises PortalUnavailable (``retry_after`` when the portal says) when the portal throttles the search.
    """
    fmt = portal.smap.options.get("date_format", "%Y-%m-%d")
    await portal.goto("eligibility", step=STEP)
    await portal.fill("elig.member_id", inquiry.member_id, step=STEP)
    await portal.fill("elig.dob", inquiry.dob.strftime(fmt) if inquiry.dob else "", step=STEP)
    await portal.fill("elig.last_name", inquiry.last_name, step=STEP)
    await portal.fill("elig.first_name", inquiry.first_name, step=STEP)
    await portal.fill("elig.service_date", inquiry.service_date.strftime(fmt), step=STEP)
    if inquiry.provider_npi and await portal.smap.present(portal.page, "elig.provider_npi"):
        await portal.fill("elig.provider_npi", inquiry.provider_npi, step=STEP)
    await (await portal.find("elig.search")).click()
    await portal.after_action(STEP)
    status = await portal.page.evaluate(NAVIGATION_STATUS)
    if status == THROTTLED or await portal.smap.present(portal.page, "elig.throttled"):
        raise PortalUnavailable("the portal is throttling eligibility searches (HTTP 429)", step=STEP)
    found = await portal.first_of(ANSWERS, step=STEP)
    if found == "elig.not_found":
        return EligibilityResult(Coverage.NOT_FOUND, matches=0, message="no member found")
    if found == "elig.dob_mismatch":
        return _dob_mismatch()
    if found == "elig.several":
        _, _, rows = await portal.smap.probe(portal.page, "elig.match_row")
        return EligibilityResult(Coverage.SEVERAL_MATCHES, matches=rows, message=f"{rows} members match")
    return await _read_result(portal, fmt)


def _dob_mismatch() -> EligibilityResult:
    return EligibilityResult(
        Coverage.NOT_FOUND,
        matches=0,
        rejections=[Rejection("71", "C", "Y", "subscriber", "date of birth does not match")],
        message="member found, date of birth does not match",
    )


async def _read_result(portal: PortalPage, fmt: str) -> EligibilityResult:
    texts = await asyncio.gather(*(_text(portal, f"elig.{key}") for key in VALUE_KEYS))
    values = dict(zip(VALUE_KEYS, texts, strict=True))
    if await portal.smap.present(portal.page, "elig.other_payer"):
        note = await _text(portal, "elig.other_payer")
        values["other_payer"] = re.sub(r"^.*primary:\s*", "", note, flags=re.IGNORECASE)
    row = await portal.find("elig.member_row")
    name = await portal.text_in(row.first, "elig.member_name")
    dob = await portal.text_in(row.first, "elig.member_dob")
    result = result_from_page(values, name, dob, fmt)
    log.info("eligibility: result read (%s)", result.status.value)
    return result


async def _text(portal: PortalPage, name: str) -> str:
    loc = await portal.find(name, timeout_s=2.0)
    return (await loc.first.inner_text()).strip()
