"""Admin actions (POST, CSRF-checked, audited): run a job now, clear a login block, acknowledge incidents."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from connector.jobs.registry import SCHEDULABLE
from connector.store import add_audit_event
from connector.web.auth import require, web
from connector.web.data_today import ACKED, open_incidents
from connector.web.users import clear_block


def _back(request: Request, message: str) -> Response:
    request.session["flash"] = message
    return RedirectResponse("/", status_code=303)


@require("admin")
async def run_now(request: Request) -> Response:
    """Start a job for an account in the background; the Today page shows it in the run ledger."""
    form = await request.form()
    state, user = web(request), request.state.user
    account, job = str(form.get("account", "")), str(form.get("job", ""))
    if account not in state.settings.accounts or job not in SCHEDULABLE:
        return Response("Unknown account or job.", status_code=400, media_type="text/plain")
    started = state.jobs.start(account, job)
    with state.factory.begin() as db:
        add_audit_event(
            db, f"web:{user.name}", "web.run_now", f"account:{account}", {"job": job, "started": started}
        )
    if not started:
        return _back(request, f"{job} is already running for {account}.")
    return _back(request, f"Started {job} for {account}. Reload this page to follow it in the run list.")


@require("admin")
async def clear_login_block(request: Request) -> Response:
    """Allow the connector to sign in to the portal again (after the password was fixed)."""
    from connector.jobs.paths import Paths
    from connector.jobs.signin import clear_login_block as unblock
    from connector.jobs.signin_state import clear_shared_blocks

    form = await request.form()
    state, user = web(request), request.state.user
    account = str(form.get("account", ""))
    if account not in state.settings.accounts:
        return Response("Unknown account.", status_code=400, media_type="text/plain")
    cleared = unblock(Paths(state.settings.data_dir, account))
    cleared = clear_shared_blocks(state.settings, account) or cleared  # fleet mode: the database's too
    with state.factory.begin() as db:
        add_audit_event(
            db, f"web:{user.name}", "web.clear_login_block", f"account:{account}", {"cleared": cleared}
        )
    return _back(
        request, f"Portal sign-in allowed again for {account}." if cleared else "There was no block."
    )


@require("admin")
async def clear_user_block(request: Request) -> Response:
    """Let a dashboard user who typed wrong passwords sign in again at once."""
    form = await request.form()
    state, user = web(request), request.state.user
    name = str(form.get("name", ""))
    with state.factory.begin() as db:
        cleared = clear_block(db, name)
        if cleared:
            add_audit_event(db, f"web:{user.name}", "web.clear_user_block", "web_user", {"name": name[:100]})
    return _back(request, f"{name} may sign in again." if cleared else "There was no block.")


@require("admin")
async def acknowledge(request: Request) -> Response:
    """Record that a person took charge of an open incident (it stays open until the job succeeds)."""
    form = await request.form()
    state, user = web(request), request.state.user
    key = str(form.get("incident", ""))
    with state.factory.begin() as db:
        if key not in {i.key for i in open_incidents(db)}:
            return Response("No such open incident.", status_code=400, media_type="text/plain")
        add_audit_event(db, f"web:{user.name}", ACKED, f"incident:{key}")
    return _back(request, "Incident acknowledged.")


def routes() -> list[Route]:
    """The admin actions."""
    return [
        Route("/actions/run", run_now, methods=["POST"]),
        Route("/actions/clear-login-block", clear_login_block, methods=["POST"]),
        Route("/actions/clear-user-block", clear_user_block, methods=["POST"]),
        Route("/actions/acknowledge", acknowledge, methods=["POST"]),
    ]
