"""Claim batch flow: upload an 837 (named after its sha256) and read the portal's batch list."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from playwright.async_api import Error as PlaywrightError

from connector.errors import PortalError, SelectorMissing
from flows.portal import PortalPage
from flows.records import BatchReceipt, PortalBatch, ReceiptState

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
TRANSIENT = re.compile(r"expired|try again|timed? ?out|session", re.IGNORECASE)
"""An error message about the session or form, not the file: such an upload is UNKNOWN, not REJECTED."""
REJECTED: ReceiptState = "REJECTED"
"""The portal refused the file."""


def upload_name(sha256: str) -> str:
    """The file name we upload under: it carries the idempotency key so the batch list can settle it."""
    return f"batch-{sha256[:16]}.837"


async def upload_batch(
    portal: PortalPage, content: bytes, sha256: str, *, timeout_s: float = 30
) -> BatchReceipt:
    """Upload one batch: SUBMITTED with the batch id, DUPLICATE, REJECTED when the portal refuses the file
    (its message in ``detail``), or UNKNOWN when the outcome is not known (also a confirmation without id).

    The runner has already written its PENDING row; any failure after the click is UNKNOWN, never retried.
    """
    name = upload_name(sha256)
    await portal.goto("batches", step=STEP)
    field = await portal.find("batches.file")
    await field.set_input_files({"name": name, "mimeType": "text/plain", "buffer": content})
    button = await portal.find("batches.upload")
    try:
        await button.click()
        # the batch id (not the confirmation box) is the sign of success: the page before the upload may
        # hold a status line ("No batches uploaded yet.") that a loose confirmation selector also matches
        outcome = await portal.first_of(
            ("batches.duplicate", "batches.batch_id", "batches.error"), step=STEP, timeout_s=timeout_s
        )
    except (PlaywrightError, SelectorMissing, PortalError) as exc:
        log.warning("batch upload outcome unknown (%s)", type(exc).__name__)
        return BatchReceipt("UNKNOWN", None, name, type(exc).__name__)
    if outcome == "batches.error":
        # a definite refusal (e.g. "not a valid 837"): uploading the same bytes again cannot help
        text = await _text(portal, "batches.error")
        detail = f"portal error: {text[:200]}" if text else "portal error"
        if TRANSIENT.search(text):  # "your form expired, try again": not about the file; the list decides
            log.warning("batch upload not taken (transient portal error)")
            return BatchReceipt("UNKNOWN", None, name, detail)
        log.warning("batch upload refused by the portal")
        return BatchReceipt(REJECTED, None, name, detail)
    batch_id = await _text(portal, "batches.batch_id") or None
    if outcome == "batches.duplicate":
        return BatchReceipt("DUPLICATE", batch_id, name, "the portal says this file was uploaded before")
    if batch_id is None:  # taken, but under which id? the batch list will tell
        log.warning("batch upload confirmed without a batch id")
        return BatchReceipt("UNKNOWN", None, name, "confirmation without a batch id")
    return BatchReceipt("SUBMITTED", batch_id, name)


async def _text(portal: PortalPage, name: str) -> str:
    """The trimmed text of a logical name on the page, "" when it cannot be read."""
    try:
        return (await (await portal.find(name)).inner_text()).strip()
    except (PlaywrightError, SelectorMissing, PortalError):
        return ""


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
