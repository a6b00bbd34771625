"""File responses with the download faults: truncated bodies, cut connections, hostile suggested names."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from connector.sandbox.state import SandboxState

CYCLE_KEY = "sandbox.cycle"
"""Scope key under which the fault middleware keeps uvicorn's request cycle (to cut a connection)."""


def cut_connection(scope: Scope) -> None:
    """Close the client connection without finishing the response (uvicorn h11; a no-op elsewhere)."""
    cycle: Any = scope.get(CYCLE_KEY)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.close()
        cycle.disconnected = True


class CutResponse(Response):
    """Announces the full Content-Length, sends part of the body, then closes the connection."""

    def __init__(self, content: bytes, keep: int, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.keep = keep

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: self.keep], "more_body": True})
        cut_connection(scope)


def attachment(request: Request, content: bytes, filename: str, media_type: str) -> Response:
    """``Content-Disposition: attachment`` download, with the truncate/hostile-filename faults applied."""
    state: SandboxState = request.app.state.sandbox
    truncate = str(state.faults["truncate_downloads"])
    if state.faults["hostile_filenames"]:
        filename = "../../" + filename
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    keep = len(content) * 6 // 10
    if truncate == "body":
        return Response(content[:keep], media_type=media_type, headers=headers)
    if truncate == "length":
        return CutResponse(content, keep, media_type=media_type, headers=headers)
    return Response(content, media_type=media_type, headers=headers)
