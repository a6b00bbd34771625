"""The acknowledgement job: save new 999/277CA files for submitted batches and settle batches on them."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from connector import store
from connector.jobs.context import STORE_KIND, JobContext, known_references
from connector.store import BatchState, FileKind, SubmissionBatch
from connector.x12 import ClaimStatus, read_277ca, read_999
from flows.acks import download_acks
from flows.records import SavedFile

log = logging.getLogger(__name__)


def _claim_detail(claim: ClaimStatus) -> dict[str, Any]:
    """One claim of a 277CA for the acknowledgement's detail: id, verdict and every status code."""
    return {
        "claim": claim.claim_id,
        "category": claim.category,
        "rejected": claim.rejected,
        "statuses": [{"category": s.category, "code": s.code, "entity": s.entity} for s in claim.statuses],
    }


def _record_ack(
    ctx: JobContext, session: Session, saved: SavedFile, batch: SubmissionBatch, counts: dict[str, int]
) -> str:
    data, location = ctx.keep(saved)  # the file store's seam (the data folder by default)
    row, new = store.record_file(
        session,
        kind=STORE_KIND[saved.kind],
        sha256=saved.sha256,
        size=saved.size,
        stored_path=location,
        run_id=ctx.run_id,
        portal_reference=saved.reference,
    )
    if not new:
        return "seen"
    ctx.export(saved.path.name, data)
    if saved.kind == "999":
        for ack in read_999(data, source=saved.path.name, strict=ctx.settings.x12_strict):
            store.add_acknowledgement(
                session,
                kind=store.AckKind.ACK_999,
                accepted=ack.accepted,
                batch_id=batch.id,
                file_id=row.id,
                accepted_count=ack.accepted_count,
                rejected_count=max(ack.included - ack.accepted_count, 0),
                detail=[{"control_number": t.control_number, "status": t.status} for t in ack.transactions],
            )
            if not ack.accepted and batch.state is BatchState.SUBMITTED:
                store.settle(session, batch.id, BatchState.REJECTED, "999 rejected the batch")
        return "999"
    for ca in read_277ca(data, source=saved.path.name, strict=ctx.settings.x12_strict):
        accepted, rejected = ca.accepted_claims, ca.rejected_claims
        store.add_acknowledgement(
            session,
            kind=store.AckKind.ACK_277CA,
            accepted=bool(accepted),
            batch_id=batch.id,
            file_id=row.id,
            accepted_count=len(accepted),
            rejected_count=len(rejected),
            detail=[_claim_detail(c) for c in ca.claims],
        )
        counts["claims_accepted"] += len(accepted)
        counts["claims_rejected"] += len(rejected)
        if rejected:  # claim ids and codes are in the acknowledgement detail, not in the log
            log.warning(
                "277CA for batch %s: %d of %d claims rejected", batch.id, len(rejected), len(ca.claims)
            )
        if batch.state is BatchState.SUBMITTED:
            # ACCEPTED means "some claims got through"; the rejected ones are counted and kept in the detail
            final = BatchState.ACCEPTED if accepted else BatchState.REJECTED
            store.settle(
                session, batch.id, final, f"277CA: {len(accepted)} accepted, {len(rejected)} rejected"
            )
    return "277ca"


async def run(ctx: JobContext) -> dict[str, Any]:
    """Save new 999/277CA files for submitted batches, record them, and settle batches on their 277CA."""
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
        open_ = {
            b.portal_batch_id: b.id for b in store.open_batches(session, account_id) if b.portal_batch_id
        }
        kinds = (FileKind.ACK_999, FileKind.ACK_277CA)
        known = {ref for _, ref in known_references(session, kinds)}
    saved = await download_acks(ctx.portal, ctx.downloads / "acks", open_, known=frozenset(known))
    counts = {"open_batches": len(open_), "999": 0, "277ca": 0, "seen": 0}
    counts |= {"claims_accepted": 0, "claims_rejected": 0}
    for item in saved:
        with ctx.factory.begin() as session:
            batch = session.get(SubmissionBatch, open_[item.reference.split(":", 1)[0]])
            assert batch is not None
            counts[_record_ack(ctx, session, item, batch, counts)] += 1
    return counts
