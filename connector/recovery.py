"""Crash recovery at start-up: runs left RUNNING by a dead process become INTERRUPTED, stray temp files go."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from pathlib import Path

from sqlalchemy import select, update

from connector import store
from connector.fileio import remove_stale_parts
from connector.store import Run, RunOutcome

log = logging.getLogger(__name__)

STALE_HEARTBEAT = dt.timedelta(minutes=2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def close_dead_runs(database_url: str) -> list[int]:
    """Close RUNNING rows whose process is gone (same host, pid dead) or whose heartbeat went stale."""
    store.ensure_schema(database_url)
    host = socket.gethostname()
    with store.session_factory(store.make_engine(database_url)).begin() as session:
        closed = store.close_interrupted_runs(session, STALE_HEARTBEAT)
        running = session.scalars(select(Run).where(Run.outcome == RunOutcome.RUNNING)).all()
        dead = [r.id for r in running if r.host == host and r.pid is not None and not _alive(r.pid)]
        if dead:
            session.execute(
                update(Run)
                .where(Run.id.in_(dead), Run.outcome == RunOutcome.RUNNING)
                .values(
                    outcome=RunOutcome.INTERRUPTED,
                    finished_at=store.utcnow(),
                    error_class="Interrupted",
                    error_message="the process running this job stopped (killed or crashed)",
                )
            )
    if closed or dead:
        log.warning("closed %d interrupted run(s): %s", len(closed) + len(dead), sorted(closed + dead))
    return sorted(closed + dead)


def recover(database_url: str, data_dir: Path) -> list[int]:
    """Everything the next run needs after a crash: close dead runs, delete half-written temp files."""
    closed = close_dead_runs(database_url)
    downloads = Path(data_dir) / "downloads"
    if downloads.is_dir():
        for folder in [downloads, *(p for p in downloads.iterdir() if p.is_dir())]:
            for part in remove_stale_parts(folder, older_than_s=STALE_HEARTBEAT.total_seconds()):
                log.info("removed half-written file %s", part.name)
    return closed
