"""Finding 2: a kept failure trace held the live session cookie (and, traced from the start, the sign-in)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext
from pydantic import SecretStr

from connector.browser import TotpSource, start_trace, stop_trace
from connector.browser.trace_scrub import scrub_trace
from connector.logging import register_secrets
from connector.selectormap import load_map
from flows.portal import PortalPage
from flows.signin import sign_in

pytestmark = pytest.mark.finding(2)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_kept_trace_holds_no_session_csrf_or_sign_in_post(
    sandbox_fresh: Any, context: BrowserContext, tmp_path: Path
) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    page = await context.new_page()
    portal = PortalPage(context, page, load_map("sandbox-v1"), sandbox_fresh.base_url, tmp_path / "shots")
    register_secrets([sandbox_fresh.password])  # as the CLI does with every configured secret
    await start_trace(context)  # from before sign-in on purpose: the worst case
    await sign_in(
        portal,
        sandbox_fresh.username,
        SecretStr(sandbox_fresh.password),
        TotpSource(sandbox_fresh.totp_secret),
    )
    await portal.goto("home", step="test")
    cookies = {c["name"]: c["value"] for c in await context.cookies()}
    assert {"sbx_session", "sbx_csrf"} <= set(cookies)
    kept = await stop_trace(context, tmp_path / "traces" / "run-1.zip")
    assert kept is not None and kept.stat().st_mode & 0o777 == 0o600
    members = _members(kept)
    assert "trace.network" in members and "trace.trace" in members  # still a trace Playwright can show
    blob = b"".join(members.values())
    for name, value in cookies.items():
        assert value.encode() not in blob, f"cookie {name} is in the kept trace"
    assert sandbox_fresh.password.encode() not in blob
    entries = [json.loads(line) for line in members["trace.network"].splitlines() if line.strip()]
    headers = [h for e in entries for side in ("request", "response") for h in e["snapshot"][side]["headers"]]
    cookie_headers = [h["value"] for h in headers if h["name"].lower() in ("cookie", "set-cookie")]
    assert cookie_headers and set(cookie_headers) == {"***"}
    posts = [e["snapshot"]["request"] for e in entries if e["snapshot"]["request"]["method"] == "POST"]
    assert posts and all(p["postData"]["text"] == "(request body not kept)" for p in posts)
    assert not list((tmp_path / "traces").glob(".*"))  # the raw trace is gone


def test_authorization_and_csrf_headers_are_masked(tmp_path: Path) -> None:
    entry = {
        "type": "resource-snapshot",
        "snapshot": {
            "request": {
                "method": "GET",
                "url": "https://portal/x",
                "headers": [
                    {"name": "Authorization", "value": "Bearer tok-abcdefgh"},
                    {"name": "X-CSRF-Token", "value": "csrf-12345678"},
                    {"name": "Accept", "value": "text/html"},
                ],
                "cookies": [{"name": "s", "value": "cookie-value-9"}],
            },
            "response": {"headers": [], "cookies": []},
        },
    }
    archive = tmp_path / "t.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("trace.network", json.dumps(entry) + "\n")
        out.writestr("trace.trace", b'{"snapshot":"<input value=csrf-12345678> tok-abcdefgh cookie-value-9"}')
    cleaned = scrub_trace(archive.read_bytes())
    (tmp_path / "c.zip").write_bytes(cleaned)
    blob = b"".join(_members(tmp_path / "c.zip").values())
    for secret in (b"tok-abcdefgh", b"csrf-12345678", b"cookie-value-9"):
        assert secret not in blob
    assert b"text/html" in blob
