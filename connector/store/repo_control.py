"""Control numbers (ISA13, GS06, ST02): allocated atomically, durably, and never handed out twice."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store._sql import insert_ignoring_conflict
from connector.store.models import ControlNumber
from connector.store.types import utcnow

MAX_CONTROL_NUMBER = 999_999_999
"""ISA13 and GS06 are at most nine digits; a counter that reaches this stops instead of wrapping."""


def allocate_control_numbers(session: Session, name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers from counter ``name`` (created at 1 on first use).

    The reservation runs in its own short transaction on the session's engine and is committed before
    this returns, so the numbers stay taken even if the caller's transaction rolls back. Under
    concurrency (threads, processes, SQLite or PostgreSQL) the row-level update serialises callers.
    On SQLite, commit the caller's pending writes first: its write lock would block the reservation.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    bind = session.get_bind()
    engine: Engine = bind.engine if isinstance(bind, Connection) else bind
    if engine.dialect.name == "sqlite" and _holds_sqlite_write_lock(session):
        raise StorageError(
            "commit the session's pending writes before allocating control numbers (SQLite lock)"
        )
    try:
        with engine.begin() as connection:
            now = utcnow()
            connection.execute(
                insert_ignoring_conflict(
                    connection, ControlNumber, {"name": name, "next_value": 1, "updated_at": now}, ["name"]
                )
            )
            end = connection.execute(
                update(ControlNumber)
                .where(ControlNumber.name == name, ControlNumber.next_value + count <= MAX_CONTROL_NUMBER + 1)
                .values(next_value=ControlNumber.next_value + count, updated_at=now)
                .returning(ControlNumber.next_value)
            ).scalar_one_or_none()
    except OperationalError as exc:
        raise StorageError(f"could not reserve control numbers from {name!r}: {type(exc).__name__}") from exc
    if end is None:
        raise StorageError(f"control number counter {name!r} is exhausted (maximum {MAX_CONTROL_NUMBER})")
    return range(end - count, end)


def _holds_sqlite_write_lock(session: Session) -> bool:
    """Whether the session's SQLite connection has begun a write transaction (pysqlite begins on DML)."""
    if not session.in_transaction():
        return False
    raw = session.connection().connection.dbapi_connection
    return bool(getattr(raw, "in_transaction", False))


def peek_next_control_number(session: Session, name: str) -> int:
    """The number the next allocation from ``name`` would start at (1 for an unused counter)."""
    row = session.get(ControlNumber, name)
    return 1 if row is None else row.next_value


def control_number_allocator(session_maker: Callable[[], Session]) -> Callable[[str, int], range]:
    """``allocate(name, count)`` for writers that take numbers group by group (each in its own session)."""

    def allocate(name: str, count: int) -> range:
        with session_maker() as session:
            return allocate_control_numbers(session, name, count)

    return allocate
