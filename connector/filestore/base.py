"""The small file-store interface both backends keep: put, get, named files, listing, keeping a download."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, get_args

Kind = Literal["era", "pdf", "ack", "report", "trace", "signin", "outbox"]
"""What a stored file is: a downloaded ERA (835), PDF remit, acknowledgement (999/277CA), a report,
a kept failure trace, the saved sign-in state (a credential), or an 837 waiting in the shared outbox
(fleet mode)."""

KINDS: tuple[str, ...] = get_args(Kind)
DB_PREFIX = "db:"
"""Locations of files in the database store: ``db:<sha256>``; the folder store's are paths."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where a file was stored: its sha256, size and location (a path, or ``db:<sha256>``)."""

    sha256: str
    size: int
    location: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One named file in a store (what `connector storage list` shows: no bytes)."""

    kind: str
    account: str
    name: str
    sha256: str
    size: int
    updated_at: dt.datetime


class FileStore(Protocol):
    """Where downloaded files, reports, kept traces and saved sign-ins live."""

    backend: str
    """``folder`` or ``database``."""

    def put(self, kind: Kind, account: str, name: str, data: bytes) -> StoredFile:
        """Store ``data`` as (kind, account, name); the same bytes are stored once."""
        ...

    def get(self, location: str) -> bytes:
        """The bytes at a location returned by put (a path, or ``db:<sha256>``)."""
        ...

    def exists(self, location: str) -> bool:
        """True when the location holds a file."""
        ...

    def read_named(self, kind: Kind, account: str, name: str) -> tuple[bytes, dt.datetime] | None:
        """The bytes stored under (kind, account, name) and when they were stored, or None."""
        ...

    def delete_named(self, kind: Kind, account: str, name: str) -> bool:
        """Forget (kind, account, name); True when it was there."""
        ...

    def list(self, kind: Kind | None = None, account: str | None = None) -> list[Entry]:
        """Every named file, optionally of one kind and account."""
        ...

    def keep(self, kind: Kind, account: str, path: Path, sha256: str) -> StoredFile:
        """Keep a file a flow saved on this machine: the folder store leaves it in place; the database
        store stores its bytes and removes the local copy."""
        ...
