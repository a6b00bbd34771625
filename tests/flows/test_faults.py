"""Every sandbox fault knob ends in the expected error class or recovery (flow level, UI v1)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from connector.browser import TotpSource
from connector.errors import (
    DownloadFailed,
    LoginRejected,
    PortalMaintenance,
    PortalUnavailable,
    SessionExpired,
    UnknownInterstitial,
)
from flows.acks import download_acks
from flows.batches import list_batches, upload_batch, upload_name
from flows.claim_status import claim_statuses
from flows.eras import download_eras
from flows.health import check_health
from flows.signin import sign_in
from tests.flows.conftest import Portal
from tests.sandbox.helpers import batch_837

pytestmark = pytest.mark.parametrize("variant", ["v1"])


def _window(portal: Portal) -> tuple[dt.date, dt.date]:
    as_of: dt.date = portal.sandbox.data.as_of
    return as_of - dt.timedelta(days=24), as_of + dt.timedelta(days=1)


async def test_rejected_password_is_never_retried(portal: Portal) -> None:
    totp = TotpSource(portal.sandbox.totp_secret)
    with pytest.raises(LoginRejected):
        await sign_in(portal.page, portal.sandbox.username, SecretStr("not-the-password"), totp)
    assert portal.sandbox.state.failed_passwords == 1
    assert totp.last_used_step is None  # no code was spent


async def test_unknown_interstitial_stops_with_masked_screenshot(portal: Portal) -> None:
    portal.sandbox.set_fault("interstitial", True)
    with pytest.raises(UnknownInterstitial, match="masked screenshot"):
        await portal.sign_in()
    shots = list(portal.screenshots.glob("*.png"))
    assert len(shots) == 1 and shots[0].name.startswith("interstitial-")
    assert stat.S_IMODE(shots[0].stat().st_mode) == 0o600
    assert all(s.interstitial for s in portal.sandbox.state.sessions.values())  # never clicked through


async def test_announcement_is_dismissed(portal: Portal) -> None:
    portal.sandbox.set_fault("announcement", 1)
    await portal.sign_in()
    assert await portal.page.smap.present(portal.page.page, "home.marker")
    assert not await portal.page.smap.present(portal.page.page, "announcement.dialog")


async def test_session_expiry_mid_run(portal: Portal) -> None:
    await portal.sign_in()
    portal.sandbox.set_fault("session_expiry_after", 2)
    claims = [c.claim_id for c in portal.sandbox.data.claims[:4]]
    with pytest.raises(SessionExpired):
        await claim_statuses(portal.page, claims)


async def test_maintenance(portal: Portal) -> None:
    portal.sandbox.set_fault("maintenance", True)
    health = await check_health(portal.sandbox.base_url + "/status.json")
    assert health.state == "maintenance" and health.maintenance_until is not None
    with pytest.raises(PortalMaintenance):
        await portal.page.goto("login", step="test")


async def test_server_errors_and_rate_limit(portal: Portal) -> None:
    portal.sandbox.set_fault("error_rate", "every:1")
    portal.sandbox.set_fault("error_status", 502)
    with pytest.raises(PortalUnavailable, match="502") as err:
        await portal.page.goto("login", step="test")
    assert type(err.value) is PortalUnavailable
    portal.sandbox.reset()
    portal.sandbox.set_fault("rate_limit", 1)
    portal.sandbox.set_fault("retry_after", 7)
    await portal.page.goto("login", step="test")
    with pytest.raises(PortalUnavailable) as limited:
        await portal.page.goto("login", step="test")
    assert limited.value.retry_after == 7


@pytest.mark.parametrize("mode", ["body", "length"])
async def test_truncated_downloads_fail(portal: Portal, tmp_path: Path, mode: str) -> None:
    await portal.sign_in()
    portal.sandbox.set_fault("truncate_downloads", mode)
    since, until = _window(portal)
    with pytest.raises(DownloadFailed):
        await download_eras(portal.page, tmp_path / "eras", since=since, until=until, method="request")
    leftovers = list((tmp_path / "eras").glob("*")) if (tmp_path / "eras").exists() else []
    assert leftovers == []


async def test_hostile_filenames_are_never_used(portal: Portal, tmp_path: Path) -> None:
    await portal.sign_in()
    portal.sandbox.set_fault("hostile_filenames", True)
    since, until = _window(portal)
    dest = tmp_path / "in" / "eras"
    got = await download_eras(portal.page, dest, since=since, until=until, method="click")
    assert len(got.files) > 20 and got.method == "click"  # past Chromium's 10-downloads-per-load block
    names = await asyncio.to_thread(lambda: sorted(p.name for p in tmp_path.rglob("*") if p.is_file()))
    assert names == sorted(f.path.name for f in got.files)
    assert all(f.path.parent == dest and f.path.name.startswith(("835-", "pdf-")) for f in got.files)


async def test_dropped_upload_is_unknown_and_the_batch_list_settles_it(portal: Portal) -> None:
    await portal.sign_in()
    portal.sandbox.set_fault("drop", -1)  # every try: Chromium itself re-sends a POST cut before any reply
    content = batch_837(portal.sandbox.data, portal.sandbox.data.claims[3:5], control=7)
    sha = hashlib.sha256(content).hexdigest()
    receipt = await upload_batch(portal.page, content, sha, timeout_s=10)
    assert receipt.state == "UNKNOWN" and receipt.batch_id is None
    portal.sandbox.set_fault("drop", 0)
    listed = await list_batches(portal.page)
    assert upload_name(sha) in {b.file_name for b in listed}


async def test_refused_upload_is_rejected_with_the_portals_message(portal: Portal) -> None:
    await portal.sign_in()
    content = b"ISA*not really an 837~"
    receipt = await upload_batch(portal.page, content, hashlib.sha256(content).hexdigest())
    assert receipt.state == "REJECTED" and receipt.batch_id is None
    assert "not a valid X12 837" in receipt.detail and portal.sandbox.state.batches == {}


@pytest.mark.slow
async def test_used_code_waits_for_the_next_step(portal: Portal, browser: object) -> None:
    await portal.sign_in()
    second = TotpSource(portal.sandbox.totp_secret)  # another process that does not know the code was used
    await portal.page.context.clear_cookies()
    await portal.sign_in(second)
    assert portal.sandbox.state.signins == 2


async def test_latency_is_degraded_not_down_and_idle_sessions_expire(portal: Portal) -> None:
    portal.sandbox.set_fault("latency", 20)
    health = await check_health(portal.sandbox.base_url + "/status.json")
    assert health.state == "degraded" and health.indicator == "minor"
    portal.sandbox.set_fault("latency", 0)
    await portal.sign_in()
    portal.sandbox.set_fault("session_idle_seconds", 1)
    await asyncio.sleep(1.2)
    with pytest.raises(SessionExpired):
        await portal.page.goto("payments", step="test")


async def test_acknowledgements_wait_for_the_mailbox(portal: Portal, tmp_path: Path) -> None:
    await portal.sign_in()
    portal.sandbox.set_fault("ack_delay", 3600)
    content = batch_837(portal.sandbox.data, portal.sandbox.data.claims[6:8], control=9)
    receipt = await upload_batch(portal.page, content, hashlib.sha256(content).hexdigest())
    assert receipt.state == "SUBMITTED" and receipt.batch_id
    assert await download_acks(portal.page, tmp_path / "acks", [receipt.batch_id]) == []
    portal.sandbox.advance_acknowledgements()
    assert len(await download_acks(portal.page, tmp_path / "acks", [receipt.batch_id])) == 2
