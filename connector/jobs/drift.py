"""Selector drift: record sanitized page snapshots of a portal, and check a selector map against them."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page, Route

from connector.browser import BrowserSession, TotpSource
from connector.fileio import atomic_write_bytes, ensure_private_dir
from connector.periods import plan_periods
from connector.selectormap import NameCheck, SelectorMap
from connector.settings import BrowserSettings, PortalAccount
from flows.eras import search_payments
from flows.portal import PortalPage
from flows.signin import dismiss_announcement, sign_in
from flows.tin import enrolled_tins, select_tin
from flows.view_payments import choose_option

log = logging.getLogger(__name__)

SANITIZE_JS = r"""
() => {
  const zeros = (m) => '0'.repeat(m.length);
  const mixed = (m) => m.replace(/[A-Za-z]/g, 'X').replace(/\d/g, '0');  // member ids like W98A76B5
  const mask = (s) => s
    .replace(/\d{4}-\d{2}-\d{2}/g, '0000-00-00')
    .replace(/\b\d{1,2}[\/.]\d{1,2}[\/.]\d{2,4}\b/g, '00/00/0000')
    .replace(/\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{6,}\b/g, mixed)
    .replace(/\d{4,}/g, zeros);
  const root = document.documentElement.cloneNode(true);  // never touch the live page (CSRF tokens!)
  root.querySelectorAll('script, noscript, iframe').forEach((e) => e.remove());
  root.querySelectorAll('input, textarea, select').forEach((e) => {
    if (e.type !== 'submit' && e.type !== 'button' && e.type !== 'checkbox') e.setAttribute('value', '');
    if (e.tagName === 'TEXTAREA') e.textContent = '';
  });
  const walker = document.createTreeWalker(root.querySelector('body') || root, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode);
  for (const node of texts) {
    const el = node.parentElement;
    // table-layout portals put labels and messages in cells too: an error/heading cell stays readable
    const message = el && el.closest('.errors, .subheader, [role=alert], [role=status]');
    const cell = el && el.closest('tbody') && !el.closest('a, button') && !message;
    const masked = mask(node.textContent);
    const initial = (m) => m[0] + 'x'.repeat(m.length - 1);
    // a cell's leading "Label:" is not data (Record Count: 47 -> Record Count: 00)
    const label = cell ? (masked.match(/^\s*[A-Z][A-Za-z ]{1,40}:/) || [''])[0] : '';
    node.textContent = cell ? label + masked.slice(label.length).replace(/[A-Za-z]{2,}/g, initial) : masked;
  }
  root.querySelectorAll('*').forEach((e) => {
    for (const a of Array.from(e.attributes)) {
      if (/^(href|aria-label|title)$|^data-(?!testid)/.test(a.name)) e.setAttribute(a.name, mask(a.value));
    }
  });
  return '<!doctype html>\n' + root.outerHTML;
}
"""


@dataclass(frozen=True, slots=True)
class PageReport:
    """The drift report for one page: per name checks, or ``recorded=False`` when no snapshot exists."""

    page: str
    recorded: bool
    checks: tuple[NameCheck, ...] = ()

    @property
    def misses(self) -> list[NameCheck]:
        """Names that matched nothing, or several elements where one was expected."""
        return [c for c in self.checks if c.state in ("none", "several")]


async def snapshot(page: Page) -> str:
    """The page's HTML with input values, scripts and PHI-shaped text (numbers, dates, names) masked."""
    html: str = await page.evaluate(SANITIZE_JS)
    return html


async def _offline_page(page: Page, html: str) -> None:
    async def block(route: Route) -> None:
        await route.abort()

    await page.route("**/*", block)
    await page.set_content(html, wait_until="domcontentloaded")


