"""Admin API for tests and the command: faults, reset, variant, acknowledgements, PDFs, state (loopback)."""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector.sandbox.state import SandboxState


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


def _guard(request: Request) -> Response | None:
    if not request.app.state.admin_enabled or not _loopback(request):
        return JSONResponse({"error": "admin API disabled"}, status_code=404)
    return None


async def set_fault(request: Request) -> Response:
    """POST /__admin/fault {name, value} or POST /__admin/fault/{name}?value=..."""
    if (refused := _guard(request)) is not None:
        return refused
    body = await _body(request)
    name = request.path_params.get("name") or str(body.get("name", ""))
    value = body.get("value", request.query_params.get("value", True))
    try:
        stored = _state(request).set_fault(name, value)
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"name": name, "value": stored})


async def reset(request: Request) -> Response:
    """POST /__admin/reset."""
    if (refused := _guard(request)) is not None:
        return refused
    _state(request).reset()
    return JSONResponse({"reset": True})


async def variant(request: Request) -> Response:
    """POST /__admin/variant {variant: v1|v2}."""
    if (refused := _guard(request)) is not None:
        return refused
    body = await _body(request)
    try:
        _state(request).set_variant(str(body.get("variant", request.query_params.get("variant", ""))))
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"variant": _state(request).variant})


async def acknowledgements(request: Request) -> Response:
    """POST /__admin/acknowledgements: release every pending 999/277CA now."""
    if (refused := _guard(request)) is not None:
        return refused
    return JSONResponse({"released": _state(request).advance_acknowledgements()})


async def pdfs(request: Request) -> Response:
    """POST /__admin/pdfs: optum variant, every EPRA PDF still being generated is ready now."""
    if (refused := _guard(request)) is not None:
        return refused
    return JSONResponse({"finished": _state(request).finish_pdfs()})


async def state(request: Request) -> Response:
    """GET /__admin/state."""
    if (refused := _guard(request)) is not None:
        return refused
    return JSONResponse(_state(request).snapshot())


async def practices(request: Request) -> Response:
    """GET /__admin/practices: with ``--practices K``, every practice and its peak of sessions at once."""
    if (refused := _guard(request)) is not None:
        return refused
    fleet = getattr(request.app.state, "fleet", None)
    if fleet is None:
        snap = _state(request).snapshot()
        row = {"practice": "", "username": snap["username"], "signins": snap["signins"]}
        row["max_simultaneous_sessions"] = snap["max_simultaneous_sessions"][snap["username"]]
        return JSONResponse([row])
    return JSONResponse(fleet.summary())


ROUTES = [
    Route("/__admin/fault", set_fault, methods=["POST"]),
    Route("/__admin/fault/{name}", set_fault, methods=["POST"]),
    Route("/__admin/reset", reset, methods=["POST"]),
    Route("/__admin/variant", variant, methods=["POST"]),
    Route("/__admin/acknowledgements", acknowledgements, methods=["POST"]),
    Route("/__admin/pdfs", pdfs, methods=["POST"]),
    Route("/__admin/state", state, methods=["GET"]),
    Route("/__admin/practices", practices, methods=["GET"]),
]
