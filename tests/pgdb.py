"""A private PostgreSQL database for a test fixture, dropped afterwards (parallel suites never meet)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def private_database(server_url: str, prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<random>`` on that server; yield its URL; drop it (connections forced)."""
    name = f"{prefix}_{secrets.token_hex(5)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
