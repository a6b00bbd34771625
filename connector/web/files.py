"""Downloads for signed-in users: stored files (ERAs, acknowledgements), claim batches and the workbooks.

Paths always come from the store or from a listing of the reports folder, never from the request.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from connector.filestore import DB_PREFIX, open_store
from connector.store import DownloadedFile, SubmissionBatch
from connector.web.auth import require, web

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reports(data_dir: Path) -> list[tuple[str, Path]]:
    """(account, path) of every workbook under data/reports, newest first."""
    root = Path(data_dir) / "reports"
    found = [(p.parent.name, p) for p in root.glob("*/*.xlsx") if p.is_file() and not p.name.startswith(".")]
    return sorted(found, key=lambda item: item[1].stat().st_mtime, reverse=True)


def _send(path: Path, name: str, media_type: str = "application/octet-stream") -> Response:
    if not path.is_file():
        return Response(
            "The file is no longer where the connector kept it.", status_code=404, media_type="text/plain"
        )
    return FileResponse(path, media_type=media_type, filename=name, headers={"Cache-Control": "no-store"})


@require()
async def stored_file(request: Request) -> Response:
    """GET /files/{id}: a downloaded file (ERA, PDF, 999, 277CA) by its id in the store."""
    with web(request).factory() as db:
        row = db.get(DownloadedFile, int(request.path_params["file_id"]))
        if row is None:
            return Response("No such file.", status_code=404, media_type="text/plain")
        location = row.stored_path
    if location.startswith(DB_PREFIX):  # fleet mode: decrypted from the database store
        state = web(request)
        data = open_store(state.settings, state.factory).get(location)
        name = f"{row.kind.value}-{row.sha256[:24]}"
        headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(data, media_type="application/octet-stream", headers=headers)
    path = Path(location)
    return _send(path, path.name)


@require()
async def batch_file(request: Request) -> Response:
    """GET /batches/{id}/837: the claim batch as it was uploaded."""
    with web(request).factory() as db:
        row = db.get(SubmissionBatch, int(request.path_params["batch_id"]))
        if row is None:
            return Response("No such batch.", status_code=404, media_type="text/plain")
        location = row.file_path
    if location.startswith(DB_PREFIX):  # fleet mode: the batch as kept in the shared outbox
        state = web(request)
        data = open_store(state.settings, state.factory).get(location)
        headers = {
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="batch-{row.id}.837"',
        }
        return Response(data, media_type="application/octet-stream", headers=headers)
    path = Path(location)
    return _send(path, path.name)


@require()
async def report_file(request: Request) -> Response:
    """GET /reports/{account}/{name}: a workbook, only when it is one the listing shows."""
    account, name = request.path_params["account"], request.path_params["name"]
    for owner, path in reports(web(request).settings.data_dir):
        if owner == account and path.name == name:
            return _send(path, name, XLSX)
    return Response("No such report.", status_code=404, media_type="text/plain")


def routes() -> list[Route]:
    """The download routes."""
    return [
        Route("/files/{file_id:int}", stored_file),
        Route("/batches/{batch_id:int}/837", batch_file),
        Route("/reports/{account}/{name}", report_file),
    ]
