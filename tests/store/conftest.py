"""Storage fixtures: the same tests run on a real SQLite file and on a private PostgreSQL database."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from connector.store import Base, make_engine, session_factory, upgrade

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_database_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (created next to CONNECTOR_TEST_POSTGRES_URL's)."""
    name = f"ct_{secrets.token_hex(6)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}_m" WITH (FORCE)'))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_pg_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each backend (SQLite file under tmp_path, or a clean PG schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'connector.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    _reset_pg_schema(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "connector.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated_url(pg_database_url: str) -> str:
    """A second private PostgreSQL database, migrated once; tests empty its tables before they run."""
    name = f"{make_url(pg_database_url).database}_m"
    admin = create_engine(pg_database_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = make_url(pg_database_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return url


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database at the newest schema with empty tables, on each backend.

    Tests using it must not change the schema (migration tests use ``empty_db_url``).
    """
    if request.param == "sqlite":
        folder = tmp_path / "data"
        folder.mkdir(mode=0o700)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), folder / "connector.db")
        return f"sqlite:///{folder / 'connector.db'}"
    url: str = request.getfixturevalue("pg_migrated_url")
    _truncate_all(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated database."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the migrated database (the test commits what it needs)."""
    with session_factory(engine)() as session:
        yield session
