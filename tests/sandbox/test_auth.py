"""Sign-in over HTTP: password, one-time code used once per step, lockout, CSRF, expiry, modal, terms."""

from __future__ import annotations

import httpx
import pyotp

from connector.sandbox.server import SandboxServer
from tests.sandbox.helpers import csrf_of, sign_in


def _password(client: httpx.Client, sandbox: SandboxServer, password: str) -> httpx.Response:
    token = csrf_of(client.get("/signin").text)
    return client.post(
        "/signin", data={"csrf_token": token, "username": sandbox.username, "password": password}
    )


def test_pages_need_a_session(client: httpx.Client) -> None:
    for path in ("/dashboard", "/payments", "/claims/status", "/batches", "/responses", "/signin/verify"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/signin", path
    assert client.get("/").headers["location"] == "/dashboard"


def test_sign_in_with_password_and_code(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    page = client.get("/signin")
    assert page.status_code == 200
    assert (
        '<label for="username">Username</label>' in page.text and 'data-testid="signin-password"' in page.text
    )
    done = sign_in(client, sandbox_fresh)
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and "Payments this month" in dashboard.text
    assert client.get("/signin").headers["location"] == "/dashboard"
    assert client.post("/signout").status_code == 303
    assert client.get("/dashboard").status_code == 303


def test_code_is_accepted_once_per_step(sandbox_fresh: SandboxServer) -> None:
    base = sandbox_fresh.base_url
    with httpx.Client(base_url=base) as one, httpx.Client(base_url=base) as two:
        assert sign_in(one, sandbox_fresh).status_code == 303
        replay = sign_in(two, sandbox_fresh)
        assert replay.status_code == 401 and "already been used" in replay.text
        token = csrf_of(two.get("/signin/verify").text)
        following = two.post("/signin/verify", data={"csrf_token": token, "code": sandbox_fresh.totp_now(1)})
        assert following.status_code == 303 and following.headers["location"] == "/dashboard"


def test_wrong_code_is_refused(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    assert _password(client, sandbox_fresh, sandbox_fresh.password).status_code == 303
    token = csrf_of(client.get("/signin/verify").text)
    wrong = pyotp.TOTP(pyotp.random_base32()).now()
    refused = client.post("/signin/verify", data={"csrf_token": token, "code": wrong})
    assert refused.status_code == 401 and "incorrect" in refused.text
    assert client.get("/dashboard").status_code == 303


def test_three_bad_passwords_lock_until_reset(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    assert _password(client, sandbox_fresh, "nope").status_code == 401
    assert _password(client, sandbox_fresh, "nope").status_code == 401
    locked = _password(client, sandbox_fresh, "nope")
    assert locked.status_code == 423 and "locked" in locked.text
    assert _password(client, sandbox_fresh, sandbox_fresh.password).status_code == 423
    sandbox_fresh.reset()
    assert _password(client, sandbox_fresh, sandbox_fresh.password).status_code == 303


def test_forms_need_the_csrf_token(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    client.get("/signin")
    data = {"csrf_token": "forged", "username": sandbox_fresh.username, "password": sandbox_fresh.password}
    assert client.post("/signin", data=data).status_code == 403
    assert sandbox_fresh.state.failed_passwords == 0


def test_remember_this_device_skips_the_code(client: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    _password(client, sandbox_fresh, sandbox_fresh.password)
    token = csrf_of(client.get("/signin/verify").text)
    done = client.post(
        "/signin/verify", data={"csrf_token": token, "code": sandbox_fresh.totp_now(), "remember": "1"}
    )
    assert "sbx_device" in done.headers.get("set-cookie", "")
    client.post("/signout")
    again = _password(client, sandbox_fresh, sandbox_fresh.password)
    assert again.status_code == 303 and again.headers["location"] == "/dashboard"


def test_idle_session_expires(signed: httpx.Client, sandbox_fresh: SandboxServer) -> None:
    for session in sandbox_fresh.state.sessions.values():
        session.last_seen -= 901
    expired = signed.get("/payments")
    assert expired.status_code == 303 and expired.headers["location"] == "/signin?expired=1"
    assert "Your session has expired" in signed.get("/signin?expired=1").text


def test_announcement_modal_every_nth_sign_in(sandbox_fresh: SandboxServer) -> None:
    sandbox_fresh.set_fault("announcement", 1)
    with httpx.Client(base_url=sandbox_fresh.base_url) as browser:
        sign_in(browser, sandbox_fresh)
        page = browser.get("/payments")
        assert 'role="dialog"' in page.text and ">Dismiss</button>" in page.text
        token = csrf_of(page.text)
        dismissed = browser.post("/announcement/dismiss", data={"csrf_token": token, "next": "/payments"})
        assert dismissed.headers["location"] == "/payments"
        assert 'role="dialog"' not in browser.get("/payments").text


def test_announcement_default_is_every_third_sign_in(sandbox_fresh: SandboxServer) -> None:
    seen = []
    for _ in range(3):
        with httpx.Client(base_url=sandbox_fresh.base_url) as browser:
            sandbox_fresh.state.last_totp_step = -1
            sign_in(browser, sandbox_fresh)
            seen.append('role="dialog"' in browser.get("/dashboard").text)
    assert seen == [False, False, True]
