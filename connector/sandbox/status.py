"""The public status page: /status (HTML) and /status.json (statuspage style), driven by the fault knobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector.sandbox.state import SandboxState
from connector.sandbox.ui import render

COMPONENTS = ("Provider Portal", "Payments (Optum Pay)", "Claim Status", "Claim Submission", "ERA Delivery")
DESCRIPTIONS = {
    "none": "All Systems Operational",
    "minor": "Minor Service Outage",
    "major": "Major Service Outage",
    "maintenance": "Service Under Maintenance",
}


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def status_document(state: SandboxState, base_url: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The statuspage-style summary: page, status indicator, components, scheduled maintenances."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0, tzinfo=None)
    faults = state.faults
    indicator, component_status = "none", "operational"
    if faults["maintenance"]:
        indicator, component_status = "maintenance", "under_maintenance"
    elif faults["error_rate"] or faults["rate_limit"] or faults["latency"]:
        indicator, component_status = "minor", "degraded_performance"
    days = (6 - now.weekday()) % 7 or 7
    window = dt.datetime.combine(now.date() + dt.timedelta(days=days), dt.time(2, 0))
    maintenances = [
        {
            "id": "sbx-weekly",
            "name": "Weekly portal maintenance",
            "status": "scheduled",
            "impact": "maintenance",
            "scheduled_for": _iso(window),
            "scheduled_until": _iso(window + dt.timedelta(hours=2)),
            "components": [{"name": "Provider Portal"}],
        },
    ]
    if faults["maintenance"]:
        start = now.replace(minute=0, second=0)
        maintenances.insert(
            0,
            {
                "id": "sbx-now",
                "name": "Emergency portal maintenance",
                "status": "in_progress",
                "impact": "maintenance",
                "scheduled_for": _iso(start),
                "scheduled_until": _iso(start + dt.timedelta(hours=1)),
                "components": [{"name": c} for c in COMPONENTS],
            },
        )
    return {
        "page": {
            "id": "sandbox-payer",
            "name": "Sandbox Payer Portal",
            "url": base_url,
            "updated_at": _iso(now),
        },
        "status": {"indicator": indicator, "description": DESCRIPTIONS[indicator]},
        "components": [
            {"id": f"c{index}", "name": name, "status": component_status, "position": index}
            for index, name in enumerate(COMPONENTS, start=1)
        ],
        "incidents": [],
        "scheduled_maintenances": maintenances,
    }


def _doc(request: Request) -> dict[str, Any]:
    state: SandboxState = request.app.state.sandbox
    return status_document(state, str(request.base_url).rstrip("/"))


async def status_page(request: Request) -> Response:
    """GET /status."""
    return render(request, "status.html", status=_doc(request))


async def status_json(request: Request) -> Response:
    """GET /status.json."""
    return JSONResponse(_doc(request), headers={"Cache-Control": "no-store"})


ROUTES = [Route("/status", status_page), Route("/status.json", status_json)]
