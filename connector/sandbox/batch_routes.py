"""Claim batch pages: upload an 837 (duplicate files flagged), the batch list, the responses mailbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.errors import X12ParseError
from connector.sandbox.auth import portal_page
from connector.sandbox.batches import intake
from connector.sandbox.downloads import attachment
from connector.sandbox.model import ZERO, ClaimStatusRecord
from connector.sandbox.state import Batch, ResponseFile, SandboxState, Session
from connector.sandbox.ui import csrf_ok, render

RESPONSE_COLUMNS = {
    "v1": (
        ("filename", "File"),
        ("kind", "Type"),
        ("batch_id", "Batch ID"),
        ("received", "Received"),
        ("download", "Download"),
    ),
    "v2": (
        ("kind", "Type"),
        ("batch_id", "Batch ID"),
        ("filename", "File"),
        ("download", "Download"),
        ("received", "Received"),
    ),
}


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _when(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _batch_rows(state: SandboxState) -> list[dict[str, Any]]:
    rows = []
    for b in sorted(state.batches.values(), key=lambda b: b.batch_id, reverse=True):
        status = f"Acknowledged: {b.accepted} accepted, {b.rejected} rejected" if b.ready else "Received"
        received = _when(b.received)
        rows.append(
            {
                "batch_id": b.batch_id,
                "filename": b.filename,
                "received_text": received,
                "claims": b.claims,
                "status": status,
                "duplicate_uploads": b.duplicate_uploads,
            }
        )
    return rows


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    return render(request, "batches.html", status, batches=_batch_rows(_state(request)), **context)


@portal_page
async def batches(request: Request, session: Session) -> Response:
    """GET /batches."""
    return _page(request)


@portal_page
async def upload(request: Request, session: Session) -> Response:
    """POST /batches (multipart field ``file``): a batch id; the same file again is flagged duplicate."""
    state = _state(request)
    if not await csrf_ok(request):
        return _page(request, 403, message="Your form expired. Please try again.")
    form = await request.form()
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile):
        return _page(request, 400, message="Choose an 837 file to upload.")
    content = await upload_file.read()
    digest = hashlib.sha256(content).hexdigest()
    with state.lock:
        existing = state.batches_by_sha.get(digest)
        if existing is not None:
            batch = state.batches[existing]
            batch.duplicate_uploads += 1
            return _page(request, 200, result={"batch": batch, "duplicate": True})
        number = state.next_batch
    now = time.time()
    try:
        result = intake(content, number, dt.datetime.fromtimestamp(now, dt.UTC).replace(tzinfo=None))
    except X12ParseError:
        return _page(request, 422, message="The file is not a valid X12 837 claim file.")
    batch_id = f"B{number:06d}"
    batch = Batch(
        batch_id=batch_id,
        filename=(upload_file.filename or "upload.837")[-120:],
        sha256=digest,
        size=len(content),
        received=now,
        claims=len(result.claims),
        accepted=result.accepted,
        rejected=result.rejected,
        ready_at=now + float(state.faults["ack_delay"]),
    )
    batch.responses.append(
        ResponseFile(f"{batch_id}-999", batch_id, "999", f"{batch_id}.999", result.ack_999)
    )
    if result.ack_277ca:
        batch.responses.append(
            ResponseFile(f"{batch_id}-277CA", batch_id, "277CA", f"{batch_id}.277", result.ack_277ca)
        )
    today = dt.date.fromtimestamp(now)
    for claim in result.claims:
        if claim.problems or claim.dob is None:
            continue
        service = min(claim.service_dates) if claim.service_dates else today
        batch.records.append(
            ClaimStatusRecord(
                claim.claim_id,
                claim.payer_claim_number,
                claim.member_id,
                claim.dob,
                service,
                "Acknowledged",
                "A2",
                "20",
                claim.charge,
                ZERO,
                "",
                today,
            )
        )
    with state.lock:
        state.next_batch += 1
        state.batches[batch_id] = batch
        state.batches_by_sha[digest] = batch_id
    return _page(request, 200, result={"batch": batch, "duplicate": False})


def ready_responses(state: SandboxState) -> list[ResponseFile]:
    """Mailbox files of batches whose acknowledgements are out, newest first."""
    with state.lock:
        found = [r for b in state.batches.values() if b.ready for r in b.responses]
    return sorted(found, key=lambda r: r.file_id, reverse=True)


@portal_page
async def responses(request: Request, session: Session) -> Response:
    """GET /responses: the mailbox of 999s and 277CAs."""
    state = _state(request)
    received = {b.batch_id: b for b in state.batches.values()}
    files = [
        {
            "file_id": r.file_id,
            "filename": r.filename,
            "kind": r.kind,
            "batch_id": r.batch_id,
            "received": _when(received[r.batch_id].ready_at),
        }
        for r in ready_responses(state)
    ]
    return render(
        request,
        "responses.html",
        files=files,
        columns=RESPONSE_COLUMNS.get(state.variant, RESPONSE_COLUMNS["v1"]),
    )


@portal_page
async def download_response(request: Request, session: Session) -> Response:
    """GET /responses/{file_id}."""
    wanted = request.path_params["file_id"]
    found = next((r for r in ready_responses(_state(request)) if r.file_id == wanted), None)
    if found is None:
        return render(
            request, "message.html", 404, title="Not found", message="No such file.", testid="not-found"
        )
    return attachment(request, found.content, found.filename, "application/edi-x12")


ROUTES = [
    Route("/batches", batches, methods=["GET"]),
    Route("/batches", upload, methods=["POST"]),
    Route("/responses", responses),
    Route("/responses/{file_id}", download_response),
]
