"""The sandbox portal's ASGI application (Starlette): routes, fault middleware, shared state."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from connector.sandbox import admin, auth, batch_routes, optum_auth, optum_bundles, optum_pages, pages, status
from connector.sandbox.faults import FaultMiddleware
from connector.sandbox.state import SandboxState


def create_app(state: SandboxState, *, admin_enabled: bool = False) -> Starlette:
    """Build the portal around ``state``; the admin API answers only when enabled and only on loopback."""
    app = Starlette(
        routes=[
            *auth.ROUTES,
            *pages.ROUTES,
            *batch_routes.ROUTES,
            *status.ROUTES,
            *admin.ROUTES,
            *optum_auth.ROUTES,
            *optum_pages.ROUTES,
            *optum_bundles.ROUTES,
        ],
        middleware=[Middleware(FaultMiddleware)],
    )
    app.state.sandbox = state
    app.state.admin_enabled = admin_enabled
    app.state.file_cache = {}
    return app
