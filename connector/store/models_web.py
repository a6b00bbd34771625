"""Dashboard tables: the people who may sign in to ``connector web`` (argon2 hashes, never passwords)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models_base import Base
from connector.store.types import UTCDateTime, utcnow


class WebUser(Base):
    """A local dashboard user: a viewer reads; an admin may also run a job, clear a block, acknowledge."""

    __tablename__ = "web_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    """``viewer`` or ``admin``."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id hash (argon2-cffi's encoded form, parameters included)."""
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    """Wrong passwords in a row since the last good sign-in."""
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """No sign-in is tried before this time (login throttling)."""
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
