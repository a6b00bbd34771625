"""Zips from outside, checked before anything inflates them: XLSX workbooks on disk, portal bundles in memory.

A 3 MB workbook can inflate to gigabytes; the XLSX readers would then try to allocate it all and the process
dies. :func:`check_zip` reads only the central directory of a file (no member is inflated) and refuses, with
one line naming the file, an archive whose members together or alone would inflate past the limits
(``archive_limits`` settings), whose compression ratio is that of a bomb, or that holds too many members.
Python's ``zipfile`` never inflates a member beyond its declared size (the CRC check fails instead), so the
declared sizes are the ones that count for readers that go through it; the ratio limit bounds what a lying
header could hide from the others. :func:`zip_members` unpacks a portal bundle in memory with the same kind of
limits (:class:`ZipLimits`), counting the bytes it actually reads, and refuses paths that escape the archive.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """What a zip may hold before it is refused (defaults suit a month of a practice's 835s and PDFs)."""

    max_members: int = 5000
    max_member_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024
    max_ratio: float = 200.0
    """Uncompressed/compressed size of one member (zip bombs compress far better than 835s or PDFs)."""


def safe_member_name(name: str) -> str | None:
    """The member's base name when its path is harmless; None for absolute paths, ``..`` or drive letters."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        return None
    return path.name or None


def zip_members(data: bytes, source: str, limits: ZipLimits | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield ``(base name, bytes)`` of each file in the zip; InputError (naming ``source``) when unsafe.

    Names are never used as paths by callers; a member whose path escapes the archive (zip slip) is still
    refused, because such a zip was not made by the portal we expect. Sizes are checked both from the
    headers and while reading, so a member lying about its size cannot get past the limits.
    """
    rules = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"{source}: not a zip file") from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > rules.max_members:
            raise ArchiveRefused(f"{source}: {len(infos)} members, more than the {rules.max_members} allowed")
        total = 0
        for info in infos:
            name = safe_member_name(info.filename)
            if name is None:
                raise ArchiveRefused(f"{source}: member {info.filename!r} points outside the archive")
            if info.file_size > rules.max_member_bytes:
                raise ArchiveRefused(f"{source}: member {name} is larger than {rules.max_member_bytes} bytes")
            if info.compress_size and info.file_size / info.compress_size > rules.max_ratio:
                raise ArchiveRefused(f"{source}: member {name} expands more than {rules.max_ratio:.0f} times")
            try:
                with archive.open(info) as handle:
                    body = handle.read(rules.max_member_bytes + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                raise InputError(f"{source}: member {name} cannot be read ({type(exc).__name__})") from None
            if len(body) > rules.max_member_bytes:
                raise ArchiveRefused(f"{source}: member {name} is larger than {rules.max_member_bytes} bytes")
            total += len(body)
            if total > rules.max_total_bytes:
                raise ArchiveRefused(f"{source}: more than {rules.max_total_bytes} bytes once unpacked")
            yield name, body
