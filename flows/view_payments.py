"""ERAs where the payments page has no date fields (Optum Pay): periods, Show All, page blocks, EPRA queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from connector.errors import PortalUnavailable
from connector.fileio import ensure_private_dir, sha256_file
from connector.periods import plan_periods
from flows.bundles import Bundled, backfill
from flows.downloads import DEFAULT_POOL, already_saved, fetch_all, generated_name
from flows.eras import listing_key, read_rows
from flows.portal import PortalPage
from flows.records import EraDownload, PaymentListing, SavedFile
from flows.records import SavedKind as FileKind
from flows.tin import select_tin

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "payments.period",
    "payments.record_count",
    "payments.row",
    "payments.no_results",
    "payments.row_number",
    "payments.row_date",
    "payments.row_amount",
    "payments.row_payer",
    "payments.row_835",
    "payments.row_pdf",
    "payments.next",
)
STEP = "ERAs"
SHOW_ALL = "Show All"
POLL_S = 3.0
STANDARD_CANNOT = ("EPRA PDF remits", "Payment Data Files bundles")
_COUNT = re.compile(r"Record Count:\s*([\d,]+)", re.IGNORECASE)


@dataclass(slots=True)
class _Walk:
    """What the walk has seen and saved so far."""

    dest: Path
    known: frozenset[tuple[FileKind, str]]
    bundled: Bundled
    pool: asyncio.Semaphore
    listings: list[PaymentListing] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)
    saved: list[SavedFile] = field(default_factory=list)
    pending: dict[str, PaymentListing] = field(default_factory=dict)
    requested: int = 0
    skipped_known: int = 0
    pages: int = 0
    mismatches: int = 0
    standard: bool = False
    from_bundles: int = 0


async def choose_option(portal: PortalPage, name: str, label: str, *, step: str = STEP) -> bool:
    """Pick ``label`` in the select ``name`` (the page reloads); False when already chosen or absent.

    A disabled select (a feature of a higher access level) is left alone.
    """
    if not await portal.smap.present(portal.page, name):
        return False
    select = await portal.find(name)
    if await select.is_disabled():
        return False
    current = await select.evaluate(
        "(e) => e.options[e.selectedIndex] ? e.options[e.selectedIndex].text : ''"
    )
    if str(current).strip() == label:
        return False
    try:
        async with portal.page.expect_navigation(wait_until="domcontentloaded"):
            await select.select_option(label=label)
    except PlaywrightError as exc:
        raise PortalUnavailable(
            f"the page did not reload after choosing {label!r} ({type(exc).__name__})", step=step
        ) from None
    await portal.after_action(step)
    return True


async def _show_all(portal: PortalPage, walk: _Walk) -> None:
    """Set Payment Status to "Show All" (the default "New" hides viewed payments); disabled = Standard."""
    if not await portal.smap.present(portal.page, "payments.status"):
        return
    status = await portal.find("payments.status")
    if await status.is_disabled():
        walk.standard = True
        return
    await choose_option(portal, "payments.status", SHOW_ALL)


async def _period_labels(portal: PortalPage) -> list[str]:
    select = await portal.find("payments.period")
    return [text.strip() for text in await select.locator("option").all_inner_texts()]


async def _record_count(portal: PortalPage) -> int | None:
    if not await portal.smap.present(portal.page, "payments.record_count"):
        return None
    match = _COUNT.search(await (await portal.find("payments.record_count")).inner_text())
    return int(match.group(1).replace(",", "")) if match else None


async def _next_page(portal: PortalPage, number: int) -> bool:
    """Go to page ``number``: its link in the current block of ten, else "Next" (the next block)."""
    if await portal.smap.present(portal.page, "payments.pager"):
        link = (await portal.find("payments.pager")).get_by_role("link", name=str(number), exact=True)
        if await link.count():
            await link.first.click()
            await portal.after_action(STEP)
            return True
    if await portal.smap.present(portal.page, "payments.next"):
        await (await portal.find("payments.next")).click()
        await portal.after_action(STEP)
        return True
    return False


def _from_bundle(walk: _Walk, kind: FileKind, ref: str, number: str) -> SavedFile | None:
    source = walk.bundled.take(kind, number)
    if source is None or not source.is_file():
        return None
    target = walk.dest / generated_name(kind, ref)
    os.replace(source, target)
    walk.from_bundles += 1
    return SavedFile(kind, target, sha256_file(target), target.stat().st_size, ref)


async def _request_pdf(portal: PortalPage, link: Locator) -> None:
    """Ask for a PDF: the "PDF" link opens a pop-up saying the document is being generated.

    A plain link is requested with the session's cookies (no window); a script-only link is clicked and the
    pop-up it opens is closed.
    """
    href = await link.get_attribute("href")
    if href and not href.lower().startswith(("javascript:", "#")):
        try:
            reply = await portal.context.request.get(urljoin(portal.page.url, href), timeout=30_000)
        except PlaywrightError as exc:
            raise PortalUnavailable(f"the EPRA request failed ({type(exc).__name__})", step=STEP) from None
        if reply.status >= 400:
            raise PortalUnavailable(f"the EPRA request failed (HTTP {reply.status})", step=STEP)
        return
    try:
        async with portal.page.expect_popup(timeout=15_000) as info:
            await link.click()
        popup = await info.value
        await popup.wait_for_load_state("domcontentloaded")
        await popup.close()
    except PlaywrightError as exc:
        raise PortalUnavailable(
            f"the EPRA request window did not open ({type(exc).__name__})", step=STEP
        ) from None


async def _row(
    portal: PortalPage, walk: _Walk, row: Locator, ref: str, listing: PaymentListing
) -> list[tuple[str, FileKind, str]]:
    """Decide one row: files to fetch now, a PDF to ask for, or a PDF still being generated."""
    jobs: list[tuple[str, FileKind, str]] = []
    kinds: tuple[FileKind, ...] = ("835", "pdf")
    wanted = [kind for kind in kinds if (kind, ref) not in walk.known]
    if not wanted:
        walk.skipped_known += 1
        walk.pending.pop(ref, None)
        return jobs
    for kind in wanted:
        earlier = already_saved(walk.dest, kind, ref) or _from_bundle(walk, kind, ref, listing.payment_number)
        if earlier is not None:
            walk.saved.append(earlier)
            if kind == "pdf":
                walk.pending.pop(ref, None)
            continue
        url = listing.era_url if kind == "835" else listing.pdf_url
        if url:
            jobs.append((url, kind, ref))
            if kind == "pdf":
                walk.pending.pop(ref, None)
        elif kind == "pdf" and not walk.standard:
            if await portal.smap.present(row, "payments.row_pdf_request"):
                await _request_pdf(
                    portal, await portal.smap.find(row, "payments.row_pdf_request", timeout_s=2)
                )
                walk.requested += 1
                walk.pending[ref] = listing
            elif await portal.smap.present(row, "payments.row_pdf_pending"):
                walk.pending[ref] = listing
    return jobs


async def _walk_period(portal: PortalPage, walk: _Walk, label: str, only: set[str] | None) -> None:
    """Walk every page of one period; ``only`` limits the work to those references (collecting PDFs)."""
    await choose_option(portal, "payments.period", label)
    await _show_all(portal, walk)
    expected = await _record_count(portal)
    seen_here: Counter[str] = Counter()
    rows_here = 0
    number = 1
    while True:
        walk.pages += 1
        found = await portal.first_of(("payments.row", "payments.no_results"), step=STEP)
        if found == "payments.no_results":
            break
        rows = await portal.find("payments.row")
        listings = await read_rows(portal, rows)
        rows_here += len(listings)
        jobs: list[tuple[str, FileKind, str]] = []
        for i, listing in enumerate(listings):
            base = listing_key(listing)
            ref = base if seen_here[base] == 0 else f"{base}#{seen_here[base]}"
            seen_here[base] += 1
            if only is not None:
                if ref in only:
                    jobs += await _row(portal, walk, rows.nth(i), ref, listing)
                continue
            if ref in walk.processed:  # rolling periods overlap: a payment is handled once
                continue
            walk.processed.add(ref)
            walk.listings.append(listing)
            jobs += await _row(portal, walk, rows.nth(i), ref, listing)
        walk.saved += await fetch_all(portal.context, jobs, walk.dest, pool=walk.pool)
        number += 1
        if not await _next_page(portal, number):
            break
    if only is None and expected is not None and expected != rows_here:
        walk.mismatches += 1
        log.warning(
            "period %r: the portal counts %d payments, %d rows were walked", label, expected, rows_here
        )


async def walk_payments(
    portal: PortalPage,
    dest: Path,
    *,
    since: dt.date,
    until: dt.date,
    known: frozenset[tuple[FileKind, str]] = frozenset(),
    tins: tuple[str, ...] = (),
    pdf_wait_s: float = 0.0,
    poll_s: float = POLL_S,
    backfill_bundles: bool = False,
    bundle_wait_s: float = 0.0,
    pool: int = DEFAULT_POOL,
) -> EraDownload:
    """Save every payment's 835 and EPRA PDF from ``since`` to ``until`` (``until`` = the portal's today).

    Walks the smallest period covering the range (or several back to ``since``), with Payment Status on
    "Show All", every page (blocks of ten with "Next"), checking the record count. A PDF not generated yet
    is asked for and collected before ``pdf_wait_s`` runs out, else returned in ``pending_pdfs`` for a later
    run. ``backfill_bundles`` first asks for Payment Data Files bundles (a new account's long backfill).
    """
    ensure_private_dir(dest)
    walk = _Walk(dest, known, Bundled(), asyncio.Semaphore(pool))
    plans = []
    for tin in tins or (None,):
        await portal.goto("payments", step=STEP)
        await select_tin(portal, tin)
        if backfill_bundles and portal.smap.has("datafiles.submit"):
            got = await backfill(portal, dest, since, until, wait_s=bundle_wait_s, poll_s=poll_s)
            walk.bundled.files.update(got.files)
            walk.standard = walk.standard or got.unavailable
            await portal.goto("payments", step=STEP)
        plan = plan_periods(await _period_labels(portal), since, until)
        if plan.reaches is None or plan.reaches > since:
            log.warning("the portal's periods reach back to %s only, not %s", plan.reaches, since)
        for label in plan.labels:
            await _walk_period(portal, walk, label, None)
        plans.append((tin, plan.labels))
    deadline = time.monotonic() + pdf_wait_s
    while walk.pending and not walk.standard and time.monotonic() < deadline:
        await asyncio.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))
        waiting = set(walk.pending)
        for tin, labels in plans:
            await portal.goto("payments", step=STEP)
            await select_tin(portal, tin)
            for label in labels:
                await _walk_period(portal, walk, label, waiting)
    unique: dict[tuple[str, str], SavedFile] = {}
    for saved in walk.saved:
        unique.setdefault((saved.kind, saved.reference), saved)
    log.info(
        "ERAs: %d listed on %d page(s), %d files saved, %d PDF(s) asked for, %d still generating",
        len(walk.listings), walk.pages, len(unique), walk.requested, len(walk.pending),
    )  # fmt: skip
    return EraDownload(
        tuple(walk.listings),
        tuple(unique.values()),
        walk.skipped_known,
        walk.pages,
        "request",
        pending_pdfs=tuple(walk.pending.items()),
        pdf_requested=walk.requested,
        access="standard" if walk.standard else "full",
        unavailable=STANDARD_CANNOT if walk.standard else (),
        bundle_files=walk.from_bundles,
        count_mismatches=walk.mismatches,
    )
