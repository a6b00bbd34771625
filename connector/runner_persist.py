"""The runner's per-job steps: call the flow, parse what it saved (connector.x12), persist it (store)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connector import store
from connector.errors import X12ParseError
from connector.fileio import ensure_private_dir
from connector.store import BatchState, ClaimStatusObservation, DownloadedFile, FileKind, SubmissionBatch
from connector.x12 import ClaimStatus, iter_transactions, read_277ca, read_835, read_999
from flows.acks import download_acks
from flows.batches import REJECTED, list_batches, upload_batch, upload_name
from flows.claim_status import claim_statuses
from flows.eras import download_eras, listing_references
from flows.portal import PortalPage
from flows.records import FileKind as FlowKind
from flows.records import SavedFile

log = logging.getLogger(__name__)

DEFAULT_LOOKBACK_DAYS = 120
OVERLAP_DAYS = 3
STORE_KIND: dict[FlowKind, FileKind] = {
    "835": FileKind.ERA_835,
    "pdf": FileKind.PDF,
    "999": FileKind.ACK_999,
    "277ca": FileKind.ACK_277CA,
}
FINAL_STATUS = re.compile(r"^(F\d|finalized)", re.IGNORECASE)


@dataclass(slots=True)
class JobContext:
    """What a job needs: the signed-in portal page, the store, the run, and its folders and options."""

    portal: PortalPage
    factory: sessionmaker[Session]
    run_id: int
    account: str
    downloads: Path
    outbox: Path
    options: dict[str, Any]

    def account_id(self, session: Session) -> int:
        """The ledger's id for this account."""
        found = session.scalars(select(store.Account.id).where(store.Account.key == self.account)).one()
        return int(found)


def _known(session: Session, kinds: tuple[FileKind, ...], column: Any) -> set[tuple[str, str]]:
    rows = session.execute(select(DownloadedFile.kind, column).where(DownloadedFile.kind.in_(kinds)))
    return {(str(kind.value), str(ref)) for kind, ref in rows if ref}


def _since(ctx: JobContext, session: Session) -> tuple[dt.date, dt.date]:
    today = dt.datetime.now(dt.UTC).date()
    until = ctx.options.get("until") or today
    if ctx.options.get("since"):
        return ctx.options["since"], until
    last = store.last_successful_run(session, "eras", ctx.account_id(session))
    if last is None:
        return today - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS), until
    return last.started_at.date() - dt.timedelta(days=OVERLAP_DAYS), until


