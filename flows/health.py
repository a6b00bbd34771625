"""Health flow: read the portal's status page (statuspage-style JSON, HTML as fallback); no browser needed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import ssl
import time
from typing import Any

import httpx

from connector.clock import offset_from_date
from flows.records import HealthState, MaintenanceWindow, PortalHealth

NAMES: tuple[str, ...] = ()
"""The health flow reads JSON/HTML over HTTP and uses no selectors."""

INDICATORS: dict[str, HealthState] = {
    "none": "up",
    "minor": "degraded",
    "major": "degraded",
    "critical": "degraded",
    "maintenance": "maintenance",
}
RUNNING_MAINTENANCE = {"in_progress", "verifying"}


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_status_json(data: Any, now: dt.datetime | None = None) -> PortalHealth:
    """Turn a statuspage-style document into a PortalHealth (unknown shapes count as degraded)."""
    now = now or dt.datetime.now(dt.UTC)
    if not isinstance(data, dict):
        return PortalHealth("degraded", description="status page JSON has an unexpected shape")
    raw_status = data.get("status")
    status: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
    indicator = str(status.get("indicator", "")) or None
    components = {
        str(c.get("name")): str(c.get("status"))
        for c in data.get("components") or []
        if isinstance(c, dict) and c.get("name")
    }
    windows = []
    for item in data.get("scheduled_maintenances") or []:
        if not isinstance(item, dict):
            continue
        starts, ends = _when(item.get("scheduled_for")), _when(item.get("scheduled_until"))
        running = str(item.get("status", "")) in RUNNING_MAINTENANCE or (
            starts is not None and ends is not None and starts <= now < ends
        )
        windows.append(MaintenanceWindow(str(item.get("name", "maintenance")), starts, ends, running))
    state = INDICATORS.get(indicator or "", "degraded")
    if any(w.in_progress for w in windows) or "under_maintenance" in components.values():
        state = "maintenance"
    return PortalHealth(
        state, indicator, str(status.get("description", "")), components, tuple(windows), "json"
    )


def parse_status_html(html: str) -> PortalHealth:
    """Fallback when the JSON is unavailable: read the status page's headline words."""
    text = re.sub(r"<[^>]+>", " ", html).lower()
    if "maintenance" in text and ("in progress" in text or "under maintenance" in text):
        return PortalHealth("maintenance", source="html", description="maintenance (from the HTML page)")
    if "all systems operational" in text:
        return PortalHealth("up", indicator="none", source="html")
    return PortalHealth("degraded", source="html", description="status page HTML shows a problem")


async def check_health(status_json_url: str, *, timeout_s: float = 10.0) -> PortalHealth:
    """Read ``/status.json`` (then ``/status`` HTML); unreachable when neither answers.

    The answer's ``Date`` header also tells how far this machine's clock is from the portal's
    (``clock_offset_s``).
    """
    html_url = re.sub(r"\.json$", "", status_json_url)
    offset: float | None = None

    def timed(resp: httpx.Response, sent_at: float) -> httpx.Response:
        nonlocal offset
        offset = offset_from_date(resp.headers.get("date"), sent_at, time.time())
        return resp

    client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=True, verify=_tls_context())
    async with client:
        try:
            sent = time.time()
            resp = timed(await client.get(status_json_url, headers={"Accept": "application/json"}), sent)
            if resp.status_code == 200:
                return dataclasses.replace(parse_status_json(resp.json()), clock_offset_s=offset)
        except (httpx.HTTPError, ValueError):
            pass
        try:
            sent = time.time()
            resp = timed(await client.get(html_url), sent)
        except httpx.HTTPError as exc:
            return PortalHealth("unreachable", description=type(exc).__name__, source="none")
        if resp.status_code == 200:
            return dataclasses.replace(parse_status_html(resp.text), clock_offset_s=offset)
        if resp.status_code == 503 and "maintenance" in resp.text.lower():
            return PortalHealth(
                "maintenance", source="html", description="HTTP 503 maintenance", clock_offset_s=offset
            )
        return PortalHealth("unreachable", description=f"HTTP {resp.status_code}", source="none")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, as httpx builds it (building one reads the whole CA bundle:
    ~25 ms of CPU, at every health check otherwise)."""
    return httpx.create_ssl_context()
