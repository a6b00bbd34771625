"""Files under data/: owner-only modes and atomic writes (temp file in the same folder, fsync, rename)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700 (folders that exist are left as they are)."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=DIR_MODE)
        os.chmod(created, DIR_MODE)
    return path


def ensure_private_file(path: Path) -> Path:
    """Create ``path`` (and its missing folders, 0700) as an empty 0600 file unless it exists; a file of ours
    that an older version left readable by others is made 0600."""
    ensure_private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    if path.stat().st_mode & 0o077:
        os.chmod(path, FILE_MODE)
    return path


@contextlib.contextmanager
def atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes ``target`` only when the block finishes without error."""
    ensure_private_dir(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> str:
    """Write ``data`` to ``target`` atomically with mode 0600; return its sha256."""
    with atomic_writer(target) as handle:
        handle.write(data)
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def remove_stale_parts(folder: Path, older_than_s: float = 0.0) -> list[Path]:
    """Delete leftover ``.part`` temp files of interrupted writes (older than ``older_than_s``)."""
    removed = []
    if folder.is_dir():
        now = time.time()
        for part in folder.glob(".*.part"):
            with contextlib.suppress(FileNotFoundError):
                if now - part.stat().st_mtime >= older_than_s:
                    part.unlink()
                    removed.append(part)
    return removed


def sweep_stale_parts(root: Path, older_than_s: float) -> list[Path]:
    """Delete leftover ``.part`` files of interrupted writes in ``root`` and every folder under it.

    Files are written where they belong (``downloads/<account>/eras``, ``acks``, ``reports/<account>``,
    ``traces`` ...), so a write killed half-way leaves its temp file there, not at the top.
    """
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for folder, _subfolders, names in os.walk(root):
        if any(name.startswith(".") and name.endswith(".part") for name in names):
            removed += remove_stale_parts(Path(folder), older_than_s)
    return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
