"""Saving portal files: generated names, a bounded pool of cookie-carrying requests, or click + download."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from playwright.async_api import BrowserContext, Locator, Page
from playwright.async_api import Error as PlaywrightError

from connector.errors import DownloadFailed, PortalMaintenance, PortalUnavailable, SessionExpired
from connector.fileio import atomic_write_bytes, atomic_writer, sha256_file
from flows.records import SavedFile, SavedKind

EXTENSIONS: dict[SavedKind, str] = {"835": "835", "pdf": "pdf", "999": "999", "277ca": "277"}
STEP = "download"
DEFAULT_POOL = 6
"""Requests in flight at once: Chromium's own limit of connections per host."""


def generated_name(kind: SavedKind, reference: str) -> str:
    """A stable file name derived from the portal's reference (never the server-suggested name)."""
    digest = hashlib.sha256(f"{kind}\x1f{reference}".encode()).hexdigest()[:24]
    return f"{kind}-{digest}.{EXTENSIONS[kind]}"


def looks_complete(kind: SavedKind, body: bytes) -> bool:
    """A cheap completeness check (not parsing): X12 ends with an IEA segment, a PDF with %%EOF."""
    tail = body[-256:]
    if kind == "pdf":
        return body.startswith(b"%PDF") and b"%%EOF" in tail
    return body.lstrip().startswith(b"ISA") and b"IEA" in tail


def already_saved(dest: Path, kind: SavedKind, reference: str) -> SavedFile | None:
    """The file an earlier (possibly interrupted) run saved for this reference, if it is on disk."""
    target = dest / generated_name(kind, reference)
    if not target.is_file():
        return None
    return SavedFile(kind, target, sha256_file(target), target.stat().st_size, reference, reused=True)


def _check_body(kind: SavedKind, reference: str, body: bytes, declared: str | None) -> None:
    if declared is not None and declared.isdigit() and int(declared) != len(body):
        raise DownloadFailed(f"{kind} for {reference}: {len(body)} of {declared} bytes", step=STEP)
    if not looks_complete(kind, body):
        raise DownloadFailed(f"{kind} for {reference}: file is truncated or not a {kind}", step=STEP)


async def fetch(context: BrowserContext, url: str, dest: Path, kind: SavedKind, reference: str) -> SavedFile:
    """GET ``url`` with the context's cookies and save it atomically (0600) under a generated name."""
    try:
        resp = await context.request.get(url, max_redirects=0, timeout=60_000)
    except PlaywrightError as exc:
        raise DownloadFailed(f"{kind} for {reference}: {type(exc).__name__}", step=STEP) from None
    if resp.status in (301, 302, 303, 307, 308, 401, 403):
        raise SessionExpired(f"{kind} download was refused (HTTP {resp.status})", step=STEP)
    if resp.status == 503 and b"maintenance" in (await resp.body()).lower():
        raise PortalMaintenance("the portal is down for maintenance", step=STEP)
    if resp.status == 429 or resp.status >= 500:
        retry = resp.headers.get("retry-after")
        raise PortalUnavailable(
            f"HTTP {resp.status}", step=STEP, retry_after=float(retry) if retry and retry.isdigit() else None
        )
    if resp.status != 200:
        raise DownloadFailed(f"{kind} for {reference}: HTTP {resp.status}", step=STEP)
    try:
        body = await resp.body()
    except PlaywrightError as exc:
        raise DownloadFailed(f"{kind} for {reference}: body lost ({type(exc).__name__})", step=STEP) from None
    if "text/html" in resp.headers.get("content-type", ""):
        raise SessionExpired(f"{kind} download returned a web page instead of a file", step=STEP)
    _check_body(kind, reference, body, resp.headers.get("content-length"))
    target = dest / generated_name(kind, reference)
    sha = atomic_write_bytes(target, body)
    return SavedFile(kind, target, sha, len(body), reference)


async def fetch_all(
    context: BrowserContext,
    jobs: Sequence[tuple[str, SavedKind, str]],
    dest: Path,
    *,
    pool: int | asyncio.Semaphore = DEFAULT_POOL,
) -> list[SavedFile]:
    """Fetch ``(url, kind, reference)`` jobs, ``pool`` at a time; the first failure cancels the rest."""
    gate = pool if isinstance(pool, asyncio.Semaphore) else asyncio.Semaphore(pool)

    async def one(url: str, kind: SavedKind, reference: str) -> SavedFile:
        async with gate:
            return await fetch(context, url, dest, kind, reference)

    tasks = [asyncio.create_task(one(*job)) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def click_download(page: Page, link: Locator, dest: Path, kind: SavedKind, reference: str) -> SavedFile:
    """Click a download link, check ``download.failure()``, and copy the file atomically (0600)."""
    try:
        async with page.expect_download(timeout=60_000) as info:
            await link.click()
        download = await info.value
        failure = await download.failure()
        if failure:
            raise DownloadFailed(f"{kind} for {reference}: {failure[:100]}", step=STEP)
        body = await asyncio.to_thread(Path(await download.path()).read_bytes)
        await download.delete()
    except PlaywrightError as exc:
        raise DownloadFailed(f"{kind} for {reference}: {type(exc).__name__}", step=STEP) from None
    _check_body(kind, reference, body, None)
    target = dest / generated_name(kind, reference)
    with atomic_writer(target) as handle:
        handle.write(body)
    return SavedFile(kind, target, hashlib.sha256(body).hexdigest(), len(body), reference)
