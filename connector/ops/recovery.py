"""Crash recovery at start-up: runs left RUNNING by a dead process become INTERRUPTED, stray temp files go."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import socket
import time
from pathlib import Path

from sqlalchemy import select

from connector import store
from connector.fileio import sweep_stale_parts
from connector.processes import alive
from connector.store import Run, RunOutcome

log = logging.getLogger(__name__)

STALE_HEARTBEAT = dt.timedelta(minutes=2)


def close_dead_runs(database_url: str) -> list[int]:
    """Close RUNNING rows whose process is gone (same host, pid dead) or whose heartbeat went stale."""
    store.ensure_schema(database_url)
    host = socket.gethostname()
    with store.open_session(database_url) as session, session.begin():
        closed = store.close_interrupted_runs(session, STALE_HEARTBEAT)
        running = session.scalars(select(Run).where(Run.outcome == RunOutcome.RUNNING)).all()
        dead = [r.id for r in running if r.host == host and r.pid is not None and not alive(r.pid)]
        store.interrupt_runs(session, dead, "the process running this job stopped (killed or crashed)")
    if closed or dead:
        log.warning("closed %d interrupted run(s): %s", len(closed) + len(dead), sorted(closed + dead))
    return sorted(closed + dead)


def pending_to_unknown(database_url: str) -> list[int]:
    """PENDING batches with no upload running were maybe sent: mark them UNKNOWN, settled from the portal.

    The upload job writes PENDING before the click; a process killed after the click leaves PENDING behind.
    Uploading such a batch again could send it twice, so the next upload first looks for it in the
    portal's batch list (UNKNOWN is settled that way) and only uploads it when the portal does not have it.
    """
    with store.open_session(database_url) as session, session.begin():
        uploading = session.scalars(
            select(Run.id).where(Run.outcome == RunOutcome.RUNNING, Run.job.in_(("upload", "all")))
        ).first()
        if uploading is not None:
            return []
        stale = session.scalars(
            select(store.SubmissionBatch.id).where(store.SubmissionBatch.state == store.BatchState.PENDING)
        ).all()
        for batch_id in stale:
            store.mark_unknown(
                session, batch_id, "left PENDING by an interrupted upload; checking the portal"
            )
    if stale:
        log.warning(
            "%d claim batch(es) left PENDING by an interrupted upload: checking the portal", len(stale)
        )
    return list(stale)


def expire_failure_evidence(data_dir: Path, retention_days: float) -> list[Path]:
    """Delete kept traces and screenshots older than ``retention_days``: they show portal pages (PHI)."""
    removed = []
    cutoff = time.time() - retention_days * 86400
    for folder in (Path(data_dir) / "traces", Path(data_dir) / "screenshots"):
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
    if removed:
        log.info("deleted %d failure trace(s)/screenshot(s) older than %g days", len(removed), retention_days)
    return removed


def expire_stored_traces(database_url: str, retention_days: float) -> int:
    """Delete failure traces kept in the database store (fleet mode) older than ``retention_days``."""
    from connector.filestore import expire_named

    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=retention_days)
    with store.open_session(database_url) as session, session.begin():
        gone = expire_named(session, "trace", cutoff)
    if gone:
        log.info("deleted %d stored failure trace(s) older than %g days", gone, retention_days)
    return gone


def recover(database_url: str, data_dir: Path, trace_retention_days: float = 14.0) -> list[int]:
    """Everything the next run needs after a crash: close dead runs, settle half-done uploads, delete
    half-written temp files; and expire old failure traces and screenshots."""
    closed = close_dead_runs(database_url)
    pending_to_unknown(database_url)
    expire_failure_evidence(data_dir, trace_retention_days)
    expire_stored_traces(database_url, trace_retention_days)
    for part in sweep_stale_parts(Path(data_dir), older_than_s=STALE_HEARTBEAT.total_seconds()):
        log.info("removed half-written file %s", part.relative_to(data_dir))
    return closed
