"""The page a flow drives: navigation by page key, error classification, waiting on logical names."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.async_api import BrowserContext, Locator, Page, Response
from playwright.async_api import Error as PlaywrightError

from connector.errors import (
    PortalMaintenance,
    PortalUnavailable,
    SelectorMissing,
    SessionExpired,
    UnknownInterstitial,
)
from connector.fileio import atomic_write_bytes
from connector.selectormap import Root, SelectorMap

log = logging.getLogger(__name__)

SIGN_IN_PAGES = ("login", "mfa")
CLICKS_PER_LOAD = 10
TROUBLE_RELOADS = 5
"""Reloads through a "technical difficulties" page before giving up (Optum Pay's own testers used five)."""
TROUBLE_PAUSE_S = 0.5
NAVIGATION_STATUS = "() => (performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0"


@dataclass(slots=True)
class PortalPage:
    """One signed-in (or signing-in) page of a portal, driven through its selector map."""

    context: BrowserContext
    page: Page
    smap: SelectorMap
    base_url: str
    screenshots_dir: Path | None = None
    clicks_since_load: int = 0
    """Click-downloads since the page was last loaded (Chromium drops the 11th; see ``click_budget``)."""
    trouble_reloads: int = 0
    """Reloads done so far to get past "technical difficulties" pages."""

    async def click_budget(self, step: str) -> None:
        """Headless Chromium silently blocks the 11th download a page starts: reload after every ten."""
        if self.clicks_since_load >= CLICKS_PER_LOAD:
            try:
                await self.page.reload(wait_until="domcontentloaded")
            except PlaywrightError as exc:
                raise PortalUnavailable(f"reload failed ({_short(exc)})", step=step) from None
            await self.after_action(step)
            self.clicks_since_load = 0
        self.clicks_since_load += 1

    def url_for(self, key_or_path: str, **query: str) -> str:
        """The absolute URL of a page key from the map (``payments``) or of a path."""
        path = self.smap.pages[key_or_path].path if key_or_path in self.smap.pages else key_or_path
        url = urljoin(self.base_url.rstrip("/") + "/", path.lstrip("/"))
        if query:
            from urllib.parse import urlencode

            url += ("&" if "?" in url else "?") + urlencode(query)
        return url

    def on_sign_in_page(self) -> bool:
        """Whether the browser currently shows the sign-in (or code) page."""
        current = urlsplit(self.page.url).path.rstrip("/")
        for key in SIGN_IN_PAGES:
            spec = self.smap.pages.get(key)
            if spec and urlsplit(self.url_for(key)).path.rstrip("/") == current:
                return True
        return False

    async def goto(self, key: str, *, step: str, **query: str) -> Response | None:
        """Open a page; classify 5xx/429/maintenance/redirect-to-sign-in into connector errors."""
        try:
            response = await self.page.goto(self.url_for(key, **query), wait_until="domcontentloaded")
            self.clicks_since_load = 0
        except PlaywrightError as exc:
            raise PortalUnavailable(f"could not open {key} ({_short(exc)})", step=step) from None
        if response is not None and response.status == 503:
            await self.raise_for_error_page(step)
        check_response(response, step=step)
        await self.through_trouble(step)
        if key not in SIGN_IN_PAGES:
            if self.on_sign_in_page():
                raise SessionExpired("the portal sent us back to sign-in", step=step)
            await self.raise_for_error_page(step)
            if not self.on_page(key):
                await self.unknown_page(step)
        return response

    def on_page(self, key: str) -> bool:
        """Whether the browser shows the page ``key`` of the map (same path, any query)."""
        wanted = urlsplit(self.url_for(key)).path.rstrip("/")
        return urlsplit(self.page.url).path.rstrip("/") == wanted

    async def unknown_page(self, step: str) -> None:
        """Stop on a page we do not know (terms, survey...): never click through; keep a masked screenshot."""
        shot = await self.masked_screenshot("interstitial")
        where = f"; masked screenshot {shot.name}" if shot else ""
        raise UnknownInterstitial(f"an unknown page stands in the way{where}", step=step)

    async def after_action(self, step: str) -> None:
        """After a click that navigates: wait for the page and raise SessionExpired on a sign-in redirect."""
        try:
            await self.page.wait_for_load_state("domcontentloaded")
        except PlaywrightError as exc:
            raise PortalUnavailable(f"page did not load ({_short(exc)})", step=step) from None
        self.clicks_since_load = 0
        await self.through_trouble(step)
        if self.on_sign_in_page():
            raise SessionExpired("the portal sent us back to sign-in", step=step)
        await self.raise_for_error_page(step)

    async def through_trouble(self, step: str) -> None:
        """Reload through the portal's "technical difficulties" page, at most ``TROUBLE_RELOADS`` times.

        Only for maps that name ``common.technical_difficulties``; after the last reload the run stops with
        PortalUnavailable (retried later like any outage).
        """
        if not self.smap.has("common.technical_difficulties"):
            return
        for attempt in range(TROUBLE_RELOADS + 1):
            if not await self.smap.present(self.page, "common.technical_difficulties"):
                return
            if attempt == TROUBLE_RELOADS:
                break
            self.trouble_reloads += 1
            log.info("technical difficulties page during %s; reloading (%d)", step, attempt + 1)
            await asyncio.sleep(TROUBLE_PAUSE_S * (attempt + 1))
            try:
                await self.page.reload(wait_until="domcontentloaded")
            except PlaywrightError as exc:
                raise PortalUnavailable(f"reload failed ({_short(exc)})", step=step) from None
            self.clicks_since_load = 0
        raise PortalUnavailable(
            f"the portal showed its technical difficulties page {TROUBLE_RELOADS + 1} times in a row",
            step=step,
        )

    async def raise_for_error_page(self, step: str) -> None:
        """A server error or maintenance page shown in place of the expected one (checked only on 4xx/5xx)."""
        try:
            status = await self.page.evaluate(NAVIGATION_STATUS)
        except PlaywrightError:
            status = 0
        if isinstance(status, int) and 0 < status < 400:
            return
        if await self.smap.present(self.page, "common.maintenance"):
            raise PortalMaintenance("the portal shows a maintenance page", step=step)
        if await self.smap.present(self.page, "common.server_error"):
            raise PortalUnavailable("the portal shows an error page", step=step)

    async def find(self, name: str, *, root: Root | None = None, timeout_s: float = 10.0) -> Locator:
        """Resolve a logical name (first strategy that matches wins)."""
        return await self.smap.find(root or self.page, name, timeout_s=timeout_s)

    async def fill(self, name: str, value: str, *, step: str) -> None:
        """Type into a field; a failure names only the field (Playwright's error echoes the value: PHI)."""
        field = await self.find(name)
        try:
            await field.fill(value)
        except PlaywrightError:
            raise PortalUnavailable(f"could not type into {name}", step=step) from None

    async def first_of(self, names: tuple[str, ...], *, step: str, timeout_s: float = 15.0) -> str:
        """Wait until one of ``names`` is on the page and return it (SelectorMissing on timeout)."""
        deadline = time.monotonic() + timeout_s
        while True:
            for name in names:
                if await self.smap.present(self.page, name):
                    return name
            if self.on_sign_in_page() and not any(n.split(".")[0] in SIGN_IN_PAGES for n in names):
                raise SessionExpired("the portal sent us back to sign-in", step=step)
            await self.raise_for_error_page(step)
            if self.page.url.startswith("chrome-error://"):
                raise PortalUnavailable("the connection dropped before the portal answered", step=step)
            if time.monotonic() >= deadline:
                raise SelectorMissing(self.smap.portal, names[0], f"did not appear during {step}")
            await asyncio.sleep(0.1)

    async def text_in(self, row: Locator, name: str) -> str:
        """The trimmed text of a logical name inside a loaded row ("" when an optional name is absent)."""
        _, loc, _ = await self.smap.probe(row, name)
        if loc is None:
            if self.smap.entry(name).optional:
                return ""
            raise SelectorMissing(self.smap.portal, name, "matched nothing in a results row")
        return (await loc.first.inner_text()).strip()

    async def href_in(self, row: Locator, name: str) -> str | None:
        """The absolute URL of a link inside a row, or None when the row has no such link."""
        _, loc, _ = await self.smap.probe(row, name)
        href = await loc.first.get_attribute("href") if loc is not None else None
        return urljoin(self.page.url, href) if href else None

    async def column_of(
        self, rows: Locator, count: int, name: str, attr: str | None = None
    ) -> list[str] | None:
        """One logical name read from every row in one call (text, or an attribute), or None to fall back.

        The first strategy that matches anything wins, as for single rows; it must match exactly one
        element per row (else None: rows are read one by one). An optional name matching nothing gives "".
        """
        for strategy in self.smap.entry(name).strategies:
            loc = strategy.locate(rows)
            found = await loc.count()
            if found == 0:
                continue
            if found != count:
                return None
            if attr is None:
                return [text.strip() for text in await loc.all_inner_texts()]
            values: list[str | None] = await loc.evaluate_all(
                "(els, a) => els.map((e) => e.getAttribute(a))", attr
            )
            return [urljoin(self.page.url, v) if v else "" for v in values]
        return [""] * count if self.smap.entry(name).optional else None

    async def masked_screenshot(self, label: str) -> Path | None:
        """A screenshot with every input masked, under a generated name (0600); None if not configured."""
        if self.screenshots_dir is None:
            return None
        try:
            png = await self.page.screenshot(
                full_page=True, mask=[self.page.locator("input, textarea, select")]
            )
        except PlaywrightError:
            return None
        target = self.screenshots_dir / f"{label}-{int(time.time())}-{secrets.token_hex(4)}.png"
        atomic_write_bytes(target, png)
        return target


def check_response(response: Response | None, *, step: str) -> None:
    """Raise PortalUnavailable for 5xx/429 (with Retry-After) and PortalMaintenance for 503 maintenance."""
    if response is None:
        return
    status = response.status
    if status == 429 or status >= 500:
        retry_after = _retry_after(response.headers.get("retry-after"))
        if status == 503 and "maintenance" in (response.headers.get("x-portal-state", "") or "").lower():
            raise PortalMaintenance(f"HTTP {status} maintenance", step=step)
        raise PortalUnavailable(f"HTTP {status}", step=step, retry_after=retry_after)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _short(exc: BaseException) -> str:
    """The first line of a Playwright error (never includes typed values; we never type secrets via URLs)."""
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
