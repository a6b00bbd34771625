"""Downloaded files: recorded once per sha256, whatever page or run they came from."""

from __future__ import annotations

import re

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from connector.store._sql import insert_ignoring_conflict
from connector.store.models import DownloadedFile
from connector.store.types import FileKind, utcnow

_SHA256 = re.compile(r"[0-9a-f]{64}")


def _check_sha256(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hex digits")
    return sha256


def record_file(
    session: Session,
    *,
    kind: FileKind,
    sha256: str,
    size: int,
    stored_path: str,
    run_id: int | None = None,
    payer_id: str | None = None,
    payment_number: str | None = None,
    isa13: str | None = None,
    gs06: str | None = None,
    portal_reference: str | None = None,
    unreadable_reason: str | None = None,
) -> tuple[DownloadedFile, bool]:
    """Record a downloaded file; ``(row, True)`` when new, ``(existing row, False)`` when seen before.

    Safe under concurrency: the insert ignores a sha256 conflict instead of failing.
    """
    values = {
        "kind": FileKind(kind),
        "sha256": _check_sha256(sha256),
        "size": size,
        "stored_path": stored_path,
        "run_id": run_id,
        "payer_id": payer_id,
        "payment_number": payment_number,
        "isa13": isa13,
        "gs06": gs06,
        "portal_reference": portal_reference,
        "unreadable_reason": unreadable_reason,
        "first_seen_at": utcnow(),
    }
    statement = insert_ignoring_conflict(session, DownloadedFile, values, ["sha256"])
    new_id = session.execute(statement.returning(DownloadedFile.id)).scalar_one_or_none()
    row = session.scalars(select(DownloadedFile).where(DownloadedFile.sha256 == sha256)).one()
    return row, new_id is not None


def file_exists(session: Session, sha256: str) -> bool:
    """Whether a file with this sha256 has been recorded."""
    return bool(session.scalar(select(exists().where(DownloadedFile.sha256 == _check_sha256(sha256)))))


def find_file(session: Session, sha256: str) -> DownloadedFile | None:
    """The recorded file with this sha256, if any."""
    return session.scalars(
        select(DownloadedFile).where(DownloadedFile.sha256 == _check_sha256(sha256))
    ).first()
