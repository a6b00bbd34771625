"""The ERA and reconcile jobs with the database file store (ERAs, report, sign-in, TOTP step), exports."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from connector import store
from connector.filestore import DatabaseStore, check_fleet_settings, load_keyring, new_key
from connector.jobs.execute import run_job
from connector.jobs.paths import Paths
from connector.jobs.signin import clear_login_block
from connector.jobs.signin_state import clear_shared_blocks
from connector.ops.recovery import expire_stored_traces
from connector.sandbox.era import era_bytes
from connector.settings import ConnectorSettings, StorageSettings
from connector.store.models import FileBlob, FileEntry, TotpStep
from connector.web.server import WebServer
from connector.web.users import add_user
from tests.jobs.test_run import _recent, _settings
from tests.pgdb import private_database
from tests.web.helpers import VIEWER, signed_in


def _database_store(sbx: Any, tmp_path: Path, database_url: str | None = None) -> ConnectorSettings:
    """The database store on SQLite (chosen outright), or fleet mode on PostgreSQL (``auto`` chooses it)."""
    base = _settings(sbx, tmp_path)
    keys = tmp_path / "secrets" / "storage-keys"
    new_key(keys)
    account = base.accounts["clinic"].model_copy(
        update={"pm_export": sbx.pm_export_csv, "export_folder": tmp_path / "pm-inbox"}
    )
    if database_url is None:
        storage = StorageSettings(backend="database", keys_dir=keys)
        return base.model_copy(update={"storage": storage, "accounts": {"clinic": account}})
    fleet = {"executor": "queue", "database_url": database_url, "storage": StorageSettings(keys_dir=keys)}
    settings = base.model_copy(update={**fleet, "accounts": {"clinic": account}})
    check_fleet_settings(settings)
    return settings


@pytest.fixture(params=["sqlite", "postgresql"])
def job_db(request: pytest.FixtureRequest, postgres_url: str) -> Iterator[str | None]:
    """None (SQLite under tmp_path), or a private PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    with private_database(postgres_url, "ct_fs") as url:
        yield url


async def dashboard_get(settings: ConnectorSettings, path: str) -> Any:
    """GET ``path`` from the dashboard (its own server on a free port) as a signed-in viewer."""
    with store.open_session(settings.database_url) as session:
        add_user(session, VIEWER[0], "viewer", VIEWER[1])
        session.commit()
    server = await asyncio.to_thread(WebServer(settings, port=0).start)
    try:
        with signed_in(server.base_url, *VIEWER) as client:
            return await asyncio.to_thread(client.get, path)
    finally:
        await asyncio.to_thread(server.stop)


def _rows(settings: ConnectorSettings, model: Any) -> list[Any]:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            return list(session.scalars(select(model)))
    finally:
        engine.dispose()


