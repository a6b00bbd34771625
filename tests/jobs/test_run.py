"""The runner on the sandbox: ledger, persistence, dedupe, crash safety, error classes, secrets."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from connector import store
from connector.jobs.context import RunResult
from connector.jobs.execute import run_job
from connector.jobs.paths import Paths
from connector.jobs.signin import clear_login_block
from connector.settings import ConnectorSettings, PortalAccount
from tests.sandbox.helpers import batch_837

SENTINEL_PASSWORD = "Sentinel-Pass-7731!"
SENTINEL_TOTP = "SENTINELTOTPSECRETQQQQQQQQQQQQQQ"


def _settings(sandbox: Any, tmp_path: Path, password: str | None = None) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Sandbox Family Practice",
        portal="sandbox-v1",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(password or sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
    )
    return ConnectorSettings(
        database_url=f"sqlite:///{tmp_path}/connector.db",
        data_dir=tmp_path / "data",
        accounts={"clinic": account},
    )


def _recent(sandbox: Any) -> dict[str, Any]:
    as_of: dt.date = sandbox.data.as_of
    return {"since": as_of - dt.timedelta(days=14), "until": as_of + dt.timedelta(days=1)}


def _count(settings: ConnectorSettings, model: Any) -> int:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


@pytest.fixture
def sentinel_account(sbx: Any) -> Any:
    """The sandbox's user with sentinel secrets for this test, restored afterwards."""
    account = sbx.state.account
    saved = account.password, account.totp_secret
    account.password, account.totp_secret = SENTINEL_PASSWORD, SENTINEL_TOTP
    yield sbx
    account.password, account.totp_secret = saved


def _forget_codes(sandbox: Any, settings: ConnectorSettings) -> None:
    """Let the next sign-in use the current code again (the sandbox admin knob), instead of waiting 30 s."""
    sandbox.state.last_totp_step = -1
    Paths(settings.data_dir, "clinic").totp_state.unlink(missing_ok=True)