async def check_offline(smap: SelectorMap, folder: Path, browser: BrowserSession) -> list[PageReport]:
    """Check every page of the map against ``folder/<page>.html`` snapshots (no network)."""
    context = await browser.new_context()
    reports = []
    try:
        for key, spec in smap.pages.items():
            file = folder / f"{key}.html"
            if not file.is_file():
                reports.append(PageReport(key, False))
                continue
            page = await context.new_page()
            await _offline_page(page, file.read_text(encoding="utf-8"))
            reports.append(PageReport(key, True, tuple(await smap.check_page(page, spec))))
            await page.close()
    finally:
        await context.close()
    return reports


Capture = Callable[[str], Awaitable[None]]


async def record(
    smap: SelectorMap,
    account: PortalAccount,
    folder: Path,
    *,
    browser_settings: BrowserSettings | None = None,
    claim_number: str | None = None,
) -> list[str]:
    """Sign in and save a sanitized snapshot of each page of the map into ``folder``; return page keys."""
    ensure_private_dir(folder)
    saved: list[str] = []
    async with BrowserSession(browser_settings) as browser:
        context = await browser.new_context()
        page = await context.new_page()
        portal = PortalPage(context, page, smap, account.base_url)

        async def capture(key: str) -> None:
            await page.wait_for_load_state("domcontentloaded")
            atomic_write_bytes(folder / f"{key}.html", (await snapshot(page)).encode())
            saved.append(key)

        await portal.goto("login", step="record")
        await capture("login")
        totp = TotpSource(account.totp_secret.get_secret_value())
        await sign_in(
            portal,
            account.username,
            account.password,
            totp,
            on_mfa=lambda: capture("mfa"),
            answers=account.security_answers,
            remember_device=False,
        )
        await portal.goto("home", step="record")
        if await smap.present(page, "announcement.dialog"):
            await dismiss_announcement(portal)
        await capture("home")
        if smap.has("payments.period"):
            await _record_period_payments(portal, capture, account.tins)
        else:
            await _record_payments(portal, capture)
        await _record_claims(portal, capture, claim_number)
        for key in ("batches", "responses", "data_files", "bundles"):
            if key in smap.pages:
                await portal.goto(key, step="record")
                await capture(key)
        await context.close()
    return saved


async def _record_payments(portal: PortalPage, capture: Capture) -> None:
    today = dt.date.today()
    await search_payments(portal, today - dt.timedelta(days=3650), today + dt.timedelta(days=365))
    await capture("payments")
    await search_payments(portal, dt.date(1990, 1, 1), dt.date(1990, 1, 2))
    await capture("payments_empty")


async def _record_period_payments(portal: PortalPage, capture: Capture, tins: list[str]) -> None:
    """View Payments without date fields: the account's TIN, every status; then a TIN without payments."""
    await portal.goto("payments", step="record")
    chosen = await select_tin(portal, tins[0] if tins else None)
    periods = await (await portal.find("payments.period")).locator("option").all_inner_texts()
    today = dt.date.today()
    plan = plan_periods([p.strip() for p in periods], today - dt.timedelta(days=90), today)
    if plan.labels:  # three months of payments: enough rows for a second page
        await choose_option(portal, "payments.period", plan.labels[0], step="record")
    await choose_option(portal, "payments.status", "Show All", step="record")
    await capture("payments")
    others = [tin for tin in await enrolled_tins(portal) if tin != chosen]
    if others:
        await select_tin(portal, others[0])
        await capture("payments_empty")
        await select_tin(portal, chosen)


async def _record_claims(portal: PortalPage, capture: Capture, claim_number: str | None) -> None:
    for key, number in (("claim_status", claim_number), ("claim_status_empty", "NO-SUCH-CLAIM-0")):
        if number is None or key not in portal.smap.pages:
            continue
        await portal.goto("claim_status", step="record")
        await (await portal.find("status.claim_number")).fill(number)
        await (await portal.find("status.search")).click()
        await portal.after_action("record")
        await capture(key)


def first_claim_number(era: bytes) -> str | None:
    """The first CLP01 of an 835 (used to pick a claim to record the claim status page with)."""
    match = re.search(rb"CLP\*([^*~]+)\*", era)
    return match.group(1).decode() if match else None
