"""What both ERA jobs share: the lookback window, and recording saved 835s and PDFs once each."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from connector import store
from connector.codetables import load_code_lists
from connector.errors import X12ParseError
from connector.jobs.context import STORE_KIND, JobContext
from connector.store import FileKind
from connector.x12 import read_835
from flows.eras import listing_references
from flows.records import EraDownload, SavedFile

log = logging.getLogger(__name__)

DEFAULT_LOOKBACK_DAYS = 120
OVERLAP_DAYS = 3


def lookback(ctx: JobContext, session: Session) -> tuple[dt.date, dt.date]:
    """``since``..``until`` of this run: the options', else from the last successful run (a few days
    of overlap), else the default lookback."""
    today = dt.datetime.now(dt.UTC).date()
    until = ctx.options.get("until") or today
    if ctx.options.get("since"):
        return ctx.options["since"], until
    last = store.last_successful_run(session, "eras", ctx.account_id(session))
    if last is None:
        return today - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS), until
    return last.started_at.date() - dt.timedelta(days=OVERLAP_DAYS), until


def _record_835(
    ctx: JobContext,
    session: Session,
    saved: SavedFile,
    kept: tuple[bytes, str],
    payment_number: str | None,
    counts: dict[str, int],
) -> bool:
    data, location = kept
    try:
        codes = load_code_lists(ctx.settings.mappings_dir)
        remits = list(read_835(data, source=saved.path.name, strict=ctx.settings.x12_strict, codes=codes))
    except X12ParseError as exc:
        # a malformed 835 must not stop every later run: keep the file, record it once (so it is not
        # fetched again), read nothing from it, and report it for a person to look at
        _, new = store.record_file(
            session,
            kind=FileKind.ERA_835,
            sha256=saved.sha256,
            size=saved.size,
            stored_path=location,
            run_id=ctx.run_id,
            payment_number=payment_number,
            portal_reference=saved.reference,
            unreadable_reason=str(exc),
        )
        counts["quarantined" if new else "files_seen"] += 1
        log.warning(
            "835 %s does not parse (segment %s %s): quarantined, not read",
            saved.path.name,
            exc.segment_number,
            exc.segment_id or "",
        )
        return False
    first = remits[0] if remits else None
    row, new = store.record_file(
        session,
        kind=FileKind.ERA_835,
        sha256=saved.sha256,
        size=saved.size,
        stored_path=location,
        run_id=ctx.run_id,
        payer_id=store.dedupe_key(first)[0] if first else None,
        payment_number=payment_number,
        isa13=first.envelope.interchange_control_number if first else None,
        gs06=first.envelope.group_control_number if first else None,
        portal_reference=saved.reference,
    )
    counts["files_new" if new else "files_seen"] += 1
    for remit in remits:
        _, added = store.save_remittance(session, remit, row.id)
        counts["remittances_new" if added else "remittances_seen"] += 1
    return new


def record_era_files(ctx: JobContext, got: EraDownload) -> dict[str, Any]:
    """Record each saved 835 and PDF once (835 transactions stored once); returns the job's counts."""
    numbers = {
        ref: listing.payment_number
        for ref, listing in zip(listing_references(got.listings), got.listings, strict=True)
    }
    counts = dict.fromkeys(
        ("files_new", "files_seen", "remittances_new", "remittances_seen", "quarantined"), 0
    )
    counts |= {"listed": len(got.listings), "pages": got.pages, "skipped_known": got.skipped_known}
    counts["fetched"] = sum(not f.reused for f in got.files)
    for saved in got.files:
        number = numbers.get(saved.reference)
        data, location = kept = ctx.keep(saved)  # the file store's seam (the data folder by default)
        with ctx.factory.begin() as session:
            if saved.kind == "835":
                new = _record_835(ctx, session, saved, kept, number, counts)
            else:
                _, new = store.record_file(
                    session,
                    kind=STORE_KIND[saved.kind],
                    sha256=saved.sha256,
                    size=saved.size,
                    stored_path=location,
                    run_id=ctx.run_id,
                    payment_number=number,
                    portal_reference=saved.reference,
                )
                counts["files_new" if new else "files_seen"] += 1
        if new:  # a new, readable file: also into the export folders, once (never a quarantined one)
            ctx.export(saved.path.name, data)
    return counts
