"""The shared 837 outbox of fleet mode: batches any machine built, uploaded by whichever worker runs the job.

On one machine the outbox is the folder ``data/outbox/<account>/``. In fleet mode (the database file store)
a worker's upload job first moves the 837 files it finds in its own outbox folder into the database (kind
``outbox``, encrypted like every stored file), then uploads every batch waiting there for the account, so a
batch built on one machine is not stranded when the job runs on another. A batch stops waiting once the
portal's answer is final (submitted, duplicate, refused) and is kept as ``sent-<name>``; a malformed one is
kept aside as ``quarantined-<name>``; one whose outcome is unknown waits until the batch list settles it.
The upload ledger (sha256 of the bytes) still guarantees one upload per file, whichever worker tries.
"""

from __future__ import annotations

import logging
from pathlib import Path

from connector.filestore import FileStore

log = logging.getLogger(__name__)

QUARANTINED = "quarantined-"
SENT = "sent-"


def shared(files: FileStore | None) -> bool:
    """True when the outbox lives in the database (fleet mode's file store)."""
    return files is not None and files.backend != "folder"


def publish_local(files: FileStore, account: str, folder: Path) -> int:
    """Move this machine's outbox files (``*.837``) into the shared outbox; the number moved."""
    moved = 0
    for path in sorted(folder.glob("*.837")) if folder.is_dir() else []:
        files.put("outbox", account, path.name, path.read_bytes())
        path.unlink()
        moved += 1
    if moved:
        log.info("%d outbox file(s) of %s moved into the shared outbox", moved, account)
    return moved


def waiting(files: FileStore, account: str) -> list[tuple[str, bytes]]:
    """The batches waiting in the shared outbox, oldest name first: (file name, bytes)."""
    found = []
    for entry in sorted(files.list("outbox", account), key=lambda e: e.name):
        if entry.name.startswith((QUARANTINED, SENT)):
            continue
        named = files.read_named("outbox", account, entry.name)
        if named is not None:
            found.append((entry.name, named[0]))
    return found


def quarantine(files: FileStore, account: str, name: str, data: bytes) -> None:
    """Keep a malformed 837 aside (never uploaded) and take it out of the waiting batches."""
    files.put("outbox", account, QUARANTINED + name, data)
    files.delete_named("outbox", account, name)


def done(files: FileStore, account: str, name: str, data: bytes) -> None:
    """The portal's answer for this batch is final: it leaves the waiting batches and is kept as
    ``sent-<name>`` (the upload ledger's ``db:<sha256>`` location; the dashboard shows the batch from it)."""
    files.put("outbox", account, SENT + name, data)
    files.delete_named("outbox", account, name)
