"""Alembic environment: runs on the engine handed over by connector.store.db (or CONNECTOR_DATABASE_URL)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine, text

from connector.store.models import Base

MIGRATION_LOCK_ID = 0x50C0_0001
"""PostgreSQL advisory lock taken while migrating, so two processes never migrate at once."""


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    from connector.store.db import make_engine

    return make_engine(os.environ.get("CONNECTOR_DATABASE_URL", "sqlite:///data/connector.db"))


def run_migrations_online() -> None:
    """Run the migrations inside one transaction on the configured engine."""
    engine = _engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # pysqlite would run DDL outside any transaction: take the write lock and make the whole
            # upgrade one transaction, so a crash leaves the old schema and concurrent upgraders queue.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            context.run_migrations()
        if sqlite:
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `connector db upgrade`")
run_migrations_online()