def _record_835(
    ctx: JobContext, session: Session, saved: SavedFile, payment_number: str | None, counts: dict[str, int]
) -> None:
    try:
        data = saved.path.read_bytes()
        remits = list(read_835(data, source=saved.path.name, strict=bool(ctx.options.get("x12_strict"))))
    except X12ParseError as exc:
        # a malformed 835 must not stop every later run: keep the file, record it once (so it is not
        # fetched again), read nothing from it, and report it for a person to look at
        _, new = store.record_file(
            session,
            kind=FileKind.ERA_835,
            sha256=saved.sha256,
            size=saved.size,
            stored_path=str(saved.path),
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
        return
    first = remits[0] if remits else None
    row, new = store.record_file(
        session,
        kind=FileKind.ERA_835,
        sha256=saved.sha256,
        size=saved.size,
        stored_path=str(saved.path),
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


async def eras(ctx: JobContext) -> dict[str, Any]:
    """Download new ERAs and PDF remits, record each file once, store each 835 transaction once.

    A listing row is known by its reference (payment number, date, amount, payer: see
    ``flows.eras.listing_references``), never by the payment number alone; the file's sha256 decides last.
    """
    with ctx.factory.begin() as session:
        since, until = _since(ctx, session)
        known = _known(session, (FileKind.ERA_835, FileKind.PDF), DownloadedFile.portal_reference)
    flow_known = frozenset((("835" if k == FileKind.ERA_835.value else "pdf"), ref) for k, ref in known)
    got = await download_eras(
        ctx.portal,
        ctx.downloads / "eras",
        since=since,
        until=until,
        known=flow_known,  # type: ignore[arg-type]
        method=ctx.options.get("method", "auto"),
    )
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
        with ctx.factory.begin() as session:
            if saved.kind == "835":
                _record_835(ctx, session, saved, number, counts)
            else:
                _, new = store.record_file(
                    session,
                    kind=STORE_KIND[saved.kind],
                    sha256=saved.sha256,
                    size=saved.size,
                    stored_path=str(saved.path),
                    run_id=ctx.run_id,
                    payment_number=number,
                    portal_reference=saved.reference,
                )
                counts["files_new" if new else "files_seen"] += 1
    return {**counts, "method": got.method, "since": since.isoformat(), "until": until.isoformat()}


def _money(text: str) -> Decimal | None:
    cleaned = text.replace("$", "").replace(",", "").strip()
    try:
        return Decimal(cleaned).quantize(Decimal("0.01")) if cleaned else None
    except InvalidOperation:
        return None


def _open_claims(session: Session, account_id: int) -> list[str]:
    """This account's claims whose latest observation is not final."""
    latest: dict[str, ClaimStatusObservation] = {}
    query = (
        select(ClaimStatusObservation)
        .where(ClaimStatusObservation.account_id == account_id)
        .order_by(ClaimStatusObservation.observed_at, ClaimStatusObservation.id)
    )
    for obs in session.scalars(query):
        latest[obs.claim_number] = obs
    return sorted(n for n, o in latest.items() if not FINAL_STATUS.match(o.status_category or o.status_text))


async def statuses(ctx: JobContext) -> dict[str, Any]:
    """Search each open claim (given, or not yet final in the store) and append what the portal says."""
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
        given = ctx.options.get("claims")
        # an empty list given means "no claims", not "every open claim"
        claims = list(given) if given is not None else _open_claims(session, account_id)
    found = await claim_statuses(ctx.portal, claims, ctx.options.get("members"))
    rows = 0
    with ctx.factory.begin() as session:
        for claim, status_rows in found.items():
            for row in status_rows:
                store.add_claim_status(
                    session,
                    claim_number=row.claim_number or claim,
                    status_text=row.status,
                    status_category=row.category_code[:8] or None,
                    paid_amount=_money(row.paid_amount),
                    payment_number=row.payment_number or None,
                    run_id=ctx.run_id,
                    account_id=account_id,
                )
                rows += 1
    return {"claims": len(claims), "status_rows": rows, "not_found": sum(not r for r in found.values())}


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


async def upload(ctx: JobContext) -> dict[str, Any]:
    """Upload each 837 once: PENDING row first, then the click; SUBMITTED, DUPLICATE or UNKNOWN after."""
    files = [Path(p) for p in ctx.options.get("files") or sorted(ctx.outbox.glob("*.837"))]
    counts = dict.fromkeys(
        ("submitted", "unknown", "duplicate", "rejected", "skipped", "settled", "quarantined"), 0
    )
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
    counts["settled"] = await _settle_unknown(ctx, account_id)
    for path in files:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()  # the key of the very bytes uploaded, not a second read
        try:
            isa13, gs06, st02, claim_count = _envelope(data, path.name)
        except X12ParseError as exc:
            # one malformed 837 must not hold back the others: moved aside (reported once), never uploaded
            counts["quarantined"] += 1
            aside = ensure_private_dir(path.parent / "quarantine") / path.name
            path.replace(aside)
            log.warning("outbox file %s is not a valid 837 (%s): moved aside", path.name, exc.segment_id)
            continue
        with ctx.factory.begin() as session:
            batch, _ = store.create_pending(
                session,
                sha,
                isa13=isa13,
                gs06=gs06,
                st02=st02,
                claim_count=claim_count,
                file_path=str(path),
                account_id=account_id,
            )
            batch_id, state = batch.id, batch.state
        if state is not BatchState.PENDING:
            counts["skipped"] += 1
            continue
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
                store.settle(
                    session, batch_id, BatchState.REJECTED, receipt.detail or "portal refused the file"
                )
                counts["rejected"] += 1
            else:  # UNKNOWN, or SUBMITTED without a batch id: the batch list settles it on the next run
                store.mark_unknown(session, batch_id, receipt.detail or "upload outcome unknown")
                counts["unknown"] += 1
    return counts


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
    data = saved.path.read_bytes()
    row, new = store.record_file(
        session,
        kind=STORE_KIND[saved.kind],
        sha256=saved.sha256,
        size=saved.size,
        stored_path=str(saved.path),
        run_id=ctx.run_id,
        portal_reference=saved.reference,
    )
    if not new:
        return "seen"
    if saved.kind == "999":
        for ack in read_999(data, source=saved.path.name, strict=bool(ctx.options.get("x12_strict"))):
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
    for ca in read_277ca(data, source=saved.path.name, strict=bool(ctx.options.get("x12_strict"))):
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


async def acks(ctx: JobContext) -> dict[str, Any]:
    """Save new 999/277CA files for submitted batches, record them, and settle batches on their 277CA."""
    with ctx.factory.begin() as session:
        account_id = ctx.account_id(session)
        open_ = {
            b.portal_batch_id: b.id for b in store.open_batches(session, account_id) if b.portal_batch_id
        }
        kinds = (FileKind.ACK_999, FileKind.ACK_277CA)
        known = {ref for _, ref in _known(session, kinds, DownloadedFile.portal_reference)}
    saved = await download_acks(ctx.portal, ctx.downloads / "acks", open_, known=frozenset(known))
    counts = {"open_batches": len(open_), "999": 0, "277ca": 0, "seen": 0}
    counts |= {"claims_accepted": 0, "claims_rejected": 0}
    for item in saved:
        with ctx.factory.begin() as session:
            batch = session.get(SubmissionBatch, open_[item.reference.split(":", 1)[0]])
            assert batch is not None
            counts[_record_ack(ctx, session, item, batch, counts)] += 1
    return counts


JOBS: dict[str, Callable[[JobContext], Awaitable[dict[str, Any]]]] = {
    "eras": eras,
    "statuses": statuses,
    "upload": upload,
    "acks": acks,
}
