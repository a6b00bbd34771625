"""Acknowledgements flow: list the responses mailbox and save new 999/277CA files for open batches."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from flows.downloads import DEFAULT_POOL, already_saved, fetch_all
from flows.portal import PortalPage
from flows.records import AckListing, SavedFile, SavedKind

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "responses.row",
    "responses.row_batch",
    "responses.row_kind",
    "responses.row_name",
    "responses.row_download",
    "responses.next",
)
STEP = "acknowledgements"


def ack_kind(label: str) -> SavedKind | None:
    """999 or 277CA from the mailbox's type column (None for anything else)."""
    text = label.upper().replace(" ", "")
    if "999" in text:
        return "999"
    if "277" in text:
        return "277ca"
    return None


async def list_responses(portal: PortalPage) -> list[AckListing]:
    """Every file in the responses mailbox, all pages."""
    await portal.goto("responses", step=STEP)
    out: list[AckListing] = []
    while True:
        if await portal.smap.present(portal.page, "responses.row"):
            rows = await portal.find("responses.row")
            for i in range(await rows.count()):
                row = rows.nth(i)
                kind = ack_kind(await portal.text_in(row, "responses.row_kind"))
                url = await portal.href_in(row, "responses.row_download")
                if kind is None or url is None:
                    continue
                batch = await portal.text_in(row, "responses.row_batch")
                out.append(AckListing(batch, kind, url, await portal.text_in(row, "responses.row_name")))
        if not await portal.smap.present(portal.page, "responses.next"):
            return out
        await (await portal.find("responses.next")).click()
        await portal.after_action(STEP)


async def download_acks(
    portal: PortalPage, dest: Path, open_batches: Iterable[str], *, known: frozenset[str] = frozenset()
) -> list[SavedFile]:
    """Save the 999/277CA files of ``open_batches`` not in ``known`` (references ``batch:kind:name``)."""
    wanted = set(open_batches)
    saved: list[SavedFile] = []
    jobs: list[tuple[str, SavedKind, str]] = []
    for item in await list_responses(portal):
        reference = f"{item.batch_id}:{item.kind}:{item.name or item.url}"
        if item.batch_id not in wanted or reference in known:
            continue
        earlier = already_saved(dest, item.kind, reference)
        if earlier is not None:
            saved.append(earlier)
        else:
            jobs.append((item.url, item.kind, reference))
    saved += await fetch_all(portal.context, jobs, dest, pool=DEFAULT_POOL)
    log.info("acknowledgements: %d files for %d open batches", len(saved), len(wanted))
    return saved
