"""The optum variant's sign-in: landing page, Optum ID widget, security question or authenticator code."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from connector.sandbox.auth import check_code, complete_signin, current_session, home_url
from connector.sandbox.optum_common import state_of
from connector.sandbox.state import SandboxState, Session
from connector.sandbox.ui import DEVICE_COOKIE, SESSION_COOKIE, csrf_ok, render

BAD_PASSWORD = "The Optum ID or password that you entered is incorrect."
EMPTY_FORM = "There are errors on the form that must be corrected before you can continue."
BAD_ANSWER = "The answer you entered is incorrect. Please try again."
LOCKED = "Your Optum ID is locked after three unsuccessful attempts. Contact Optum Pay provider support."


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _not_optum(request: Request) -> Response:
    return render(
        request, "message.html", 404, title="Not found", message="No such page.", testid="not-found"
    )


def _credentials(request: Request, status: int = 200, message: str = "") -> Response:
    info = "Your session has expired. Please sign in again." if request.query_params.get("expired") else ""
    return render(request, "optum_signin.html", status, message=message, info=info)


async def landing(request: Request) -> Response:
    """GET /registrationSignIn.do: the landing page, or (OFSP_main=login) the Optum ID widget."""
    state = state_of(request)
    if state.variant != "optum":
        return _not_optum(request)
    if isinstance(current_session(request), Session):
        return _redirect(home_url(state))
    if request.query_params.get("OFSP_main") == "login":
        return _credentials(request)
    return render(request, "optum_landing.html")


async def sign_in(request: Request) -> Response:
    """POST /registrationSignIn.do: the password; a remembered device skips the second factor."""
    state = state_of(request)
    if state.variant != "optum":
        return _not_optum(request)
    if not await csrf_ok(request):
        return _credentials(request, 403, "Your form expired. Please try again.")
    form = await request.form()
    username, password = str(form.get("userName", "")), str(form.get("password", ""))
    if not username or not password:
        return _credentials(request, 400, EMPTY_FORM)
    with state.lock:
        if state.locked:
            return _credentials(request, 423, LOCKED)
        good = secrets.compare_digest(username, state.account.username) and secrets.compare_digest(
            password, state.account.password
        )
        if not good:
            state.failed_passwords += 1
            return _credentials(request, 401, LOCKED if state.locked else BAD_PASSWORD)
        state.failed_passwords = 0
        remembered = request.cookies.get(DEVICE_COOKIE, "") in state.remembered
    session = state.new_session("mfa")
    if remembered:
        return complete_signin(state, session, remember=False)
    with state.lock:
        questions = list(state.account.security_questions)
        session.question = questions[state.optum.questions_asked % len(questions)]
        state.optum.questions_asked += 1
    response = _redirect("/authQuestion.do")
    response.set_cookie(SESSION_COOKIE, session.sid, httponly=True, samesite="lax")
    return response


def _pending(request: Request, state: SandboxState) -> Session | None:
    with state.lock:
        session = state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    return session if session is not None and session.stage == "mfa" else None


def _challenge(request: Request, session: Session, status: int = 200, message: str = "") -> Response:
    factor = str(state_of(request).faults["second_factor"])
    return render(
        request, "optum_question.html", status, factor=factor, question=session.question, message=message
    )


async def question_form(request: Request) -> Response:
    """GET /authQuestion.do: "Unrecognized Device" (a security question) or the authenticator code."""
    state = state_of(request)
    session = _pending(request, state) if state.variant == "optum" else None
    if session is None:
        return _redirect("/registrationSignIn.do?OFSP_main=login")
    return _challenge(request, session)


async def answer(request: Request) -> Response:
    """POST /authQuestion.do: the answer (or code); "remember my device" sets the device cookie."""
    state = state_of(request)
    session = _pending(request, state) if state.variant == "optum" else None
    if session is None:
        return _redirect("/registrationSignIn.do?OFSP_main=login")
    if not await csrf_ok(request):
        return _challenge(request, session, 403, "Your form expired. Please try again.")
    form = await request.form()
    remember = form.get("rememberMyDevice") in ("on", "true", "1", "Y")
    if str(state.faults["second_factor"]) == "code":
        problem = check_code(state, str(form.get("code", "")).strip())
        if problem:
            return _challenge(request, session, 401, problem)
        return complete_signin(state, session, remember=remember)
    expected = state.account.security_questions.get(session.question, "")
    given = " ".join(str(form.get("securityAnswer", "")).split()).lower()
    if not expected or not secrets.compare_digest(given.encode(), expected.lower().encode()):
        with state.lock:
            state.failed_passwords += 1
            if state.locked:
                state.sessions.pop(session.sid, None)
                return _credentials(request, 423, LOCKED)
        return _challenge(request, session, 401, BAD_ANSWER)
    return complete_signin(state, session, remember=remember)


async def logout(request: Request) -> Response:
    """GET /returnToLoginPage.do (the Logout link): ends the session (the live site goes to optumbank.com)."""
    state = state_of(request)
    with state.lock:
        state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    response = _redirect("/registrationSignIn.do")
    response.delete_cookie(SESSION_COOKIE)
    return response


ROUTES = [
    Route("/registrationSignIn.do", landing, methods=["GET"]),
    Route("/registrationSignIn.do", sign_in, methods=["POST"]),
    Route("/authQuestion.do", question_form, methods=["GET"]),
    Route("/authQuestion.do", answer, methods=["POST"]),
    Route("/returnToLoginPage.do", logout, methods=["GET", "POST"]),
]
