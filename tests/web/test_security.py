"""Sign-in and its guards over HTTP: redirects without a session, roles, CSRF, throttling, headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connector.settings import WebSettings
from connector.store import Run, WebUser, open_session
from connector.web.server import WebServer
from connector.web.users import add_user
from tests.web.helpers import ADMIN, VIEWER, csrf_of, signed_in

PAGES = ("/", "/money", "/worklists", "/reports", "/eligibility", "/fleet", "/claims/PFM000001")
FILES = ("/files/1", "/batches/1/837", "/reports/prairie/reconciliation-2026-11-27.xlsx")
ACTIONS = ("/actions/run", "/actions/clear-login-block", "/actions/clear-user-block", "/actions/acknowledge")


def test_without_a_session_every_page_and_file_redirects_to_sign_in(dashboard: Any) -> None:
    with httpx.Client(base_url=dashboard.url) as client:
        for path in PAGES + FILES:
            answer = client.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/login?next="), path
            assert "Nothing" not in answer.text and "UNITEDHEALTHCARE" not in answer.text
        for path in ACTIONS:
            assert client.post(path, data={"account": "prairie", "job": "health"}).status_code == 401
        assert client.get("/login").status_code == 200


def test_sign_in_returns_to_the_page_asked_for(dashboard: Any) -> None:
    with httpx.Client(base_url=dashboard.url) as client:
        token = csrf_of(client.get("/login?next=/money").text)
        form = {"csrf_token": token, "username": VIEWER[0], "password": VIEWER[1], "next": "/money"}
        assert client.post("/login", data=form).headers["location"] == "/money"
        assert client.get("/login").headers["location"] == "/"  # signed in already: sent to Today
    with httpx.Client(base_url=dashboard.url) as client:
        token = csrf_of(client.get("/login").text)
        form = {"csrf_token": token, "username": VIEWER[0], "password": VIEWER[1], "next": "//evil.example/x"}
        assert client.post("/login", data=form).headers["location"] == "/"


def test_a_viewers_post_to_an_admin_action_is_refused(dashboard: Any) -> None:
    with open_session(dashboard.settings.database_url) as session:
        runs_before = session.query(Run).count()
    with signed_in(dashboard.url, *VIEWER) as client:
        token = csrf_of(client.get("/").text)
        for path in ACTIONS:
            answer = client.post(path, data={"csrf_token": token, "account": "prairie", "job": "health"})
            assert answer.status_code == 403, path
    with open_session(dashboard.settings.database_url) as session:
        assert session.query(Run).count() == runs_before


def test_a_post_without_the_csrf_token_is_refused(dashboard: Any) -> None:
    with signed_in(dashboard.url, *ADMIN) as client:
        good = csrf_of(client.get("/").text)
        for data in ({}, {"csrf_token": ""}, {"csrf_token": good[:-2] + "xx"}):
            answer = client.post("/actions/run", data={**data, "account": "prairie", "job": "health"})
            assert answer.status_code == 403
        assert client.post("/logout", data={}).status_code == 303
        assert client.get("/").status_code == 200, "a logout without the token must not sign out"
    with httpx.Client(base_url=dashboard.url) as fresh:
        fresh.get("/login")
        answer = fresh.post("/login", data={"username": VIEWER[0], "password": VIEWER[1]})
        assert answer.status_code == 403 and "expired" in answer.text


def test_ten_wrong_passwords_slow_the_next_attempt(dashboard: Any) -> None:
    name, password = "wanda", "the right password"
    with open_session(dashboard.settings.database_url) as session:
        add_user(session, name, "viewer", password)
        session.commit()
    with httpx.Client(base_url=dashboard.url) as client:
        token = csrf_of(client.get("/login").text)
        codes = []
        for n in range(10):
            form = {"csrf_token": token, "username": name, "password": f"wrong {n}"}
            codes.append(client.post("/login", data=form).status_code)
        assert codes[:5] == [401] * 5 and 429 in codes
        right = client.post("/login", data={"csrf_token": token, "username": name, "password": password})
        assert right.status_code == 429 and "Try again in" in right.text
    with open_session(dashboard.settings.database_url) as session:
        user = session.query(WebUser).filter_by(name=name).one()
        assert user.blocked_until is not None and user.failed_logins == 5  # no attempt counted while waiting
        assert password not in user.password_hash and user.password_hash.startswith("$argon2id$")
    with signed_in(dashboard.url, *ADMIN) as admin:
        today = admin.get("/").text
        assert "wanda" in today
        answer = admin.post("/actions/clear-user-block", data={"csrf_token": csrf_of(today), "name": name})
        assert answer.status_code == 303
    with signed_in(dashboard.url, name, password) as client:
        assert client.get("/").status_code == 200


def test_unknown_names_are_slowed_down_too(dashboard: Any) -> None:
    with httpx.Client(base_url=dashboard.url) as client:
        token = csrf_of(client.get("/login").text)
        codes = [
            client.post(
                "/login", data={"csrf_token": token, "username": "nobody", "password": "x"}
            ).status_code
            for _ in range(7)
        ]
    assert codes[0] == 401 and codes[-1] == 429


def test_security_headers_and_cookie_flags(dashboard: Any) -> None:
    with httpx.Client(base_url=dashboard.url) as client:
        login = client.get("/login")
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    with signed_in(dashboard.url, *VIEWER) as client:
        for path in ("/login", "/", "/money", "/claims/PFM000001"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert (
                "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
            )
            assert headers["x-frame-options"] == "DENY"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["cache-control"] == "no-store"
        assert client.get("/static/style.css").status_code == 200
        assert "<script" not in client.get("/money").text and " style=" not in client.get("/money").text


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(dashboard: Any) -> None:
    settings = dashboard.settings.model_copy(update={"web": WebSettings(behind_tls=True)})
    server = WebServer(settings, port=0).start()
    try:
        answer = httpx.get(f"{server.base_url}/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in answer.headers["set-cookie"].lower()
        assert answer.headers["strict-transport-security"].startswith("max-age=")
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("name", "role", "password"),
    [("", "viewer", "long enough password"), ("with space", "viewer", "long enough password"),
     ("ok-name", "viewer", "short"), ("ok-name", "root", "long enough password")],
)  # fmt: skip
def test_user_names_roles_and_passwords_are_checked(
    dashboard: Any, name: str, role: str, password: str
) -> None:
    from connector.errors import ConfigError

    with open_session(dashboard.settings.database_url) as session, pytest.raises(ConfigError):
        add_user(session, name, role, password)


def test_the_throttle_waits_longer_after_each_wrong_password() -> None:
    from connector.web.users import Throttle

    throttle = Throttle(free_attempts=5, max_block_seconds=900)
    waits = [throttle.wait_after(n) for n in range(1, 12)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4:] == [30, 60, 120, 240, 480, 900, 900]


def test_an_idle_session_ends_and_a_new_password_ends_sessions(dashboard: Any) -> None:
    import time

    idle = dashboard.settings.model_copy(update={"web": WebSettings(idle_minutes=3 / 60)})
    server = WebServer(idle, port=0).start()
    try:
        with signed_in(server.base_url, *VIEWER) as client:
            assert client.get("/").status_code == 200
            time.sleep(4)
            assert client.get("/").headers["location"].startswith("/login")
            assert "signed out after a while" in client.get("/login").text
    finally:
        server.stop()
    with open_session(dashboard.settings.database_url) as session:
        add_user(session, "wendy", "viewer", "first password 1")
        session.commit()
    with signed_in(dashboard.url, "wendy", "first password 1") as client:
        assert client.get("/").status_code == 200
        with open_session(dashboard.settings.database_url) as session:
            add_user(session, "wendy", "viewer", "second password 2")
            session.commit()
        assert client.get("/").status_code == 303
