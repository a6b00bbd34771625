"""Chromium is found and launched through connector.browser, and loads a page from a local HTTP server."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from connector.browser import (
    BrowserSession,
    TotpSource,
    find_chromium,
    fresh_storage_state,
    save_storage_state,
    start_trace,
    stop_trace,
)
from connector.errors import BrowserError

PAGE = b"<!doctype html><title>hello</title><h1>Remittances</h1><a download href='/f'>835</a>"


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    request = await reader.readuntil(b"\r\n\r\n")
    body = PAGE if request.startswith(b"GET / ") else b"ISA*00*~"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
    writer.write(head % len(body) + body)
    await writer.drain()
    writer.close()


@pytest.fixture
async def local_site() -> AsyncIterator[str]:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/"
    server.close()
    await server.wait_closed()


async def test_chromium_loads_local_page(local_site: str, tmp_path: Path) -> None:
    async with BrowserSession() as session:
        context = await session.new_context()
        page = await context.new_page()
        await page.goto(local_site)
        assert await page.title() == "hello"
        assert await page.get_by_role("heading").inner_text() == "Remittances"
        await start_trace(context)
        assert await stop_trace(context, None) is None
        assert await stop_trace(context, tmp_path / "t.zip") is None  # already stopped: no error
        state = tmp_path / "state" / "clinic.json"
        await save_storage_state(context, state)
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        await context.close()


def test_missing_chromium_names_setting_and_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONNECTOR_BROWSER__EXECUTABLE", str(tmp_path / "nope"))
    with pytest.raises(BrowserError, match="CONNECTOR_BROWSER__EXECUTABLE"):
        find_chromium()


def test_storage_state_expires(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    state.write_text("{}")
    assert fresh_storage_state(state, max_age_hours=1) == state
    old = state.stat().st_mtime - 7200
    os.utime(state, (old, old))
    assert fresh_storage_state(state, max_age_hours=1) is None
    assert not state.exists()


async def test_totp_never_reuses_a_step(monkeypatch: pytest.MonkeyPatch) -> None:
    import time as real_time

    clock = {"now": 1_000_020.0}  # 10 s into a 30 s step
    monkeypatch.setattr(real_time, "time", lambda: clock["now"])

    async def fake_sleep(seconds: float) -> None:
        clock["now"] += seconds

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    source = TotpSource("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    first_step = clock["now"] // 30
    await source.next_code()
    assert clock["now"] // 30 == first_step  # a fresh step with 20 s left: no wait
    await source.next_code()  # the same step again: must wait for the next one
    assert clock["now"] // 30 == first_step + 1
    clock["now"] = (first_step + 2) * 30 + 28.5  # 1.5 s left in a fresh step: too little, wait
    await source.next_code()
    assert clock["now"] // 30 == first_step + 3


def _fake_binary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_headless_runs_prefer_the_headless_shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CONNECTOR_BROWSER__EXECUTABLE", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    full = _fake_binary(tmp_path / "chromium-1200" / "chrome-linux64" / "chrome")
    shell = _fake_binary(tmp_path / "chromium_headless_shell-1200" / "chrome-linux64" / "headless_shell")
    assert find_chromium(headless=True) == shell
    assert find_chromium(headless=False) == full  # a visible browser needs the full one
    explicit = _fake_binary(tmp_path / "mine" / "chromium")
    assert find_chromium(explicit, headless=True) == explicit  # the setting always wins


@pytest.mark.parametrize(("mode", "filmstrip"), [("full", True), ("snapshots", False), ("off", None)])
async def test_trace_setting_decides_what_a_kept_trace_holds(
    local_site: str, tmp_path: Path, mode: str, filmstrip: bool | None
) -> None:
    import zipfile

    async with BrowserSession() as session:
        context = await session.new_context()
        page = await context.new_page()
        await start_trace(context, mode)
        await page.goto(local_site)
        await page.get_by_role("heading").click()
        await page.wait_for_timeout(300)  # room for a screencast frame
        kept = await stop_trace(context, tmp_path / "t.zip")
        await context.close()
    if filmstrip is None:  # off: nothing was recorded, nothing is kept
        assert kept is None
        return
    assert kept is not None
    with zipfile.ZipFile(kept) as archive:
        events = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".trace"))
    assert "frame-snapshot" in events  # the page as it was at each step: always
    assert ("screencast-frame" in events) is filmstrip
