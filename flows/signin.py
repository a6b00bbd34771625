"""Sign-in flow: password, then a one-time code; dismiss the known announcement; stop on anything unknown."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from pydantic import SecretStr

from connector.browser import TotpSource
from connector.errors import (
    LoginRejected,
    MfaFailed,
    SelectorMissing,
    UnknownInterstitial,
)
from flows.portal import PortalPage

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "login.username",
    "login.password",
    "login.submit",
    "login.error",
    "mfa.code",
    "mfa.submit",
    "mfa.error",
    "announcement.dialog",
    "announcement.dismiss",
    "home.marker",
)
STEP = "sign-in"
MFA_ATTEMPTS = 2


async def _fill_secret(portal: PortalPage, name: str, value: SecretStr) -> None:
    """Type a secret; a failure is reported by logical name only (Playwright errors may echo values)."""
    await portal.fill(name, value.get_secret_value(), step=STEP)


async def is_signed_in(portal: PortalPage) -> bool:
    """Open the home page and tell whether the saved session still works (no sign-in page, no modal)."""
    await portal.goto("home", step="session check")
    found = await portal.first_of(("home.marker", "announcement.dialog"), step="session check", timeout_s=5)
    if found == "announcement.dialog":
        await dismiss_announcement(portal)
    return True


async def dismiss_announcement(portal: PortalPage) -> None:
    """Close the portal's known announcement modal."""
    await (await portal.find("announcement.dismiss", root=portal.page)).click()
    await portal.page.wait_for_load_state("domcontentloaded")


async def sign_in(
    portal: PortalPage,
    username: str,
    password: SecretStr,
    totp: TotpSource,
    *,
    on_mfa: Callable[[], Awaitable[None]] | None = None,
    answers: Mapping[str, SecretStr] | None = None,
    remember_device: bool = True,
) -> None:
    """Sign in with password, then a one-time code or (unrecognised device) a security question.

    ``answers`` maps a security question (its full text, or a keyword of it such as "color") to the answer.
    Where the map names a "remember my device" box it is ticked when ``remember_device``, so later sign-ins
    from the same saved browser state skip the second step. LoginRejected/MfaFailed are final.
    """
    await portal.goto("login", step=STEP)
    if portal.smap.has("login.entry"):
        first = await portal.first_of(("login.username", "login.entry"), step=STEP)
        if first == "login.entry":  # a landing page with a "SIGN IN" link in front of the widget
            await (await portal.find("login.entry")).click()
            await portal.page.wait_for_load_state("domcontentloaded")
    await (await portal.find("login.username")).fill(username)
    await _fill_secret(portal, "login.password", password)
    await (await portal.find("login.submit")).click()
    await portal.page.wait_for_load_state("domcontentloaded")
    steps = ("mfa.question", "mfa.code", "login.error", "home.marker")
    after_password = await portal.first_of(tuple(n for n in steps if portal.smap.has(n)), step=STEP)
    if after_password == "login.error":
        raise LoginRejected("the portal refused the password; not retrying (account lock-out)", step=STEP)
    if after_password in ("mfa.code", "mfa.question") and on_mfa is not None:
        await on_mfa()
    if after_password == "mfa.question":
        await _answer_question(portal, answers or {}, remember_device)
    elif after_password == "mfa.code":
        await _enter_code(portal, totp, remember_device)
    await _past_interstitials(portal)
    log.info("signed in to %s", portal.smap.portal)


def _normal(text: str) -> str:
    return " ".join(text.casefold().replace("?", " ").split())


def answer_for(question: str, answers: Mapping[str, SecretStr]) -> SecretStr | None:
    """The configured answer: the entry whose key is the question's text, else the longest key found in it."""
    asked = _normal(question)
    by_text = {_normal(key): value for key, value in answers.items() if _normal(key)}
    if asked in by_text:
        return by_text[asked]
    found = [key for key in by_text if key in asked]
    return by_text[max(found, key=len)] if found else None


async def _tick_remember(portal: PortalPage, remember_device: bool) -> None:
    if remember_device and await portal.smap.present(portal.page, "mfa.remember"):
        box = await portal.find("mfa.remember")
        if not await box.is_checked():
            await box.check()


async def _answer_question(
    portal: PortalPage, answers: Mapping[str, SecretStr], remember_device: bool
) -> None:
    """Answer the security question from the configured answers (typed, never logged); one attempt only."""
    question = " ".join((await (await portal.find("mfa.question")).inner_text()).split())
    answer = answer_for(question, answers)
    if answer is None:
        raise MfaFailed(
            f"the portal asks the security question {question!r} and no answer is configured for it "
            "(set security_answers for this account)",
            step=STEP,
        )
    await _fill_secret(portal, "mfa.answer", answer)
    await _tick_remember(portal, remember_device)
    await (await portal.find("mfa.submit")).click()
    await portal.page.wait_for_load_state("domcontentloaded")
    if await portal.smap.present(portal.page, "mfa.question") and await portal.smap.present(
        portal.page, "mfa.error"
    ):
        raise MfaFailed("the portal refused the security answer; not retrying (account lock-out)", step=STEP)
    log.info("answered the security question (unrecognised device)")


async def _enter_code(portal: PortalPage, totp: TotpSource, remember_device: bool = False) -> None:
    for attempt in range(1, MFA_ATTEMPTS + 1):
        code = await totp.next_code()
        await (await portal.find("mfa.code")).fill(code)
        await _tick_remember(portal, remember_device)
        await (await portal.find("mfa.submit")).click()
        await portal.page.wait_for_load_state("domcontentloaded")
        if not await portal.smap.present(portal.page, "mfa.code"):
            return
        if attempt == MFA_ATTEMPTS:
            break
        err = await portal.first_of(
            ("mfa.error", "home.marker", "announcement.dialog"), step=STEP, timeout_s=5
        )
        if err != "mfa.error":
            return
        log.info("one-time code refused; waiting for the next step")
    raise MfaFailed("the portal refused the one-time code twice", step=STEP)


async def _past_interstitials(portal: PortalPage, timeout_s: float = 15.0) -> None:
    """Dismiss the known announcement; any other page between sign-in and home stops the run."""
    deadline = time.monotonic() + timeout_s
    dismissed = 0
    while time.monotonic() < deadline:
        if await portal.smap.present(portal.page, "announcement.dialog"):
            if dismissed >= 2:
                raise UnknownInterstitial("the announcement would not close", step=STEP)
            await dismiss_announcement(portal)
            dismissed += 1
            continue
        if await portal.smap.present(portal.page, "home.marker"):
            return
        if portal.on_sign_in_page():
            if await portal.smap.present(portal.page, "mfa.error"):
                raise MfaFailed("the portal refused the one-time code", step=STEP)
        elif not portal.on_page("home"):
            await portal.page.wait_for_load_state("domcontentloaded")
            await portal.unknown_page(STEP)
        await asyncio.sleep(0.1)
    raise SelectorMissing(portal.smap.portal, "home.marker", "did not appear after sign-in")
