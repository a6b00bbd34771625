"""Choosing the TIN in a portal's header dropdown ("<TIN> - Enrolled"); the page reloads after the choice."""

from __future__ import annotations

import logging
import re

from playwright.async_api import Error as PlaywrightError

from connector.errors import ConfigError, PortalUnavailable
from flows.portal import PortalPage

log = logging.getLogger(__name__)

STEP = "TIN"
_TIN = re.compile(r"\b(\d{2}-?\d{7})\b")


def _digits(text: str) -> str:
    return text.replace("-", "").strip()


async def enrolled_tins(portal: PortalPage) -> dict[str, str]:
    """TIN (9 digits) -> the dropdown option's text; empty when the portal has no TIN dropdown here."""
    if not await portal.smap.present(portal.page, "home.tin"):
        return {}
    select = await portal.find("home.tin")
    texts = await select.locator("option").all_inner_texts()
    found = {}
    for text in texts:
        match = _TIN.search(text)
        if match:
            found[_digits(match.group(1))] = text.strip()
    return found


async def select_tin(portal: PortalPage, wanted: str | None) -> str | None:
    """Pick ``wanted`` (or the only enrolled TIN) in the header dropdown and wait for the reload.

    Returns the TIN chosen, None when the page has no dropdown. ConfigError when the TIN is not enrolled for
    this user, or when several are and the account does not say which.
    """
    options = await enrolled_tins(portal)
    if not options:
        return None
    if wanted is None:
        if len(options) > 1:
            raise ConfigError(
                f"the portal user has {len(options)} TINs; set tins for this account to say which to work"
            )
        wanted = next(iter(options))
    tin = _digits(wanted)
    if tin not in options:
        raise ConfigError(f"TIN ending {tin[-4:]} is not enrolled for this portal user (see tins)")
    select = await portal.find("home.tin")
    current = await select.evaluate(
        "(e) => e.options[e.selectedIndex] ? e.options[e.selectedIndex].text : ''"
    )
    if _digits(str(current)).startswith(tin):
        return tin
    try:
        async with portal.page.expect_navigation(wait_until="domcontentloaded"):
            await select.select_option(label=options[tin])
    except PlaywrightError as exc:
        raise PortalUnavailable(
            f"the page did not reload after choosing the TIN ({type(exc).__name__})", step=STEP
        ) from None
    await portal.after_action(STEP)
    log.info("chose TIN ending %s", tin[-4:])
    return tin
