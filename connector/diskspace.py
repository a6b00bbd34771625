"""A full disk, recognised wherever it shows up (file writes, SQLite, the browser) and named in one line."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from connector.errors import DiskFull

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
FULL_TEXTS = ("database or disk is full", "no space left on device", "enospc", "disk quota exceeded")
TRACE_ROOM_BYTES = 64 * 1024 * 1024
"""A failure trace is kept only with at least this much free (a trace of a long run takes tens of MB)."""
RUN_ROOM_BYTES = 100 * 1024 * 1024
"""What a day's run needs free, said in the message (ERAs, PDFs, acknowledgements, the report, the ledger)."""


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or an error it was raised from) says the disk or the quota is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFull):
            return True
        if isinstance(current, OSError) and current.errno in FULL_ERRNOS:
            return True
        text = str(current).lower()
        if any(marker in text for marker in FULL_TEXTS):
            return True
        current = current.__cause__ or current.__context__
    return False


def free_bytes(folder: Path) -> int:
    """Free bytes on the disk that holds ``folder`` (its nearest existing parent); -1 when unknown."""
    probe = Path(folder).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free
    except OSError:
        return -1


def _size(count: int) -> str:
    if count < 0:
        return "an unknown amount"
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} bytes"


def disk_full(folder: Path, need_bytes: int = RUN_ROOM_BYTES) -> DiskFull:
    """The one-line error for a full disk: which folder, how much is free, how much a run needs."""
    free = free_bytes(folder)
    return DiskFull(
        f"the disk of {folder} is full ({_size(free)} free); a run needs about {_size(need_bytes)}: "
        "free space there, then the next run continues where this one stopped"
    )


def room_for(folder: Path, need_bytes: int) -> bool:
    """True when the disk of ``folder`` has at least ``need_bytes`` free (or its free space is unknown)."""
    free = free_bytes(folder)
    return free < 0 or free >= need_bytes
