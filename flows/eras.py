"""ERA flow: search payments by date range, walk every results page, save each 835 and PDF remit."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from playwright.async_api import Locator

from flows.downloads import DEFAULT_POOL, already_saved, click_download, fetch, fetch_all
from flows.portal import PortalPage
from flows.records import EraDownload, PaymentListing, SavedFile, SavedKind

log = logging.getLogger(__name__)

DATE_NAMES: tuple[str, ...] = ("payments.from", "payments.to", "payments.search")
"""The date search; portals whose payments page offers periods instead use flows.view_payments."""
NAMES: tuple[str, ...] = (
    *DATE_NAMES,
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
Method = Literal["auto", "request", "click"]
CLICK_MARGIN = 0.5
LINKS: dict[SavedKind, str] = {"835": "payments.row_835", "pdf": "payments.row_pdf"}


async def search_payments(portal: PortalPage, since: dt.date, until: dt.date) -> None:
    """Open the payments page and search the date range."""
    fmt = portal.smap.options.get("date_format", "%Y-%m-%d")
    await portal.goto("payments", step=STEP)
    await (await portal.find("payments.from")).fill(since.strftime(fmt))
    await (await portal.find("payments.to")).fill(until.strftime(fmt))
    await (await portal.find("payments.search")).click()
    await portal.after_action(STEP)


async def read_row(portal: PortalPage, row: Locator) -> PaymentListing:
    """One results row as a PaymentListing (absolute link URLs)."""
    return PaymentListing(
        payment_number=await portal.text_in(row, "payments.row_number"),
        payment_date=await portal.text_in(row, "payments.row_date"),
        amount=await portal.text_in(row, "payments.row_amount"),
        payer=await portal.text_in(row, "payments.row_payer"),
        era_url=await portal.href_in(row, "payments.row_835"),
        pdf_url=await portal.href_in(row, "payments.row_pdf"),
    )


TEXTS = ("payments.row_number", "payments.row_date", "payments.row_amount", "payments.row_payer")


async def read_rows(portal: PortalPage, rows: Locator) -> list[PaymentListing]:
    """Every row of a results page, a column at a time (a few calls per page, not a few per cell)."""
    count = await rows.count()
    texts = [await portal.column_of(rows, count, name) for name in TEXTS]
    if any(column is None for column in texts):
        return list(await asyncio.gather(*(read_row(portal, rows.nth(i)) for i in range(count))))
    hrefs = []
    for name in LINKS.values():
        column = await portal.column_of(rows, count, name, "href")
        if column is None:  # some row lacks the link: ask row by row
            column = [await portal.href_in(rows.nth(i), name) or "" for i in range(count)]
        hrefs.append(column)
    number, date, amount, payer = (column or [] for column in texts)
    return [
        PaymentListing(number[i], date[i], amount[i], payer[i], hrefs[0][i] or None, hrefs[1][i] or None)
        for i in range(count)
    ]


async def _next_page(portal: PortalPage) -> bool:
    """Click "next" when there is an enabled next link/button; False on the last page."""
    if not await portal.smap.present(portal.page, "payments.next"):
        return False
    nxt = await portal.find("payments.next")
    disabled = await nxt.get_attribute("aria-disabled") == "true" or await nxt.is_disabled()
    if disabled:
        return False
    await nxt.click()
    await portal.after_action(STEP)
    return True


def listing_key(listing: PaymentListing) -> str:
    """What identifies a payment row: payment number, date, amount and payer (never TRN02 alone)."""
    amount = listing.amount.replace("$", "").replace(",", "").replace(" ", "")
    payer = " ".join(listing.payer.split()).upper()
    return "|".join((listing.payment_number.strip(), listing.payment_date.strip(), amount, payer))


def _reference(listing: PaymentListing, seen: Counter[str]) -> str:
    base = listing_key(listing)
    repeat = seen[base]
    seen[base] += 1
    return base if repeat == 0 else f"{base}#{repeat}"


def listing_references(listings: Sequence[PaymentListing]) -> list[str]:
    """The reference of each row of one search, in order: its key, plus ``#n`` for the n-th repeat of it.

    Saved files carry this reference, and their generated names derive from it, so two rows can never
    overwrite each other's file; the store's sha256 dedupe stays the final word.
    """
    seen: Counter[str] = Counter()
    return [_reference(listing, seen) for listing in listings]


Row = tuple[str, PaymentListing]
"""A listing with its reference."""


def _all_known(row: Row, known: frozenset[tuple[SavedKind, str]]) -> bool:
    ref, listing = row
    return ("835", ref) in known and (listing.pdf_url is None or ("pdf", ref) in known)


async def _click_row_files(
    portal: PortalPage,
    row: Locator,
    item: Row,
    dest: Path,
    known: frozenset[tuple[SavedKind, str]],
) -> list[SavedFile]:
    ref, _ = item
    saved = []
    for kind, name in LINKS.items():
        if (kind, ref) in known:
            continue
        if already_saved(dest, kind, ref) is not None:
            continue
        if await portal.smap.present(row, name):
            await portal.click_budget(STEP)
            link = await portal.smap.find(row, name, timeout_s=2)
            saved.append(await click_download(portal.page, link, dest, kind, ref))
    return saved


async def download_eras(
    portal: PortalPage,
    dest: Path,
    *,
    since: dt.date,
    until: dt.date,
    known: frozenset[tuple[SavedKind, str]] = frozenset(),
    method: Method = "auto",
    pool: int = DEFAULT_POOL,
) -> EraDownload:
    """Save every new payment's 835 and PDF between ``since`` and ``until`` into ``dest``.

    ``known`` holds ``(kind, reference)`` pairs already recorded (see ``listing_references``); they are
    not fetched again. Each saved file's ``reference`` is its row's reference.
    A file left on disk by an interrupted run is returned as ``reused`` instead of being fetched.
    ``auto`` times one click-download against one request-fetch of the same link and uses the faster.
    """
    await search_payments(portal, since, until)
    listings: list[PaymentListing] = []
    saved: list[SavedFile] = []
    pages = 0
    measured = False
    gate = asyncio.Semaphore(pool)
    fetching: list[asyncio.Task[list[SavedFile]]] = []
    chosen: Literal["request", "click"] = "click" if method == "click" else "request"
    seen: Counter[str] = Counter()
    try:
        while True:
            pages += 1
            found = await portal.first_of(("payments.row", "payments.no_results"), step=STEP)
            if found == "payments.no_results":
                break
            rows = await portal.find("payments.row")
            on_page = await read_rows(portal, rows)
            listings += on_page
            items = [(_reference(listing, seen), listing) for listing in on_page]
            for i, item in enumerate(items):
                row = rows.nth(i)
                if _all_known(item, known):
                    continue
                if method == "auto" and not measured and item[1].era_url and ("835", item[0]) not in known:
                    chosen, first = await _measure(portal, row, item, dest)
                    measured = True
                    saved.append(first)
                if chosen == "click":
                    saved += await _click_row_files(portal, row, item, dest, known)
            if chosen == "request":  # fetch this page's files while the next page loads
                fetching.append(asyncio.create_task(_fetch_listings(portal, items, dest, gate, known)))
            if not await _next_page(portal):
                break
        for done in await asyncio.gather(*fetching):
            saved += done
    except BaseException:
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)
        raise
    unique: dict[tuple[str, str], SavedFile] = {}
    for f in saved:
        unique.setdefault((f.kind, f.reference), f)
    log.info("ERAs: %d listed on %d page(s), %d files saved by %s", len(listings), pages, len(unique), chosen)
    return EraDownload(
        tuple(listings),
        tuple(unique.values()),
        sum(_all_known(x, known) for x in zip(listing_references(listings), listings, strict=True)),
        pages,
        chosen,
    )


async def _fetch_listings(
    portal: PortalPage,
    items: list[Row],
    dest: Path,
    gate: asyncio.Semaphore,
    known: frozenset[tuple[SavedKind, str]],
) -> list[SavedFile]:
    saved: list[SavedFile] = []
    jobs: list[tuple[str, SavedKind, str]] = []
    for ref, listing in items:
        links: tuple[tuple[SavedKind, str | None], ...] = (("835", listing.era_url), ("pdf", listing.pdf_url))
        for kind_, url in links:
            if url is None or (kind_, ref) in known:
                continue
            earlier = already_saved(dest, kind_, ref)
            if earlier is not None:
                saved.append(earlier)
            else:
                jobs.append((url, kind_, ref))
    return saved + await fetch_all(portal.context, jobs, dest, pool=gate)


async def _measure(
    portal: PortalPage, row: Locator, item: Row, dest: Path
) -> tuple[Literal["request", "click"], SavedFile]:
    """Download the first 835 both ways and keep the faster way for the rest of the run."""
    ref, listing = item
    assert listing.era_url is not None
    earlier = already_saved(dest, "835", ref)
    if earlier is not None:
        return "request", earlier
    start = time.perf_counter()
    await portal.click_budget(STEP)
    link = await portal.smap.find(row, "payments.row_835", timeout_s=2)
    by_click = await click_download(portal.page, link, dest, "835", ref)
    click_s = time.perf_counter() - start
    start = time.perf_counter()
    await fetch(portal.context, listing.era_url, dest, "835", ref)
    request_s = time.perf_counter() - start
    # one sample each is noisy on a busy machine: clicking must win clearly to be chosen
    chosen: Literal["request", "click"] = "click" if click_s < request_s * CLICK_MARGIN else "request"
    log.info("download timing: click %.1f ms, request %.1f ms -> %s", click_s * 1e3, request_s * 1e3, chosen)
    return chosen, by_click