async def test_eras_in_the_database_store_are_the_sandbox_bytes_and_reconcile_reads_them(
    sbx: Any, tmp_path: Path, job_db: str | None
) -> None:
    settings = _database_store(sbx, tmp_path, job_db)
    first = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert first.ok and first.counts["remittances_new"] > 0, first
    window = _recent(sbx)
    listed = [p for p in sbx.data.payments if window["since"] <= p.date <= window["until"]]
    expected = {hashlib.sha256(era_bytes(sbx.data, p)).hexdigest() for p in listed}
    assert len(listed) == first.counts["listed"]
    eras = [e for e in _rows(settings, FileEntry) if e.kind == "era"]
    assert {e.sha256 for e in eras} == expected
    files = _rows(settings, store.DownloadedFile)
    assert all(f.stored_path == f"db:{f.sha256}" for f in files) and len(files) == first.counts["files_new"]
    assert not [p for p in (tmp_path / "data" / "downloads").rglob("*") if p.is_file()]  # no plain copy
    blobs = {b.sha256 for b in _rows(settings, FileBlob)}
    assert expected <= blobs
    engine = store.make_engine(settings.database_url)
    try:
        files_store = DatabaseStore(store.session_factory(engine), load_keyring(settings.storage.keys_dir))
        assert {hashlib.sha256(files_store.get(f"db:{sha}")).hexdigest() for sha in expected} == expected
    finally:
        engine.dispose()
    inbox = tmp_path / "pm-inbox"
    exported = sorted(inbox.iterdir())
    assert len(exported) == first.counts["files_new"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in exported)
    (_signin,) = [e for e in _rows(settings, FileEntry) if e.kind == "signin"]  # the saved sign-in: a blob
    assert not (tmp_path / "data" / "state" / "clinic.storage.json").exists()
    (step,) = _rows(settings, TotpStep)
    again = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert _rows(settings, TotpStep)[0].last_step == step.last_step  # signed in from the stored state
    assert again.ok and again.counts["fetched"] == 0, again
    assert sorted(inbox.iterdir()) == exported  # nothing exported twice
    reconciled = await run_job("reconcile", "clinic", settings, options={"as_of": sbx.data.as_of})
    assert reconciled.ok and reconciled.counts["eras"] == first.counts["remittances_new"], reconciled
    assert reconciled.counts.get("files_not_read", 0) == 0
    (report,) = [e for e in _rows(settings, FileEntry) if e.kind == "report"]
    assert (inbox / report.name).is_file()


async def test_failure_trace_is_kept_in_the_database_store_and_expires(sbx: Any, tmp_path: Path) -> None:
    settings = _database_store(sbx, tmp_path)
    sbx.set_fault("truncate_downloads", "body")
    broken = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert broken.error_class == "DownloadFailed", broken
    (trace,) = [e for e in _rows(settings, FileEntry) if e.kind == "trace"]
    assert f"db:{trace.sha256}" in broken.artifacts
    assert not list((tmp_path / "data").rglob("*.zip"))  # encrypted in the database only
    assert expire_stored_traces(settings.database_url, retention_days=1) == 0
    assert expire_stored_traces(settings.database_url, retention_days=0) == 1
    assert trace.sha256 not in {b.sha256 for b in _rows(settings, FileBlob)}


async def test_dashboard_serves_a_file_from_the_database_store(sbx: Any, tmp_path: Path) -> None:
    settings = _database_store(sbx, tmp_path)
    done = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert done.ok, done
    (row, *_) = [f for f in _rows(settings, store.DownloadedFile) if f.kind == store.FileKind.ERA_835]
    answer = await dashboard_get(settings, f"/files/{row.id}")
    assert answer.status_code == 200 and hashlib.sha256(answer.content).hexdigest() == row.sha256


async def test_a_refused_password_blocks_every_worker_until_cleared(sbx: Any, tmp_path: Path) -> None:
    """Fleet mode: worker B (another data folder, the same database) never tries a password A saw refused."""
    worker_a = _database_store(sbx, tmp_path)
    wrong = worker_a.accounts["clinic"].model_copy(update={"password": SecretStr("not-the-password")})
    worker_a = worker_a.model_copy(update={"accounts": {"clinic": wrong}})
    worker_b = worker_a.model_copy(update={"data_dir": tmp_path / "worker-b"})
    failed = await run_job("eras", "clinic", worker_a, options=_recent(sbx))
    assert failed.error_class == "LoginRejected" and sbx.state.failed_passwords == 1, failed
    blocked = await run_job("eras", "clinic", worker_b, options=_recent(sbx))
    assert blocked.error_class == "LoginRejected" and "blocked" in (blocked.error_message or "")
    assert sbx.state.failed_passwords == 1  # the portal never saw a second try
    assert clear_login_block(Paths(worker_b.data_dir, "clinic"))  # this worker's copy ...
    assert clear_shared_blocks(worker_b, "clinic")  # ... and the database's
    assert not clear_shared_blocks(worker_b, "clinic")
    again = await run_job("eras", "clinic", worker_b, options=_recent(sbx))
    assert again.error_class == "LoginRejected" and sbx.state.failed_passwords == 2  # tried once more
