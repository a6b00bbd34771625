"""Engines, sessions and schema upgrades (Alembic, run programmatically from inside the package)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connector.errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_UPGRADE_LOCK = threading.Lock()
DIR_MODE = 0o700
FILE_MODE = 0o600
BUSY_TIMEOUT_S = 30.0
SCHEMA_RECHECK_S = 60.0
_AT_HEAD: dict[str, float] = {}
SHARED_ENGINES = 8
_SHARED: dict[str, Engine] = {}  # insertion order = least recently used first
_SHARED_LOCK = threading.Lock()  # database URL -> when ensure_schema last found it at the head


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _prepare_sqlite_file(database: str) -> None:
    """Create the database's folder (0700, only the parts we create) and the file itself with 0600."""
    path = Path(database).expanduser()
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process created it first; its creator set the mode
        os.chmod(folder, DIR_MODE)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
        os.close(fd)
        os.chmod(path, FILE_MODE)


def make_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url``. SQLite: private folder and file, foreign keys, WAL, busy timeout.

    Statement parameters (which may be PHI) are kept out of error messages and logs.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StorageError(
            "the database URL cannot be parsed (expected e.g. sqlite:///data/connector.db)"
        ) from None
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps, "hide_parameters": True}
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                _prepare_sqlite_file(database)
            except OSError as exc:
                raise StorageError(f"cannot create the SQLite database file: {exc.strerror}") from None
        kwargs["connect_args"] = {"timeout": busy_timeout_s}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"cannot use database backend {backend!r}: {type(exc).__name__}") from None
    if engine.dialect.name == "sqlite":
        timeout_ms = int(busy_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
            if database and database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

    return engine


def describe(exc: SQLAlchemyError) -> str:
    """A one-line account of a database error: the driver's first line, with any URL password masked."""
    detail = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
    line = detail[0] if detail else type(exc).__name__
    return _PASSWORD_IN_URL.sub(r"\1***@", line)[:300]


def shared_engine(url: str) -> Engine:
    """The process's pooled engine for ``url`` (at most ``SHARED_ENGINES`` URLs are kept; the least
    recently used one is disposed). A job, its notifications and the ledger each open short sessions:
    a new engine each time cost a connection and the dialect's first-connect queries every time."""
    with _SHARED_LOCK:
        engine = _SHARED.pop(url, None)
        if engine is None:
            engine = make_engine(url)
        _SHARED[url] = engine
        stale = [_SHARED.pop(key) for key in list(_SHARED)[: max(len(_SHARED) - SHARED_ENGINES, 0)]]
    for old in stale:
        old.dispose()
    return engine


def dispose_shared_engines() -> None:
    """Close every pooled connection of :func:`shared_engine` (tests; a process about to exit)."""
    with _SHARED_LOCK:
        engines = list(_SHARED.values())
        _SHARED.clear()
    for engine in engines:
        engine.dispose()


@contextlib.contextmanager
def open_session(url: str) -> Iterator[Session]:
    """A session for short work (a job's ledger rows, a lookup). On PostgreSQL it uses the process's pooled
    engine for ``url``; on SQLite a connection of its own, closed afterwards (opening a local file is
    cheap, and a fresh connection is what recovers cleanly once a full disk has room again)."""
    if is_sqlite(url):
        engine = make_engine(url)
        try:
            with sessionmaker(engine, expire_on_commit=False)() as session:
                yield session
        finally:
            engine.dispose()
        return
    with sessionmaker(shared_engine(url), expire_on_commit=False)() as session:
        yield session


def is_sqlite(url: str) -> bool:
    """True when ``url`` names a SQLite database (False for anything unparsable)."""
    try:
        return make_url(url).get_backend_name() == "sqlite"
    except ArgumentError:
        return False


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the package (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration this version of the connector ships (read once per process: Alembic loads
    every migration script to find it)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StorageError("the connector ships no database migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str) -> None:
    """Migrate the database at ``url`` to the newest schema (idempotent)."""
    engine = make_engine(url)
    try:
        with _UPGRADE_LOCK:  # Alembic's context is process-global: one upgrade at a time per process
            command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise StorageError(f"database upgrade failed: {describe(exc)}") from None
    finally:
        engine.dispose()


def ensure_schema(url: str) -> None:
    """Create the schema in an empty database; refuse a database at another revision.

    An older database is left alone (the operator runs ``connector db upgrade``) and a newer one
    means an older connector is pointed at a database migrated by a newer release. A database found at
    the head is not looked at again for ``SCHEMA_RECHECK_S`` in this process (every job and notification
    calls this; a busy worker would otherwise open a connection for it many times a second).
    """
    checked = _AT_HEAD.get(url)
    if checked is not None and time.monotonic() - checked < SCHEMA_RECHECK_S:
        return
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the database: {describe(exc)}") from None
    finally:
        engine.dispose()
    head = head_revision()
    if current is None:
        upgrade(url)
        _AT_HEAD[url] = time.monotonic()
        return
    if current == head:
        _AT_HEAD[url] = time.monotonic()
        return
    _AT_HEAD.pop(url, None)
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current in known:
        raise StorageError(
            f"database schema is at {current}, this connector needs {head}: run `connector db upgrade`"
        )
    raise StorageError(
        f"database schema {current} is newer than this connector knows ({head}); upgrade the connector"
    )
