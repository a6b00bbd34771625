"""The upload job: send each 837 in the outbox once, and settle uploads whose outcome was unknown."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from connector import store
from connector.errors import X12ParseError
from connector.fileio import ensure_private_dir
from connector.filestore import DB_PREFIX
from connector.jobs import outbox
from connector.jobs.context import JobContext
from connector.store import BatchState
from connector.x12 import iter_transactions
from flows.batches import REJECTED, list_batches, upload_batch, upload_name

log = logging.getLogger(__name__)


async def _settle_unknown(ctx: JobContext, account_id: int) -> int:
    """Read the portal's batch list and settle every UNKNOWN batch before anything is uploaded."""
    with ctx.factory.begin() as session:
        unknown = [
            (b.id, b.idempotency_key)
            for b in store.open_batches(session, account_id)
            if b.state is BatchState.UNKNOWN
        ]
    if not unknown:
        return 0
    listed = {b.file_name: b for b in await list_batches(ctx.portal)}
    with ctx.factory.begin() as session:
        for batch_id, key in unknown:
            seen = listed.get(upload_name(key))
            if seen is not None:
                store.mark_submitted(session, batch_id, seen.batch_id)
            else:
                store.mark_pending_again(session, batch_id, "not in the portal's batch list")
    return len(unknown)


def _envelope(data: bytes, source: str) -> tuple[str, str, str, int]:
    txns = list(iter_transactions(data, source=source))
    if not txns:
        raise X12ParseError("no transaction set", source=source)
    env = txns[0].envelope
    claims = sum(1 for t in txns for seg in t.segments if seg and seg[0] == "CLM")
    return env.interchange_control_number, env.group_control_number, env.transaction_control_number, claims


async def run(ctx: JobContext) -> dict[str, Any]:
    """Upload each 837 once: PENDING row first, then the click; SUBMITTED, DUPLICATE or UNKNOWN after.

    The batches are the files given, else the account's outbox: its folder, or in fleet mode the shared
    outbox in the database (``connector.jobs.outbox``), which this machine's outbox folder is moved into.
    """
    counts = dict.fromkeys(
        ("submitted", "unknown", "duplicate", "rejected", "skipped", "settled", "quarantined"), 0
    )
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
    counts["settled"] = await _settle_unknown(ctx, account_id)
    given = ctx.options.get("files")
    if given or not outbox.shared(ctx.files):
        for path in [Path(p) for p in given or sorted(ctx.outbox.glob("*.837"))]:
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()  # the key of the very bytes uploaded, not a second read
            final = await _upload_one(ctx, account_id, path.name, data, sha, str(path), counts)
            if final is None:  # malformed: moved aside (reported once), never uploaded
                aside = ensure_private_dir(path.parent / "quarantine") / path.name
                path.replace(aside)
        return counts
    files = ctx.files
    outbox.publish_local(files, ctx.account, ctx.outbox)
    for name, data in outbox.waiting(files, ctx.account):
        sha = hashlib.sha256(data).hexdigest()
        final = await _upload_one(ctx, account_id, name, data, sha, DB_PREFIX + sha, counts)
        if final is None:
            outbox.quarantine(files, ctx.account, name, data)
        elif final:
            outbox.done(files, ctx.account, name, data)
    return counts


async def _upload_one(
    ctx: JobContext, account_id: int, name: str, data: bytes, sha: str, where: str, counts: dict[str, int]
) -> bool | None:
    """Upload one batch once; True when its state is final (it can leave the outbox), False while the
    outcome is unknown, None when the file is not a valid 837 (the caller moves it aside)."""
    try:
        isa13, gs06, st02, claim_count = _envelope(data, name)
    except X12ParseError as exc:
        # one malformed 837 must not hold back the others
        counts["quarantined"] += 1
        log.warning("outbox file %s is not a valid 837 (%s): moved aside", name, exc.segment_id)
        return None
    with ctx.factory.begin() as session:
        batch, _ = store.create_pending(
            session,
            sha,
            isa13=isa13,
            gs06=gs06,
            st02=st02,
            claim_count=claim_count,
            file_path=where,
            account_id=account_id,
        )
        batch_id, state = batch.id, batch.state
    if state is not BatchState.PENDING:  # uploaded before (by any worker): never again
        counts["skipped"] += 1
        return state is not BatchState.UNKNOWN
    receipt = await upload_batch(ctx.portal, data, sha)
    with ctx.factory.begin() as session:
        if receipt.state == "SUBMITTED" and receipt.batch_id:
            store.mark_submitted(session, batch_id, receipt.batch_id)
            counts["submitted"] += 1
        elif receipt.state == "DUPLICATE" and receipt.batch_id:
            # the portal already holds this very file (same sha256): it is our batch, e.g. after a
            # dropped reply that Chromium re-sent; its acknowledgements come under that batch id
            store.mark_submitted(session, batch_id, receipt.batch_id)
            counts["duplicate"] += 1
        elif receipt.state == "DUPLICATE":
            store.settle(session, batch_id, BatchState.DUPLICATE, "portal reports a duplicate file")
            counts["duplicate"] += 1
        elif receipt.state == REJECTED:
            # a definite refusal: settled, so the same bytes are never uploaded again
            store.settle(session, batch_id, BatchState.REJECTED, receipt.detail or "portal refused the file")
            counts["rejected"] += 1
        else:  # UNKNOWN, or SUBMITTED without a batch id: the batch list settles it on the next run
            store.mark_unknown(session, batch_id, receipt.detail or "upload outcome unknown")
            counts["unknown"] += 1
            return False
    return True
