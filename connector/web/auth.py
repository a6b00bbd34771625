"""Sign-in and sessions: the login form, throttled password checks, idle timeout, roles on every request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from connector.store import WebUser, add_audit_event
from connector.web.security import CSRF_FIELD, csrf_ok, csrf_token
from connector.web.users import LoginOutcome, check_login, stamp_of

if TYPE_CHECKING:
    from connector.web.app import Web

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class User:
    """The signed-in person."""

    id: int
    name: str
    role: str

    @property
    def admin(self) -> bool:
        """Admins may run a job now, clear a login block and acknowledge an incident."""
        return self.role == "admin"


def web(request: Request) -> Web:
    """The dashboard's shared state."""
    found: Web = request.app.state.web
    return found


def current_user(request: Request) -> User | None:
    """The session's user, or None (no session, idle too long, too old, user gone or password changed)."""
    session = request.session
    uid, stamp = session.get("uid"), session.get("stamp")
    if not isinstance(uid, int) or not isinstance(stamp, str):
        return None
    settings = web(request).settings.web
    now = time.time()
    seen, since = float(session.get("seen", 0)), float(session.get("since", 0))
    if now - seen > settings.idle_minutes * 60 or now - since > settings.session_hours * 3600:
        session.clear()
        session["why"] = "idle"
        return None
    with web(request).factory() as db:
        row = db.get(WebUser, uid)
        if row is None or stamp_of(row) != stamp:
            session.clear()
            return None
        user = User(row.id, row.name, row.role)
    session["seen"] = now
    return user


def require(role: str = "viewer") -> Callable[[Handler], Handler]:
    """Wrap a handler: no session -> sign-in page; a viewer on an admin action -> 403; POST needs CSRF."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                if request.method != "GET":
                    return Response("Sign in first.", status_code=401, media_type="text/plain")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            if role == "admin" and not user.admin:
                return Response("Only an admin may do this.", status_code=403, media_type="text/plain")
            if request.method == "POST":
                form = await request.form()
                if not csrf_ok(request, form.get(CSRF_FIELD)):
                    return Response(
                        "The form expired; reload the page.", status_code=403, media_type="text/plain"
                    )
            request.state.user = user
            return await handler(request)

        return guarded

    return wrap


def _safe_next(target: object) -> str:
    text = target if isinstance(target, str) else ""
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


async def login_page(request: Request) -> Response:
    """GET /login: the sign-in form (already signed in: straight to Today)."""
    if current_user(request) is not None:
        return RedirectResponse("/", status_code=303)
    why = request.session.pop("why", None)
    message = "You were signed out after a while without activity." if why == "idle" else ""
    return web(request).render(
        request, "login.html", message=message, next=_safe_next(request.query_params.get("next"))
    )


async def login_submit(request: Request) -> Response:
    """POST /login: check the CSRF token, the throttle and the password; start a fresh session."""
    form = await request.form()
    state = web(request)
    target = _safe_next(form.get("next"))
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        return state.render(
            request,
            "login.html",
            status=403,
            next=target,
            message="The sign-in form expired; please try again.",
        )
    name, password = str(form.get("username", "")), str(form.get("password", ""))
    outcome = state.unknown_names.blocked(name)
    if outcome is None:
        outcome = await asyncio.to_thread(_check, state, name, password)
        if outcome.status == "wrong" and outcome.user_id is None:
            state.unknown_names.failed(name, state.throttle)
    if outcome.status == "blocked":
        return state.render(
            request,
            "login.html",
            status=429,
            next=target,
            message=f"Too many wrong passwords. Try again in {outcome.wait} seconds.",
        )
    if outcome.status != "ok" or outcome.user_id is None:
        return state.render(
            request, "login.html", status=401, next=target, message="Wrong user name or password."
        )
    request.session.clear()
    now = time.time()
    request.session.update({"uid": outcome.user_id, "stamp": outcome.stamp, "seen": now, "since": now})
    csrf_token(request)
    return RedirectResponse(target, status_code=303)


def _check(state: Web, name: str, password: str) -> LoginOutcome:
    with state.factory.begin() as db:
        outcome = check_login(db, name, password, state.throttle)
        if outcome.status == "ok":
            add_audit_event(db, f"web:{outcome.name}", "web.sign_in", f"web_user:{outcome.user_id}")
        elif outcome.status == "wrong" and outcome.wait:
            add_audit_event(
                db, "web", "web.sign_in_slowed", f"web_user:{outcome.user_id}", {"wait_s": outcome.wait}
            )
        return outcome


async def logout(request: Request) -> Response:
    """POST /logout: end the session (CSRF-checked, so another site cannot sign a person out)."""
    form = await request.form()
    if csrf_ok(request, form.get(CSRF_FIELD)):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


class UnknownNames:
    """Throttle for names that have no user row (kept in memory, bounded)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._state: dict[str, tuple[int, float]] = {}

    def blocked(self, name: str) -> LoginOutcome | None:
        """A 'blocked' outcome while this unknown name must wait, else None."""
        _failures, until = self._state.get(name.strip().lower(), (0, 0.0))
        wait = until - time.time()
        return LoginOutcome("blocked", wait=int(wait) + 1) if wait > 0 else None

    def failed(self, name: str, throttle: object) -> None:
        """Count one more wrong attempt for a name no user has."""
        from connector.web.users import Throttle

        assert isinstance(throttle, Throttle)
        key = name.strip().lower()
        if len(self._state) >= self.LIMIT and key not in self._state:
            self._state.clear()
        failures = self._state.get(key, (0, 0.0))[0] + 1
        self._state[key] = (failures, time.time() + throttle.wait_after(failures))
