"""The folder store (the single-machine default): today's data/ layout, plain 0600 files, atomic writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connector.fileio import atomic_write_bytes, sha256_file
from connector.filestore.base import Entry, Kind, StoredFile


class FolderStore:
    """Files under the data folder, where the connector always kept them (see ``folder_of``)."""

    backend = "folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, kind: Kind, account: str, name: str) -> Path:
        """The file of (kind, account, name) under the data folder."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        if kind in ("era", "pdf"):
            return self.root / "downloads" / account / "eras" / name
        if kind == "ack":
            return self.root / "downloads" / account / "acks" / name
        if kind == "report":
            return self.root / "reports" / account / name
        if kind == "trace":
            return self.root / "traces" / name
        if kind == "outbox":
            return self.root / "outbox" / account / name
        return self.root / "state" / f"{account}.{name}"

    def put(self, kind: Kind, account: str, name: str, data: bytes) -> StoredFile:
        """Write the file atomically (0600); the same bytes already there are not written again."""
        path = self.path_of(kind, account, name)
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return StoredFile(sha256_file(path), len(data), str(path))
        return StoredFile(atomic_write_bytes(path, data), len(data), str(path))

    def get(self, location: str) -> bytes:
        """The file's bytes."""
        return Path(location).read_bytes()

    def exists(self, location: str) -> bool:
        """True when the file is there."""
        return Path(location).is_file()

    def read_named(self, kind: Kind, account: str, name: str) -> tuple[bytes, dt.datetime] | None:
        """The file's bytes and modification time, or None."""
        path = self.path_of(kind, account, name)
        try:
            stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            return path.read_bytes(), stamp
        except FileNotFoundError:
            return None

    def delete_named(self, kind: Kind, account: str, name: str) -> bool:
        """Delete the file; True when it was there."""
        path = self.path_of(kind, account, name)
        existed = path.is_file()
        path.unlink(missing_ok=True)
        return existed

    def list(self, kind: Kind | None = None, account: str | None = None) -> list[Entry]:
        """Every file of the store's kinds found under the data folder (ERAs and PDFs told by suffix)."""
        found: list[Entry] = []
        for path in sorted(self.root.glob("downloads/*/*/*")) + sorted(self.root.glob("reports/*/*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.parent.name == "acks":
                entry_kind, owner = "ack", path.parent.parent.name
            elif path.parent.name == "eras":
                entry_kind, owner = ("pdf" if path.suffix == ".pdf" else "era"), path.parent.parent.name
            else:
                entry_kind, owner = "report", path.parent.name
            if (kind is None or kind == entry_kind) and (account is None or account == owner):
                stat = path.stat()
                stamp = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
                found.append(Entry(entry_kind, owner, path.name, sha256_file(path), stat.st_size, stamp))
        return found

    def keep(self, kind: Kind, account: str, path: Path, sha256: str) -> StoredFile:
        """The file a flow saved is already in its place: nothing to do."""
        return StoredFile(sha256, path.stat().st_size, str(path))
