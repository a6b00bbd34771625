"""The ERA job: download new ERAs and PDF remits, record each file once, store each 835 transaction once."""

from __future__ import annotations

from typing import Any

from connector.jobs.context import JobContext, known_references
from connector.jobs.era_files import lookback, record_era_files
from connector.jobs.eras_periods import run_by_period
from connector.store import FileKind
from flows.eras import download_eras


async def run(ctx: JobContext) -> dict[str, Any]:
    """Download new ERAs and PDF remits, record each file once, store each 835 transaction once.

    A listing row is known by its reference (payment number, date, amount, payer: see
    ``flows.eras.listing_references``), never by the payment number alone; the file's sha256 decides last.
    Portals whose payments page offers periods instead of dates (Optum Pay) go through eras_periods.
    """
    if ctx.portal.smap.has("payments.period"):
        return await run_by_period(ctx)
    with ctx.factory.begin() as session:
        since, until = lookback(ctx, session)
        known = known_references(session, (FileKind.ERA_835, FileKind.PDF))
    flow_known = frozenset((("835" if k == FileKind.ERA_835.value else "pdf"), ref) for k, ref in known)
    got = await download_eras(
        ctx.portal,
        ctx.downloads / "eras",
        since=since,
        until=until,
        known=flow_known,  # type: ignore[arg-type]
        method=ctx.options.get("method", "auto"),
    )
    counts = record_era_files(ctx, got)
    return {**counts, "method": got.method, "since": since.isoformat(), "until": until.isoformat()}
