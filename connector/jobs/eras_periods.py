"""The ERA job on portals without date fields (Optum Pay): period walk, PDF requests kept across runs."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from connector import store
from connector.jobs.context import JobContext, known_references
from connector.jobs.era_files import lookback, record_era_files
from connector.store import FileKind
from flows.bundles import BUNDLE_DAYS
from flows.view_payments import walk_payments

log = logging.getLogger(__name__)

PDF_WAIT_S = 120.0
"""How long one run waits for PDFs it asked for before leaving them to later runs."""
BUNDLE_WAIT_S = 120.0
"""How long a new account's first run waits for its Payment Data Files bundles."""
PDF_GIVE_UP = dt.timedelta(days=3)
"""A PDF asked for this long ago and still missing is reported (once) for a person to ask the payer."""


def _payment_date(text: str) -> dt.date | None:
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


async def run_by_period(ctx: JobContext) -> dict[str, Any]:
    """Walk View Payments, save new 835s and PDFs, keep PDFs still generating for later runs.

    The lookback reaches back to the oldest PDF still awaited. A new account's first run (no successful ERA
    run yet) over more than one bundle's days asks for Payment Data Files bundles first. Standard access is
    recorded in the counts (``access``, ``unavailable``); the cycle tells a person once.
    """
    options = ctx.options
    with ctx.factory.begin() as session:
        since, until = lookback(ctx, session)
        account_id = ctx.account_id(session)
        first_run = store.last_successful_run(session, "eras", account_id) is None
        known = known_references(session, (FileKind.ERA_835, FileKind.PDF))
        # a PDF stored by a run that stopped before closing its request is not awaited any more
        store.close_pdf_requests(
            session, account_id, (ref for kind, ref in known if kind == FileKind.PDF.value)
        )
        awaited = [r.payment_date for r in store.open_pdf_requests(session, account_id) if r.payment_date]
    if awaited and min(awaited) < since:
        since = min(awaited)
    flow_known = frozenset((("835" if k == FileKind.ERA_835.value else "pdf"), ref) for k, ref in known)
    backfill = bool(options.get("backfill", first_run and (until - since).days > BUNDLE_DAYS))
    got = await walk_payments(
        ctx.portal,
        ctx.downloads / "eras",
        since=since,
        until=until,
        known=flow_known,  # type: ignore[arg-type]
        tins=tuple(ctx.account_settings.tins),
        pdf_wait_s=float(options.get("pdf_wait_s", PDF_WAIT_S)),
        poll_s=float(options.get("poll_s", 3.0)),
        backfill_bundles=backfill,
        bundle_wait_s=float(options.get("bundle_wait_s", BUNDLE_WAIT_S)),
    )
    counts = record_era_files(ctx, got)
    pending = [
        (ref, listing.payment_number, _payment_date(listing.payment_date))
        for ref, listing in got.pending_pdfs
    ]
    with ctx.factory.begin() as session:
        collected = store.close_pdf_requests(
            session, account_id, (f.reference for f in got.files if f.kind == "pdf")
        )
        store.note_pdf_requests(session, account_id, pending, ctx.run_id)
        give_up = options.get("pdf_give_up", PDF_GIVE_UP)
        overdue = [
            r.payment_number or r.portal_reference
            for r in store.overdue_pdf_requests(session, account_id, give_up)
        ]
        still = len(store.open_pdf_requests(session, account_id))
    if overdue:
        log.warning(
            "%d PDF remit(s) asked for more than %s ago never appeared (payments %s); ask the payer",
            len(overdue), give_up, ", ".join(overdue[:20]),
        )  # fmt: skip
    counts |= {
        "pdf_requested": got.pdf_requested,
        "pdf_collected_later": collected,
        "pdf_pending": still,
        "pdf_never_ready": len(overdue),
        "bundle_files": got.bundle_files,
        "count_mismatches": got.count_mismatches,
        "access": got.access,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "method": got.method,
    }
    if got.unavailable:
        counts["unavailable"] = ", ".join(got.unavailable)
    if overdue:
        counts["pdf_never_ready_payments"] = ", ".join(overdue[:20])
    return counts
