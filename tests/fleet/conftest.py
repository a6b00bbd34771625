"""Fleet fixtures: a database of its own on the test PostgreSQL, a 6-practice sandbox, worker subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector import store
from connector.filestore import new_key
from connector.sandbox.fleet import SandboxFleet
from connector.settings import ConnectorSettings
from tests.pgdb import private_database

PRACTICES = 8
"""Six for the cycle test, two more (fresh, nothing downloaded yet) for the kill test."""
FLEET_ENV = {
    "CONNECTOR_EXECUTOR": "queue",
    "CONNECTOR_FLEET__STALL_SECONDS": "4",
    "CONNECTOR_FLEET__HEARTBEAT_SECONDS": "1",
    "CONNECTOR_FLEET__STALL_CHECK_SECONDS": "1",
    "CONNECTOR_FLEET__POLL_SECONDS": "0.5",
    "CONNECTOR_RETRY__BASE_SECONDS": "0.2",
    "CONNECTOR_RETRY__JITTER_SECONDS": "0",
}
"""Fleet mode with short stall and heartbeat times (a killed worker's jobs run again within seconds)."""


@pytest.fixture(scope="module")
def fleet_db(postgres_url: str) -> Iterator[str]:
    """A database ``fleet_<random>`` of the module's own, dropped afterwards (parallel suites)."""
    with private_database(postgres_url, "fleet") as url:
        yield url


@pytest.fixture(scope="module")
def practices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxFleet]:
    """Eight sandbox practices (own user, password, TOTP secret, seed, PM export and ground truth each)."""
    fleet = SandboxFleet(tmp_path_factory.mktemp("practices"), PRACTICES, payments=8).start()
    try:
        yield fleet
    finally:
        fleet.stop()


@dataclass
class Fleet:
    """The worker subprocesses of a module and the settings they run with."""

    env: dict[str, str]
    settings: ConnectorSettings
    root: Path
    workers: list[subprocess.Popen[str]] = field(default_factory=list)

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen[str]:
        """Start `connector worker --concurrency N` as its own process (log in root/worker-<n>.log)."""
        log = open(self.root / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        command = [sys.executable, "-m", "connector.cli", "worker", "--concurrency", str(concurrency)]
        proc = subprocess.Popen(command, env=self.env, cwd=self.root, stdout=log, stderr=log, text=True)
        self.workers.append(proc)
        return proc

    def alive(self) -> list[subprocess.Popen[str]]:
        """The workers still running."""
        return [w for w in self.workers if w.poll() is None]

    def runs(self, **where: Any) -> list[store.Run]:
        """Ledger rows (detached), optionally filtered by column values."""
        with store.open_session(self.settings.database_url) as session:
            query = select(store.Run).order_by(store.Run.id)
            for column, value in where.items():
                query = query.where(getattr(store.Run, column) == value)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def account_ids(self) -> dict[str, int]:
        """Account name -> id in the store."""
        with store.open_session(self.settings.database_url) as session:
            return {a.key: a.id for a in session.scalars(select(store.Account))}

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float) -> None:
        """Poll ``check`` (the ledger, the portal) until it holds; fail naming ``what`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.25)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; logs in {self.root}")

    def stop(self) -> None:
        """SIGTERM every worker still running (kill after 30 s)."""
        for proc in self.alive():
            proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def fleet(
    fleet_db: str, practices: SandboxFleet, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    """The module's fleet: settings in the environment of its worker subprocesses (two started here)."""
    root = tmp_path_factory.mktemp("fleet")
    keys = root / "keys"
    keys.mkdir(mode=0o700)
    new_key(keys)  # fleet mode keeps files encrypted in the database: every worker needs the key
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update(FLEET_ENV)
    env["CONNECTOR_STORAGE__KEYS_DIR"] = str(keys)
    env.update(practices.environment())
    env.update({"CONNECTOR_DATA_DIR": str(root / "data"), "CONNECTOR_DATABASE_URL": fleet_db})
    settings = ConnectorSettings(
        database_url=fleet_db,
        data_dir=root / "data",
        executor="queue",
        accounts=practices.accounts(),
        fleet={"stall_seconds": 4, "heartbeat_seconds": 1, "stall_check_seconds": 1, "poll_seconds": 0.5},
        storage={"keys_dir": keys},
    )
    store.ensure_schema(fleet_db)
    running = Fleet(env, settings, root)
    running.start_worker()
    running.start_worker()
    try:
        yield running
    finally:
        running.stop()
