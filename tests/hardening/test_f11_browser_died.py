"""Finding 11: Chromium killed mid-run ended as "unexpected error" (TargetClosedError) and was not retried.
Now it is BrowserDied, with a message that says so; the run is tried once more with a fresh browser, and a
person is alerted when it happens again."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import select

from connector import store
from connector.ops.policy import run_with_policy
from connector.ops.retry import RetryPolicy
from tests.hardening.conftest import account_settings, admin_state, notifier_for

pytestmark = pytest.mark.finding(11)

FAST = RetryPolicy(attempts=1, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)


def _browsers() -> set[int]:
    """Chromium processes started by this test process (through Playwright's driver)."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in child.name().lower() or "headless" in child.name().lower():
                found.add(child.pid)
    return found


async def _kill_after_sign_in(sandbox: Any, times: int, before: set[int]) -> int:
    """Kill -9 each new Chromium right after its run signed in, ``times`` times; returns how many."""
    killed, signins = 0, admin_state(sandbox)["signins"]
    while killed < times:
        await asyncio.sleep(0.1)
        now = await asyncio.to_thread(admin_state, sandbox)
        if now["signins"] <= signins:
            continue
        signins = now["signins"]
        for pid in _browsers() - before:
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
        killed += 1
    return killed


async def _run_with_kills(sandbox: Any, tmp_path: Path, webhook: Any, kills: int) -> tuple[Any, Any]:
    sandbox.set_fault("announcement", 0)
    sandbox.set_fault("latency", 400)  # the flow takes a few seconds after sign-in: the kill lands mid-run
    settings = account_settings(sandbox, tmp_path, webhook)
    claims = [c.claim_id for c in sandbox.data.claims[:6]]
    killer = asyncio.create_task(_kill_after_sign_in(sandbox, kills, _browsers()))
    try:
        result = await run_with_policy(
            "statuses", "prairie", settings, notifier_for(settings), FAST, options={"claims": claims}
        )
    finally:
        killer.cancel()
    return result, settings


def _ledger(settings: Any) -> list[tuple[str, str | None, str | None]]:
    with store.open_session(settings.database_url) as session:
        runs = session.scalars(select(store.Run).order_by(store.Run.id))
        return [(str(r.outcome.value), r.error_class, r.error_message) for r in runs]


async def test_killed_browser_is_named_and_retried_once_with_a_fresh_one(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any
) -> None:
    result, settings = await _run_with_kills(sandbox_fresh, tmp_path, webhook, kills=1)
    assert result.ok, (result.error_class, result.error_message)
    (first, second) = _ledger(settings)
    assert first[:2] == ("FAILED", "BrowserDied") and "Chromium stopped in the middle of statuses" in first[2]
    assert second[0] == "SUCCEEDED"
    assert webhook.messages == []  # once is not yet a person's problem


async def test_a_browser_that_dies_again_alerts_a_person_once(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any
) -> None:
    result, settings = await _run_with_kills(sandbox_fresh, tmp_path, webhook, kills=2)
    assert result.error_class == "BrowserDied" and "killed, or out of memory" in (result.error_message or "")
    assert [r[1] for r in _ledger(settings)] == ["BrowserDied", "BrowserDied"]
    assert [m["type"] for m in webhook.messages] == ["failure"]
    assert "could not run" in webhook.messages[0]["title"]
    assert "Chromium stopped" in webhook.messages[0]["message"]
    assert "stopped twice in a row" in webhook.messages[0]["message"]
