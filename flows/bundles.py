"""Payment Data Files: ask for 835/EPRA bundles (30 days each) for a backfill, collect the zips when built."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError

from connector.errors import InputError, PortalUnavailable, SelectorMissing
from connector.fileio import atomic_write_bytes, ensure_private_dir
from connector.zipguard import zip_members
from flows.downloads import generated_name, looks_complete
from flows.portal import PortalPage
from flows.records import SavedKind as FileKind

log = logging.getLogger(__name__)

STEP = "payment data files"
BUNDLE_DAYS = 30
POLL_S = 3.0
_TRN = re.compile(rb"TRN\*1\*([^*~\r\n]+)")
_TOKEN = re.compile(r"[A-Za-z0-9]+")


@dataclass(slots=True)
class Bundled:
    """Files unpacked from bundles, by (kind, payment number); ``unavailable`` when the portal offers none."""

    files: dict[tuple[FileKind, str], Path] = field(default_factory=dict)
    requested: int = 0
    collected: int = 0
    unavailable: bool = False

    def take(self, kind: FileKind, payment_number: str) -> Path | None:
        """The unpacked file for a payment, if a bundle held one."""
        return self.files.get((kind, payment_number.strip()))


def chunks(since: dt.date, until: dt.date, days: int = BUNDLE_DAYS) -> list[tuple[dt.date, dt.date]]:
    """``since``..``until`` cut into ranges of at most ``days`` days (newest first)."""
    out = []
    end = until
    while end >= since:
        start = max(since, end - dt.timedelta(days=days))
        out.append((start, end))
        end = start - dt.timedelta(days=1)
    return out


async def _detail_links(portal: PortalPage) -> list[str]:
    await portal.goto("bundles", step=STEP)
    if not await portal.smap.present(portal.page, "bundles.row"):
        return []
    rows = await portal.find("bundles.row")
    links = []
    for i in range(await rows.count()):
        href = await portal.href_in(rows.nth(i), "bundles.row_details")
        if href:
            links.append(href)
    return links


async def _request(portal: PortalPage, start: dt.date, end: dt.date) -> None:
    fmt = portal.smap.options.get("date_format", "%m/%d/%Y")
    await portal.goto("data_files", step=STEP)
    await portal.fill("datafiles.from", start.strftime(fmt), step=STEP)
    await portal.fill("datafiles.to", end.strftime(fmt), step=STEP)
    for name in ("datafiles.type_835", "datafiles.type_epra"):
        await (await portal.find(name)).check()
    await (await portal.find("datafiles.add_all_payers")).click()
    await (await portal.find("datafiles.submit")).click()
    await portal.after_action(STEP)
    found = await portal.first_of(("datafiles.submitted", "datafiles.error"), step=STEP)
    if found == "datafiles.error":
        text = (await (await portal.find("datafiles.error")).inner_text()).strip()[:160]
        raise SelectorMissing(portal.smap.portal, "datafiles.submit", f"the bundle form was refused: {text}")


def _index(name: str, body: bytes, folder: Path, out: Bundled) -> None:
    kind: FileKind
    if looks_complete("835", body):
        kind = "835"
        numbers = {m.decode("ascii", "replace").strip() for m in _TRN.findall(body)}
    elif looks_complete("pdf", body):
        kind = "pdf"
        numbers = set(_TOKEN.findall(name.rsplit(".", 1)[0]))
    else:
        log.warning("bundle member %s is neither an 835 nor a PDF; left out", name)
        return
    target = folder / generated_name(kind, name)
    atomic_write_bytes(target, body)
    for number in numbers:
        out.files.setdefault((kind, number), target)


async def _collect(portal: PortalPage, link: str, folder: Path, out: Bundled) -> bool:
    """Open a bundle's details; when its zip is built, fetch and unpack it (guarded). True when done."""
    await portal.page.goto(link, wait_until="domcontentloaded")
    await portal.after_action(STEP)
    name = (await (await portal.find("bundle.file_name")).inner_text()).split(":", 1)[-1].strip()
    if not name or name.upper() == "N/A" or not await portal.smap.present(portal.page, "bundle.download"):
        return False
    raw = await (await portal.find("bundle.download")).get_attribute("href")
    if not raw:
        return False
    href = urljoin(portal.page.url, raw)
    try:
        resp = await portal.context.request.get(href, timeout=120_000)
        body = await resp.body()
    except PlaywrightError as exc:
        raise PortalUnavailable(f"bundle download failed ({type(exc).__name__})", step=STEP) from None
    if resp.status != 200:
        raise PortalUnavailable(f"bundle download: HTTP {resp.status}", step=STEP)
    try:
        for member, data in zip_members(body, f"bundle {name}"):
            _index(member, data, folder, out)
    except InputError as exc:
        log.warning("bundle refused: %s; its payments are fetched one by one", exc)
        return True
    out.collected += 1
    return True


async def backfill(
    portal: PortalPage, dest: Path, since: dt.date, until: dt.date, *, wait_s: float, poll_s: float = POLL_S
) -> Bundled:
    """Ask for 835+EPRA bundles covering ``since``..``until`` and unpack those built within ``wait_s``.

    Bundles are built later by the portal (it emails when they are ready); whatever is not built in time is
    simply fetched row by row by the ERA walk, so nothing depends on a bundle arriving.
    """
    out = Bundled()
    await portal.goto("data_files", step=STEP)
    if await portal.smap.present(portal.page, "datafiles.upsell"):
        out.unavailable = True
        return out
    before = set(await _detail_links(portal))
    for start, end in chunks(since, until):
        await _request(portal, start, end)
        out.requested += 1
    folder = ensure_private_dir(dest / "bundled")
    waiting = [link for link in await _detail_links(portal) if link not in before]
    deadline = time.monotonic() + wait_s
    while waiting:
        waiting = [link for link in waiting if not await _collect(portal, link, folder, out)]
        if not waiting or time.monotonic() >= deadline:
            break
        await asyncio.sleep(min(poll_s, max(0.0, deadline - time.monotonic())))
    if waiting:
        log.info("%d bundle(s) not built in time; their payments are fetched row by row", len(waiting))
    return out
