"""The shared file store's tables (fleet mode): encrypted blobs by sha256, named entries, TOTP steps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.store.models_base import Base
from connector.store.types import UTCDateTime, utcnow


class FileBlob(Base):
    """One file's bytes, stored once per sha256, encrypted with AES-256-GCM.

    Plain columns hold no PHI or secret: the sha256 of the plain bytes, their size, the key id, the
    nonce and when it was stored. The bytes are only in ``ciphertext``.
    """

    __tablename__ = "file_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    """Which key (a file <key id>.key in the keys folder) encrypted the bytes: keys can rotate."""
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FileEntry(Base):
    """A stored file's place: (kind, account, name) -> blob. Names are generated (no PHI in them)."""

    __tablename__ = "file_entry"
    __table_args__ = (
        UniqueConstraint("kind", "account", "name"),
        Index("ix_file_entry_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(ForeignKey("file_blob.sha256"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TotpStep(Base):
    """The last 30-second TOTP step whose code was submitted for an account (no secret in it)."""

    __tablename__ = "totp_step"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_step: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
