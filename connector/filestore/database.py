"""The database store (fleet mode): each file once per sha256, AES-256-GCM encrypted, in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from connector.errors import StorageError
from connector.filestore.base import DB_PREFIX, Entry, Kind, StoredFile
from connector.filestore.crypto import KeyRing, Sealed
from connector.store.models_files import FileBlob, FileEntry
from connector.store.types import utcnow

REPLACED_DROPS_OLD: frozenset[str] = frozenset({"signin"})
"""Kinds whose old bytes are deleted when a new version replaces them (a saved sign-in is a credential)."""


def _sha_of(location: str) -> str:
    if not location.startswith(DB_PREFIX):
        raise StorageError(f"not a location in the database store: {location[:80]!r}")
    return location[len(DB_PREFIX) :]


class DatabaseStore:
    """Encrypted blobs by sha256 plus named entries, in the connector's database."""

    backend = "database"

    def __init__(self, factory: sessionmaker[Session], keys: KeyRing) -> None:
        self.factory = factory
        self.keys = keys

    @staticmethod
    def _insert_new(
        session: Session, model: type[FileBlob] | type[FileEntry], values: dict[str, object]
    ) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING (no savepoint: the SQLite driver would end the txn
        on one); True when the row was new. On SQLite the INSERT also takes the write lock for the rest."""
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        key = FileBlob.sha256 if model is FileBlob else FileEntry.id
        statement = insert(model).values(**values).on_conflict_do_nothing().returning(key)
        return session.execute(statement).first() is not None

    def put(self, kind: Kind, account: str, name: str, data: bytes) -> StoredFile:
        """Store the bytes once (by sha256) and point (kind, account, name) at them.

        Safe when workers store at once: the same bytes land once, and the last of several new versions
        of one name wins (the sign-in state's replaced versions are deleted).
        """
        sha256 = hashlib.sha256(data).hexdigest()
        stored = StoredFile(sha256, len(data), DB_PREFIX + sha256)
        with self.factory.begin() as session:
            if session.get(FileBlob, sha256) is None:
                sealed = self.keys.seal(sha256, data)
                blob = {"sha256": sha256, "size": len(data), "key_id": sealed.key_id, "nonce": sealed.nonce}
                self._insert_new(
                    session, FileBlob, {**blob, "ciphertext": sealed.ciphertext, "created_at": utcnow()}
                )
            entry = {"kind": kind, "account": account, "name": name, "sha256": sha256, "updated_at": utcnow()}
            if self._insert_new(session, FileEntry, entry):
                return stored
            where = (FileEntry.kind == kind, FileEntry.account == account, FileEntry.name == name)
            row = session.scalars(select(FileEntry).where(*where).with_for_update()).one()
            old, row.sha256, row.updated_at = row.sha256, sha256, utcnow()
            session.flush()
            if old != sha256 and kind in REPLACED_DROPS_OLD:
                self._drop_if_unused(session, old)
        return stored

    def get(self, location: str) -> bytes:
        """Decrypt and return the bytes at ``db:<sha256>`` (or a bare sha256); checks the sha256."""
        sha256 = location[len(DB_PREFIX) :] if location.startswith(DB_PREFIX) else location
        with self.factory() as session:
            blob = session.get(FileBlob, sha256)
            if blob is None:
                raise StorageError(f"stored file {sha256[:16]}... is not in the database")
            sealed = Sealed(blob.key_id, blob.nonce, blob.ciphertext)
        data = self.keys.open(sha256, sealed)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(f"stored file {sha256[:16]}... does not match its sha256 after decryption")
        return data

    def exists(self, location: str) -> bool:
        """True when the blob is stored."""
        with self.factory() as session:
            return session.get(FileBlob, _sha_of(location)) is not None

    def read_named(self, kind: Kind, account: str, name: str) -> tuple[bytes, dt.datetime] | None:
        """The bytes of (kind, account, name) and when they were stored, or None."""
        with self.factory() as session:
            entry = session.scalars(
                select(FileEntry).where(
                    FileEntry.kind == kind, FileEntry.account == account, FileEntry.name == name
                )
            ).one_or_none()
            if entry is None:
                return None
            sha256, stamp = entry.sha256, entry.updated_at
        return self.get(sha256), stamp

    def delete_named(self, kind: Kind, account: str, name: str) -> bool:
        """Forget (kind, account, name); its bytes go too when nothing else points at them."""
        with self.factory.begin() as session:
            entry = session.scalars(
                select(FileEntry).where(
                    FileEntry.kind == kind, FileEntry.account == account, FileEntry.name == name
                )
            ).one_or_none()
            if entry is None:
                return False
            sha256 = entry.sha256
            session.delete(entry)
            session.flush()
            self._drop_if_unused(session, sha256)
        return True

    @staticmethod
    def _drop_if_unused(session: Session, sha256: str) -> None:
        users = session.scalar(select(func.count()).select_from(FileEntry).where(FileEntry.sha256 == sha256))
        if not users:
            session.execute(delete(FileBlob).where(FileBlob.sha256 == sha256))

    def list(self, kind: Kind | None = None, account: str | None = None) -> list[Entry]:
        """Every named file (no bytes decrypted)."""
        query = select(FileEntry, FileBlob.size).join(FileBlob, FileBlob.sha256 == FileEntry.sha256)
        if kind is not None:
            query = query.where(FileEntry.kind == kind)
        if account is not None:
            query = query.where(FileEntry.account == account)
        with self.factory() as session:
            rows = session.execute(query.order_by(FileEntry.id)).all()
            return [Entry(e.kind, e.account, e.name, e.sha256, int(size), e.updated_at) for e, size in rows]

    def keep(self, kind: Kind, account: str, path: Path, sha256: str) -> StoredFile:
        """Store a file a flow saved on this machine, then remove the local copy (PHI stays encrypted)."""
        data = path.read_bytes()
        stored = self.put(kind, account, path.name, data)
        if stored.sha256 != sha256:
            raise StorageError(f"{path.name} changed on disk after it was downloaded (sha256 differs)")
        path.unlink(missing_ok=True)
        return stored


def delete_entries(session: Session, kind: Kind, account: str, names: tuple[str, ...]) -> int:
    """Delete the named entries of one account (and their bytes when nothing else uses them); no key is
    needed. Returns how many entries went."""
    where = (FileEntry.kind == kind, FileEntry.account == account, FileEntry.name.in_(names))
    found = session.scalars(select(FileEntry).where(*where)).all()
    for entry in found:
        session.delete(entry)
    session.flush()
    for sha256 in {entry.sha256 for entry in found}:
        DatabaseStore._drop_if_unused(session, sha256)
    return len(found)


def expire_named(session: Session, kind: Kind, before: dt.datetime) -> int:
    """Delete the entries of ``kind`` stored before ``before`` (and their bytes when nothing else uses
    them); no key is needed. Returns how many entries went."""
    old = session.scalars(
        select(FileEntry).where(FileEntry.kind == kind, FileEntry.updated_at < before)
    ).all()
    shas = {entry.sha256 for entry in old}
    for entry in old:
        session.delete(entry)
    session.flush()
    for sha256 in shas:
        DatabaseStore._drop_if_unused(session, sha256)
    return len(old)


def rotate(factory: sessionmaker[Session], keys: KeyRing, batch: int = 200) -> int:
    """Re-encrypt every blob not sealed with the current key; returns how many were re-encrypted.

    Each batch is its own transaction: a rotation stopped halfway is resumed by running it again.
    """
    done = 0
    while True:
        with factory.begin() as session:
            blobs = session.scalars(
                select(FileBlob).where(FileBlob.key_id != keys.current).order_by(FileBlob.sha256).limit(batch)
            ).all()
            if not blobs:
                return done
            for blob in blobs:
                data = keys.open(blob.sha256, Sealed(blob.key_id, blob.nonce, blob.ciphertext))
                sealed = keys.seal(blob.sha256, data)
                blob.key_id, blob.nonce, blob.ciphertext = sealed.key_id, sealed.nonce, sealed.ciphertext
            done += len(blobs)


def keys_in_use(factory: sessionmaker[Session]) -> dict[str, int]:
    """Key id -> number of blobs it encrypts (a key with none may be removed from the keys folder)."""
    with factory() as session:
        rows = session.execute(select(FileBlob.key_id, func.count()).group_by(FileBlob.key_id)).all()
        return {str(key_id): int(count) for key_id, count in rows}
