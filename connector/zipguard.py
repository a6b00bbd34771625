"""Check a zip (XLSX workbook, portal bundle) against size, ratio and member limits before anything opens it.

A 3 MB workbook can inflate to gigabytes; the XLSX readers would then try to allocate it all and the process
dies. :func:`check_zip` reads only the central directory (no member is inflated) and refuses, with one line
naming the file, an archive whose members together or alone would inflate past the limits, whose compression
ratio is that of a bomb, or that holds too many members. Python's ``zipfile`` never inflates a member beyond
its declared size (the CRC check fails instead), so the declared sizes are the ones that count for readers
that go through it; the ratio limit bounds what a lying header could hide from the others.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from connector.errors import ArchiveRefused, InputError
from connector.settings import ArchiveLimits

MB = 1_000_000
RATIO_FLOOR_BYTES = 1 * MB
"""Members smaller than this inflated are never refused for their ratio (tiny XML parts compress well)."""


def _mb(size: float) -> str:
    return f"{size / MB:,.0f} MB" if size >= 10 * MB else f"{size / MB:,.1f} MB"


def check_zip(
    path: Path,
    limits: ArchiveLimits | None = None,
    *,
    what: str = "zip archive",
    unreadable: type[InputError] = InputError,
) -> int:
    """Raise ArchiveRefused naming ``path`` when the archive breaks a limit; return its uncompressed size.

    A file that is not a zip at all raises ``unreadable`` (``what`` says what it should have been).
    """
    chosen = limits or ArchiveLimits()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise unreadable(f"{path.name}: not a readable {what} ({type(exc).__name__})") from None
    if len(members) > chosen.max_members:
        raise ArchiveRefused(
            f"{path.name}: refused, the {what} holds {len(members):,} files (limit {chosen.max_members:,})"
        )
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > chosen.max_member_mb * MB:
            raise ArchiveRefused(
                f"{path.name}: refused, part {info.filename!r} of the {what} would inflate to {_mb(size)} "
                f"(limit {_mb(chosen.max_member_mb * MB)}; setting archive_limits.max_member_mb)"
            )
        ratio = size / max(info.compress_size, 1)
        if size >= RATIO_FLOOR_BYTES and ratio > chosen.max_ratio:
            raise ArchiveRefused(
                f"{path.name}: refused, part {info.filename!r} of the {what} inflates {ratio:,.0f} times "
                f"(limit {chosen.max_ratio:,.0f}; setting archive_limits.max_ratio): a decompression bomb?"
            )
        if total > chosen.max_total_mb * MB:
            raise ArchiveRefused(
                f"{path.name}: refused, the {what} would inflate to more than "
                f"{_mb(chosen.max_total_mb * MB)} "
                "(setting archive_limits.max_total_mb)"
            )
    return total
