"""Claim batch flow: upload an 837 (named after its sha256) and read the portal's batch list."""

from __future__ import annotations

import logging
from pathlib import Path

from playwright.async_api import Error as PlaywrightError

from connector.errors import PortalError, SelectorMissing
from flows.portal import PortalPage
from flows.records import BatchReceipt, PortalBatch

log = logging.getLogger(__name__)

NAMES: tuple[str, ...] = (
    "batches.file",
    "batches.upload",
    "batches.confirmation",
    "batches.batch_id",
    "batches.duplicate",
    "batches.error",
    "batches.row",
    "batches.row_id",
    "batches.row_file",
    "batches.row_status",
)
STEP = "batch upload"


def upload_name(sha256: str) -> str:
    """The file name we upload under: it carries the idempotency key so the batch list can settle it."""
    return f"batch-{sha256[:16]}.837"


async def upload_batch(
    portal: PortalPage, content: bytes, sha256: str, *, timeout_s: float = 30
) -> BatchReceipt:
    """Upload one batch. SUBMITTED with the batch id, DUPLICATE, or UNKNOWN when the outcome is not known.

    The runner has already written its PENDING row; any failure after the click is UNKNOWN, never retried.
    """
    name = upload_name(sha256)
    await portal.goto("batches", step=STEP)
    field = await portal.find("batches.file")
    await field.set_input_files({"name": name, "mimeType": "text/plain", "buffer": content})
    button = await portal.find("batches.upload")
    try:
        await button.click()
        outcome = await portal.first_of(
            ("batches.duplicate", "batches.confirmation", "batches.error"), step=STEP, timeout_s=timeout_s
        )
    except (PlaywrightError, SelectorMissing, PortalError) as exc:
        log.warning("batch upload outcome unknown (%s)", type(exc).__name__)
        return BatchReceipt("UNKNOWN", None, name, type(exc).__name__)
    if outcome == "batches.error":
        text = (await (await portal.find("batches.error")).inner_text()).strip()
        return BatchReceipt("UNKNOWN", None, name, f"portal error: {text[:200]}")
    batch_id = (await (await portal.find("batches.batch_id")).inner_text()).strip() or None
    if outcome == "batches.duplicate":
        return BatchReceipt("DUPLICATE", batch_id, name, "the portal says this file was uploaded before")
    return BatchReceipt("SUBMITTED", batch_id, name)


async def list_batches(portal: PortalPage) -> list[PortalBatch]:
    """Every batch the portal lists (id, uploaded file name, status)."""
    await portal.goto("batches", step="batch list")
    if not await portal.smap.present(portal.page, "batches.row"):
        return []
    rows = await portal.find("batches.row")
    out = []
    for i in range(await rows.count()):
        row = rows.nth(i)
        out.append(
            PortalBatch(
                batch_id=await portal.text_in(row, "batches.row_id"),
                file_name=Path(await portal.text_in(row, "batches.row_file")).name,
                status=await portal.text_in(row, "batches.row_status"),
            )
        )
    return out
