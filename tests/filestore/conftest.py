"""File-store fixtures: the storage tests' real SQLite and private PostgreSQL databases, and key folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from connector.filestore import DatabaseStore, load_keyring, new_key
from connector.store import make_engine, session_factory
from tests.store.conftest import (  # noqa: F401  (fixtures shared with the storage tests)
    db_url,
    pg_database_url,
    pg_migrated_url,
    sqlite_template,
)


@pytest.fixture
def factory(db_url: str) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    """Sessions on the migrated database (SQLite file or private PostgreSQL database, emptied)."""
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    """A keys folder holding one new key."""
    folder = tmp_path / "secrets" / "storage-keys"
    new_key(folder)
    return folder


@pytest.fixture
def dbstore(factory: sessionmaker[Session], keys_dir: Path) -> DatabaseStore:
    """A database store on the migrated database, sealing with the folder's key."""
    return DatabaseStore(factory, load_keyring(keys_dir))
