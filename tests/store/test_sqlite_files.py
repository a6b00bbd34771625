"""The SQLite database file and folder are private (0600/0700) and the connection pragmas are set."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from connector.store import make_engine, upgrade


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_database_folder_is_0700_and_file_0600(tmp_path: Path) -> None:
    db = tmp_path / "data" / "nested" / "connector.db"
    old_umask = os.umask(0o022)
    try:
        upgrade(f"sqlite:///{db}")
    finally:
        os.umask(old_umask)
    assert _mode(db) == 0o600
    assert _mode(db.parent) == 0o700
    assert _mode(db.parent.parent) == 0o700
    for sidecar in db.parent.glob("connector.db-*"):
        assert _mode(sidecar) & 0o077 == 0, sidecar.name


def test_existing_parent_folder_is_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    engine = make_engine(f"sqlite:///{shared / 'c.db'}")
    engine.dispose()
    assert _mode(shared) == 0o755
    assert _mode(shared / "c.db") == 0o600


def test_pragmas_foreign_keys_wal_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_s=7)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 7000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fk.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection, pytest.raises(IntegrityError, match="FOREIGN KEY"):
            connection.execute(
                text(
                    "INSERT INTO run (job, account_id, started_at, outcome, counts, artifacts, heartbeat_at)"
                    " VALUES ('eras', 999, '2026-01-01', 'RUNNING', '{}', '[]', '2026-01-01')"
                )
            )
    finally:
        engine.dispose()
