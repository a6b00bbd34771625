"""Opening zips from outside (portal bundles): member count, size, ratio and path (zip-slip) guards."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from connector.errors import InputError


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
            raise InputError(f"{source}: {len(infos)} members, more than the {rules.max_members} allowed")
        total = 0
        for info in infos:
            name = safe_member_name(info.filename)
            if name is None:
                raise InputError(f"{source}: member {info.filename!r} points outside the archive")
            if info.file_size > rules.max_member_bytes:
                raise InputError(f"{source}: member {name} is larger than {rules.max_member_bytes} bytes")
            if info.compress_size and info.file_size / info.compress_size > rules.max_ratio:
                raise InputError(f"{source}: member {name} expands more than {rules.max_ratio:.0f} times")
            try:
                with archive.open(info) as handle:
                    body = handle.read(rules.max_member_bytes + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                raise InputError(f"{source}: member {name} cannot be read ({type(exc).__name__})") from None
            if len(body) > rules.max_member_bytes:
                raise InputError(f"{source}: member {name} is larger than {rules.max_member_bytes} bytes")
            total += len(body)
            if total > rules.max_total_bytes:
                raise InputError(f"{source}: more than {rules.max_total_bytes} bytes once unpacked")
            yield name, body
