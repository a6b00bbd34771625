"""The export folders: each new ERA, PDF, acknowledgement and report also as a plain file (for PM systems)."""

from __future__ import annotations

from pathlib import Path

from connector.fileio import atomic_write_bytes
from connector.settings import ConnectorSettings


def export_folders(settings: ConnectorSettings, account: str) -> list[Path]:
    """The global export folder and the account's own (either may be unset; the same one counted once)."""
    own = settings.accounts[account].export_folder if account in settings.accounts else None
    folders: list[Path] = []
    for folder in (settings.storage.export_folder, own):
        if folder is not None and folder not in folders:
            folders.append(folder)
    return folders


def export_file(settings: ConnectorSettings, account: str, name: str, data: bytes) -> list[Path]:
    """Write ``data`` as ``name`` into each export folder, atomically and 0600; returns the files written.

    Jobs call it only for files the store records as new, so a re-run exports nothing again (a PM system
    that already posted and moved a file away does not get it twice); a file already there with the same
    bytes is left alone.
    """
    if "/" in name or name.startswith("."):
        raise ValueError(f"not a plain file name: {name!r}")
    written = []
    for folder in export_folders(settings, account):
        target = folder / name
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue
        atomic_write_bytes(target, data)
        written.append(target)
    return written