async def test_eras_twice_downloads_nothing_new(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    first = await run_job("eras", None, settings, options=_recent(sbx))
    assert first.ok, first
    files = first.counts["files_new"]
    assert files > 0 and files == first.counts["fetched"] and first.counts["remittances_new"] > 0
    second = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert second.ok and second.counts["fetched"] == 0 and second.counts["files_new"] == 0
    assert second.counts["skipped_known"] == second.counts["listed"]
    assert sbx.state.signins == 1  # the saved sign-in was reused
    assert _count(settings, store.Run) == 2 and _count(settings, store.DownloadedFile) == files


async def test_kill_between_save_and_record_does_not_download_twice(
    sbx: Any, tmp_path: Path, browser: Any
) -> None:
    from connector.selectormap import load_map
    from flows.eras import download_eras
    from flows.portal import PortalPage
    from tests.flows.conftest import Portal

    settings = _settings(sbx, tmp_path)
    dest = Paths(settings.data_dir, "clinic").downloads / "eras"
    context = await browser.new_context()
    page = PortalPage(context, await context.new_page(), load_map("sandbox-v1"), sbx.base_url)
    await Portal(page, sbx, "v1", tmp_path).sign_in()
    saved = await download_eras(page, dest, **_recent(sbx))  # ... and the process dies before recording
    await context.close()
    _forget_codes(sbx, settings)
    result = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert result.ok, result
    assert result.counts["fetched"] == 0 and result.counts["files_new"] == len(saved.files)


async def test_upload_twice_is_one_batch_and_acknowledgements_settle_it(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    outbox = Paths(settings.data_dir, "clinic").outbox
    outbox.mkdir(parents=True)
    (outbox / "monday.837").write_bytes(batch_837(sbx.data, sbx.data.claims[:4], control=11))
    first = await run_job("upload", "clinic", settings)
    assert first.ok and first.counts["submitted"] == 1, first
    second = await run_job("upload", "clinic", settings)
    assert second.ok and second.counts["skipped"] == 1 and second.counts["submitted"] == 0
    assert len(sbx.state.batches) == 1
    sbx.advance_acknowledgements()
    acks = await run_job("acks", "clinic", settings)
    assert acks.ok and acks.counts["999"] == 1 and acks.counts["277ca"] == 1, acks
    engine = store.make_engine(settings.database_url)
    with store.session_factory(engine)() as session:
        batch = session.scalars(select(store.SubmissionBatch)).one()
        assert batch.state in (store.BatchState.ACCEPTED, store.BatchState.REJECTED)
        assert batch.idempotency_key == hashlib.sha256((outbox / "monday.837").read_bytes()).hexdigest()
    engine.dispose()


async def test_dropped_upload_is_settled_from_the_batch_list_not_uploaded_again(
    sbx: Any, tmp_path: Path
) -> None:
    settings = _settings(sbx, tmp_path)
    outbox = Paths(settings.data_dir, "clinic").outbox
    outbox.mkdir(parents=True)
    (outbox / "tuesday.837").write_bytes(batch_837(sbx.data, sbx.data.claims[4:6], control=12))
    sbx.set_fault("drop", -1)
    lost = await run_job("upload", "clinic", settings)
    assert lost.ok and lost.counts["unknown"] == 1, lost
    sbx.set_fault("drop", 0)
    (arrived,) = sbx.state.batches.values()
    resent_by_chromium = arrived.duplicate_uploads  # Chromium itself re-sends a POST cut before any reply
    settled = await run_job("upload", "clinic", settings)
    assert settled.counts["settled"] == 1 and settled.counts["skipped"] == 1
    assert len(sbx.state.batches) == 1 and arrived.duplicate_uploads == resent_by_chromium


async def test_session_expired_mid_run_signs_in_once_more(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    claims = [c.claim_id for c in sbx.data.claims[:2]]
    warm = await run_job("statuses", "clinic", settings, options={"claims": claims[:1]})
    assert warm.ok and warm.counts["status_rows"] >= 1
    sbx.set_fault("session_expiry_after", 6)
    _forget_codes(sbx, settings)
    result = await run_job("statuses", "clinic", settings, options={"claims": claims})
    assert result.ok, result
    assert result.counts["sign_ins_again"] == 1 and sbx.state.signins == 2


async def test_maintenance_skips_and_rejected_password_fails_once(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    sbx.set_fault("maintenance", True)
    skipped = await run_job("eras", "clinic", settings)
    assert skipped.outcome == "SKIPPED" and skipped.error_class == "PortalMaintenance" and skipped.until
    health = await run_job("health", "clinic", settings)
    assert health.error_class == "PortalMaintenance"
    sbx.set_fault("maintenance", False)
    assert (await run_job("health", "clinic", settings)).counts["state"] == "up"
    wrong = _settings(sbx, tmp_path, password="not-the-password")
    failed = await run_job("eras", "clinic", wrong)
    assert failed.outcome == "FAILED" and failed.error_class == "LoginRejected"
    blocked = await run_job("eras", "clinic", wrong)  # e.g. the scheduler's next run: never tries again
    assert blocked.error_class == "LoginRejected" and "blocked" in (blocked.error_message or "")
    assert sbx.state.failed_passwords == 1
    assert clear_login_block(Paths(wrong.data_dir, "clinic"))


def _grep(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if needles and any(n.decode() in path.name for n in needles):
            hits.append(f"name {path}")
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(member) for member in archive.namelist()]
        hits += [f"{path}: {n!r}" for blob in blobs for n in needles if n in blob]
    return hits


async def test_sentinel_secrets_appear_in_no_artifact(
    sentinel_account: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sbx = sentinel_account
    try:
        settings = _settings(sbx, tmp_path)
        settings.accounts["clinic"].totp_secret = SecretStr(SENTINEL_TOTP)
        ok = await run_job("eras", "clinic", settings, options=_recent(sbx))
        assert ok.ok, ok
        sbx.set_fault("truncate_downloads", "body")
        _forget_codes(sbx, settings)
        Paths(settings.data_dir, "clinic").storage_state.unlink()
        broken: RunResult = await run_job("eras", "clinic", settings, options={"since": dt.date(2020, 1, 1)})
        assert broken.error_class == "DownloadFailed" and any(a.endswith(".zip") for a in broken.artifacts)
        sbx.reset()
        sbx.set_fault("interstitial", True)
        _forget_codes(sbx, settings)
        Paths(settings.data_dir, "clinic").storage_state.unlink(missing_ok=True)
        stopped = await run_job("eras", "clinic", settings)
        assert stopped.error_class == "UnknownInterstitial" and any(
            a.endswith(".png") for a in stopped.artifacts
        )
    finally:
        sbx.reset()
    needles = [SENTINEL_PASSWORD.encode(), SENTINEL_TOTP.encode()]
    assert await asyncio.to_thread(_grep, tmp_path, needles) == []
    assert not any(n.decode() in caplog.text for n in needles)


async def test_online_selector_check_records_and_matches_v2(sbx: Any, tmp_path: Path) -> None:
    from connector.browser import BrowserSession
    from connector.jobs.drift import check_offline, record
    from connector.selectormap import load_map

    sbx.set_variant("v2")
    account = _settings(sbx, tmp_path).accounts["clinic"].model_copy(update={"portal": "sandbox-v2"})
    smap = load_map("sandbox-v2")
    claim = sbx.data.claims[0].claim_id
    pages = await record(smap, account, tmp_path / "rec", claim_number=claim)
    assert {"login", "mfa", "home", "payments", "claim_status"} <= set(pages)
    html = (tmp_path / "rec" / "payments.html").read_text()
    assert sbx.password not in html and "csrf" in html and 'name="csrf_token" value=""' in html
    async with BrowserSession() as browser:
        reports = await check_offline(smap, tmp_path / "rec", browser)
    assert [c for r in reports for c in r.misses] == []


async def test_trace_kept_after_a_second_sign_in_holds_no_password(
    sentinel_account: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sbx = sentinel_account
    import connector.jobs.signin
    from connector.browser import TotpSource
    from connector.sandbox import auth

    real_check = auth.check_code

    def forgetful(state: Any, code: str, now: float | None = None) -> str:
        state.last_totp_step = -1  # the sandbox forgets used codes: no 30 s wait for the second sign-in
        return real_check(state, code, now)

    monkeypatch.setattr(auth, "check_code", forgetful)
    monkeypatch.setattr(connector.jobs.signin, "_totp", lambda paths, acct: TotpSource(SENTINEL_TOTP))
    sbx.set_fault("session_expiry_after", 3)  # expires in the first session and again in the second
    settings = _settings(sbx, tmp_path, password=SENTINEL_PASSWORD)
    claims = [c.claim_id for c in sbx.data.claims[:3]]
    result = await run_job("statuses", "clinic", settings, options={"claims": claims})
    assert result.error_class == "SessionExpired" and sbx.state.signins == 2
    assert any(a.endswith(".zip") for a in result.artifacts)
    needles = [SENTINEL_PASSWORD.encode(), SENTINEL_TOTP.encode()]
    assert await asyncio.to_thread(_grep, tmp_path, needles) == []


async def test_unusable_database_is_a_failed_result_not_an_exception(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path).model_copy(update={"database_url": "sqlite:////proc/no-such/c.db"})
    result = await run_job("health", "clinic", settings)
    assert result.outcome == "FAILED" and result.error_class == "StorageError" and result.run_id is None
