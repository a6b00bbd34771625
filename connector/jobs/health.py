"""The health job: read the portal's status page; maintenance or unreachable stops the jobs behind it."""

from __future__ import annotations

from typing import Any

from connector.errors import PortalMaintenance, PortalUnavailable
from connector.jobs.context import JobContext
from flows.health import check_health
from flows.records import PortalHealth


def gate(health: PortalHealth) -> None:
    """Raise PortalMaintenance / PortalUnavailable when the status page says not to start."""
    if health.state == "maintenance":
        until = health.maintenance_until
        raise PortalMaintenance(
            "status page announces maintenance", step="health", until=until.isoformat() if until else None
        )
    if health.state == "unreachable":
        raise PortalUnavailable(f"status page unreachable ({health.description})", step="health")


async def run(ctx: JobContext) -> dict[str, Any]:
    """Check the status page; succeed when the portal is usable (up or degraded)."""
    health = await check_health(ctx.account_settings.status_json_url)
    gate(health)
    return {"state": health.state, "indicator": health.indicator or ""}


async def gate_only(ctx: JobContext) -> None:
    """The check every portal job makes before it starts a browser."""
    gate(await check_health(ctx.account_settings.status_json_url))
