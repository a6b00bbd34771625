"""Small portable SQL helpers: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from connector.errors import StorageError
from connector.store.models_base import Base


def dialect_name(bind: Session | Connection | Engine) -> str:
    """The SQL dialect behind a session, connection or engine."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name


def insert_ignoring_conflict(
    bind: Session | Connection | Engine, model: type[Base], values: Mapping[str, Any], conflict: Sequence[str]
) -> Insert:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` for the dialect in use."""
    name = dialect_name(bind)
    if name == "postgresql":
        return (
            postgresql.insert(model)
            .values(dict(values))
            .on_conflict_do_nothing(index_elements=list(conflict))
        )
    if name == "sqlite":
        return sqlite.insert(model).values(dict(values)).on_conflict_do_nothing(index_elements=list(conflict))
    raise StorageError(f"database backend {name!r} is not supported (use SQLite or PostgreSQL)")
