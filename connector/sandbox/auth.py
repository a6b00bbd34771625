"""Sign-in: password, one-time code (each 30 s step accepted once), lockout, sessions, announcement, terms."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from functools import wraps

import pyotp
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import DEVICE_COOKIE, SESSION_COOKIE, csrf_ok, render

Page = Callable[[Request, Session], Awaitable[Response]]
TOTP_STEP = 30
DEVICE_MAX_AGE = 30 * 24 * 3600


def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


OPTUM_LOGIN = "/registrationSignIn.do?OFSP_main=login"


def signin_url(state: SandboxState, *, expired: bool = False) -> str:
    """Where a stranger (or an expired session) is sent: the variant's sign-in page."""
    if state.variant == "optum":
        return OPTUM_LOGIN + ("&expired=1" if expired else "")
    return "/signin?expired=1" if expired else "/signin"


def home_url(state: SandboxState) -> str:
    """The variant's first page after sign-in."""
    return "/viewwelcome.do" if state.variant == "optum" else "/dashboard"


def current_session(request: Request) -> Session | Response:
    """The signed-in session, or a redirect to sign-in (expired after idling or N requests) or the terms.

    On the optum variant a ``taxIndNbr`` query parameter picks the TIN (the header dropdown) on any page.
    """
    state = _state(request)
    sid = request.cookies.get(SESSION_COOKIE, "")
    now = time.time()
    with state.lock:
        session = state.sessions.get(sid)
        if session is None or session.stage != "ok":
            return _redirect(signin_url(state))
        idle = int(state.faults["session_idle_seconds"])
        limit = int(state.faults["session_expiry_after"])
        if (idle and now - session.last_seen > idle) or (limit and session.requests >= limit):
            del state.sessions[sid]
            return _redirect(signin_url(state, expired=True))
        session.requests += 1
        session.last_seen = now
        chosen = request.query_params.get("taxIndNbr", "")
        if state.variant == "optum" and chosen in state.enrolled_tins():
            session.tin = chosen
    request.state.session = session
    if session.interstitial and request.url.path != "/notice/terms":
        return _redirect("/notice/terms")
    return session


def portal_page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Route decorator: only for a signed-in session; passes the session to the handler."""

    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        found = current_session(request)
        if isinstance(found, Response):
            return found
        return await handler(request, found)

    return endpoint


def _signin_page(request: Request, status: int = 200, message: str = "") -> Response:
    info = "Your session has expired. Please sign in again." if request.query_params.get("expired") else ""
    return render(request, "signin.html", status, message=message, info=info)


async def signin_form(request: Request) -> Response:
    """GET /signin."""
    found = current_session(request)
    if isinstance(found, Session):
        return _redirect(home_url(_state(request)))
    return _signin_page(request)


def _locked(request: Request) -> Response:
    message = "Your account is locked after three unsuccessful sign-in attempts. Contact your administrator."
    return _signin_page(request, 423, message)


async def signin(request: Request) -> Response:
    """POST /signin: a wrong password counts toward the lockout; a remembered device skips the code."""
    state = _state(request)
    if not await csrf_ok(request):
        return _signin_page(request, 403, "Your form expired. Please try again.")
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    with state.lock:
        if state.locked:
            return _locked(request)
        good = secrets.compare_digest(username, state.account.username) and secrets.compare_digest(
            password, state.account.password
        )
        if not good:
            state.failed_passwords += 1
            if state.failed_passwords >= 3:
                return _locked(request)
            return _signin_page(request, 401, "The username or password is incorrect.")
        state.failed_passwords = 0
        remembered = request.cookies.get(DEVICE_COOKIE, "") in state.remembered
    if remembered:
        return complete_signin(state, state.new_session("mfa"), remember=False)
    session = state.new_session("mfa")
    response = _redirect("/signin/verify")
    response.set_cookie(SESSION_COOKIE, session.sid, httponly=True, samesite="lax")
    return response


def _pending(request: Request) -> Session | None:
    state = _state(request)
    with state.lock:
        session = state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    return session if session is not None and session.stage == "mfa" else None


async def verify_form(request: Request) -> Response:
    """GET /signin/verify."""
    if _pending(request) is None:
        return _redirect("/signin")
    return render(request, "verify.html")


def check_code(state: SandboxState, code: str, now: float | None = None) -> str:
    """'' when accepted (and the step is used up), else the reason; steps t-1..t+1 are accepted once."""
    totp = pyotp.TOTP(state.account.totp_secret)
    current = int((time.time() if now is None else now) // TOTP_STEP)
    with state.lock:
        for step in (current - 1, current, current + 1):
            if secrets.compare_digest(totp.at(step * TOTP_STEP), code):
                if step <= state.last_totp_step:
                    return "This code has already been used. Wait for the next code."
                state.last_totp_step = step
                return ""
    return "The code is incorrect."


async def verify(request: Request) -> Response:
    """POST /signin/verify: the one-time code, then the session is signed in."""
    state = _state(request)
    session = _pending(request)
    if session is None:
        return _redirect("/signin")
    if not await csrf_ok(request):
        return render(request, "verify.html", 403, message="Your form expired. Please try again.")
    form = await request.form()
    problem = check_code(state, str(form.get("code", "")).strip())
    if problem:
        return render(request, "verify.html", 401, message=problem)
    return complete_signin(state, session, remember=form.get("remember") == "1")


def complete_signin(state: SandboxState, session: Session, *, remember: bool) -> Response:
    """Sign the session in (announcement, terms, default TIN) and set the remembered-device cookie."""
    with state.lock:
        session.stage = "ok"
        session.tin = state.enrolled_tins()[0]
        state.signins += 1
        every = int(state.faults["announcement"])
        session.announcement = every > 0 and state.signins % every == 0
        session.interstitial = bool(state.faults["interstitial"])
    response = _redirect("/notice/terms" if session.interstitial else home_url(state))
    response.set_cookie(SESSION_COOKIE, session.sid, httponly=True, samesite="lax")
    if remember:
        token = secrets.token_urlsafe(24)
        with state.lock:
            state.remembered.add(token)
        response.set_cookie(DEVICE_COOKIE, token, max_age=DEVICE_MAX_AGE, httponly=True, samesite="lax")
    return response


async def signout(request: Request) -> Response:
    """POST /signout."""
    state = _state(request)
    with state.lock:
        state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = _redirect(signin_url(state))
    response.delete_cookie(SESSION_COOKIE)
    return response


@portal_page
async def dismiss_announcement(request: Request, session: Session) -> Response:
    """POST /announcement/dismiss."""
    if await csrf_ok(request):
        session.announcement = False
    home = home_url(_state(request))
    target = str((await request.form()).get("next", home))
    return _redirect(target if target.startswith("/") and not target.startswith("//") else home)


async def terms(request: Request) -> Response:
    """GET/POST /notice/terms: the interstitial an unattended agent must not click through."""
    found = current_session(request)
    if isinstance(found, Response):
        return found
    if request.method == "POST" and await csrf_ok(request):
        found.interstitial = False
        return _redirect(home_url(_state(request)))
    return render(request, "terms.html")


ROUTES = [
    Route("/signin", signin_form, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signin/verify", verify_form, methods=["GET"]),
    Route("/signin/verify", verify, methods=["POST"]),
    Route("/signout", signout, methods=["POST", "GET"]),
    Route("/announcement/dismiss", dismiss_announcement, methods=["POST"]),
    Route("/notice/terms", terms, methods=["GET", "POST"]),
]
