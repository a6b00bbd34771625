"""Crash recovery: a `connector run eras` killed with SIGKILL mid-download, then run again, leaves exactly the
sandbox's files in the store (by sha256), nothing twice, no half-written file counted, the dead run closed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from connector import store
from connector.ops.cycle import run_cycle
from connector.ops.retry import RetryPolicy
from connector.sandbox.era import era_bytes
from connector.sandbox.remit_pdf import remit_pdf
from connector.settings import ConnectorSettings, PortalAccount

FAST = RetryPolicy(attempts=2, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)


def _env(sandbox: Any, root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    prefix = "CONNECTOR_ACCOUNTS__PRAIRIE__"
    env.update(
        {
            f"{prefix}PRACTICE_NAME": "Prairie Family Medicine",
            f"{prefix}BASE_URL": sandbox.base_url,
            f"{prefix}USERNAME": sandbox.username,
            f"{prefix}PASSWORD": sandbox.password,
            f"{prefix}TOTP_SECRET": sandbox.totp_secret,
            "CONNECTOR_DATA_DIR": str(root / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{root / 'data' / 'connector.db'}",
        }
    )
    return env


def _settings(sandbox: Any, root: Path) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
    )
    return ConnectorSettings(
        accounts={"prairie": account},
        data_dir=root / "data",
        database_url=f"sqlite:///{root / 'data' / 'connector.db'}",
    )


def _stored(downloads: Path) -> list[Path]:
    return [p for p in downloads.rglob("*") if p.is_file() and not p.name.startswith(".")]


def _kill_mid_download(sandbox: Any, tmp_path: Path, downloads: Path) -> int:
    """Start `connector run eras` in a process and SIGKILL it once a few files are saved."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "run", "eras", "--account", "prairie"],
        env=_env(sandbox, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(_stored(downloads)) < 6 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; raise the latency"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return len(_stored(downloads))


def _check_store(settings: ConnectorSettings, downloads: Path, data: Any) -> None:
    expected = set()
    for payment in data.payments:
        expected.add(hashlib.sha256(era_bytes(data, payment)).hexdigest())
        expected.add(hashlib.sha256(remit_pdf(data, payment)).hexdigest())
    with store.session_factory(store.make_engine(settings.database_url))() as session:
        rows = session.scalars(select(store.DownloadedFile)).all()
        runs = session.scalars(select(store.Run).order_by(store.Run.id)).all()
        remittances = session.scalars(select(store.RemittanceRow)).all()
    assert {r.sha256 for r in rows} == expected  # every sandbox file, and only those
    assert len(rows) == len(expected)  # nothing twice
    on_disk = _stored(downloads)
    assert len(on_disk) == len(expected)
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in on_disk} == expected
    assert {Path(r.stored_path).resolve() for r in rows} == {p.resolve() for p in on_disk}
    assert len(remittances) == len(data.payments)
    assert [r.outcome for r in runs] == [store.RunOutcome.INTERRUPTED, store.RunOutcome.SUCCEEDED]


async def test_sigkill_mid_download_then_restart(sandbox_fresh: Any, tmp_path: Path) -> None:
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("latency", 150)  # slow enough to kill the process half-way through the files
    downloads = tmp_path / "data" / "downloads"
    before = _kill_mid_download(sandbox_fresh, tmp_path, downloads)
    expected_total = 2 * len(sandbox_fresh.data.payments)
    assert 0 < before < expected_total

    settings = _settings(sandbox_fresh, tmp_path)
    with store.session_factory(store.make_engine(settings.database_url))() as session:
        assert [r.outcome for r in session.scalars(select(store.Run))] == [store.RunOutcome.RUNNING]

    sandbox_fresh.set_fault("latency", 0)
    outcome = await run_cycle("prairie", settings, policy=FAST, jobs=("eras",))
    assert outcome.ok, [(r.error_class, r.error_message) for r in outcome.results]

    _check_store(settings, downloads, sandbox_fresh.data)


def _kill_mid_upload(sandbox: Any, tmp_path: Path, database: Path) -> None:
    """Start `connector run upload`; SIGKILL it after the portal took the file but before it answered."""
    import sqlite3

    proc = subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "run", "upload", "--account", "prairie"],
        env=_env(sandbox, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    pending = False
    while time.monotonic() < deadline and proc.poll() is None and not pending:
        time.sleep(0.05)
        if database.exists():
            try:
                with sqlite3.connect(database, timeout=0.2) as db:
                    pending = bool(db.execute("select count(*) from submission_batch").fetchone()[0])
            except sqlite3.OperationalError:
                pass
    assert pending and proc.poll() is None, "the upload finished before it could be killed"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _portal_batches(sandbox):
        time.sleep(0.05)  # wait until the portal has processed the file (its answer takes 5 s more)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _portal_batches(sandbox: Any) -> list[dict[str, Any]]:
    import httpx

    return list(httpx.get(f"{sandbox.base_url}/__admin/state").json()["batches"])


async def test_sigkill_mid_upload_never_uploads_twice(sandbox_fresh: Any, tmp_path: Path) -> None:
    from connector.cli.demo import build_batch, write_new_charges

    sandbox_fresh.set_fault("announcement", 0)
    settings = _settings(sandbox_fresh, tmp_path)
    as_of = sandbox_fresh.data.as_of
    charges = tmp_path / "new-charges.csv"
    write_new_charges(sandbox_fresh.pm_export_csv, charges, as_of)
    files, _held = build_batch(settings, charges, tmp_path / "data" / "outbox" / "prairie", as_of)
    assert len(files) == 1
    # sign in once (saved state), so the killed run spends its time on the upload itself
    assert (await run_cycle("prairie", settings, policy=FAST, jobs=("acks",))).ok
    sandbox_fresh.set_fault("slow_reply", 5000)
    _kill_mid_upload(sandbox_fresh, tmp_path, tmp_path / "data" / "connector.db")
    assert len(_portal_batches(sandbox_fresh)) == 1  # the portal has the batch; the killed run never knew
    sandbox_fresh.set_fault("slow_reply", 0)
    outcome = await run_cycle("prairie", settings, policy=FAST, jobs=("upload", "acks"))
    assert outcome.ok, [(r.job, r.error_class, r.error_message) for r in outcome.results]
    portal = _portal_batches(sandbox_fresh)
    assert len(portal) == 1 and portal[0]["duplicate_uploads"] == 0  # the file reached the portal once
    with store.session_factory(store.make_engine(settings.database_url))() as session:
        batches = session.scalars(select(store.SubmissionBatch)).all()
    assert len(batches) == 1
    assert batches[0].portal_batch_id == portal[0]["batch_id"]
    assert batches[0].state in (store.BatchState.SUBMITTED, store.BatchState.ACCEPTED)
