"""The run ledger and practice accounts: start, heartbeat, finish, close interrupted runs.

Repository functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from connector.errors import StorageError
from connector.store.models import Account, Run
from connector.store.types import RunOutcome, utcnow

MAX_ERROR_MESSAGE = 2000


def upsert_account(session: Session, key: str, *, practice_name: str, portal_kind: str, base_url: str) -> int:
    """Create or update the account named ``key`` in the settings; returns its id. No secrets here."""
    account = session.scalars(select(Account).where(Account.key == key)).one_or_none()
    if account is None:
        account = Account(key=key, practice_name=practice_name, portal_kind=portal_kind, base_url=base_url)
        session.add(account)
    else:
        account.practice_name = practice_name
        account.portal_kind = portal_kind
        account.base_url = base_url
    session.flush()
    return account.id


def start_run(
    session: Session,
    job: str,
    account_id: int | None = None,
    *,
    pid: int | None = None,
    host: str | None = None,
    queue_job_id: int | None = None,
) -> int:
    """Open a RUNNING entry in the ledger for ``job`` (and account) and return its id."""
    now = utcnow()
    run = Run(
        job=job,
        account_id=account_id,
        started_at=now,
        heartbeat_at=now,
        outcome=RunOutcome.RUNNING,
        counts={},
        artifacts=[],
        pid=os.getpid() if pid is None else pid,
        host=socket.gethostname() if host is None else host,
        queue_job_id=queue_job_id,
    )
    session.add(run)
    session.flush()
    return run.id


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


def heartbeat(session: Session, run_id: int) -> None:
    """Mark run ``run_id`` alive now. Raises StorageError when the run is no longer RUNNING."""
    result = session.execute(
        update(Run).where(Run.id == run_id, Run.outcome == RunOutcome.RUNNING).values(heartbeat_at=utcnow())
    )
    if _rowcount(result) != 1:
        raise StorageError(f"run {run_id} is not RUNNING any more (closed as interrupted or finished)")


def _error_fields(error: BaseException | tuple[str, str] | None) -> tuple[str | None, str | None]:
    if error is None:
        return None, None
    if isinstance(error, BaseException):
        name, message = type(error).__name__, str(error)
    else:
        name, message = error
    return name[:200], message[:MAX_ERROR_MESSAGE]


def finish_run(
    session: Session,
    run_id: int,
    outcome: RunOutcome,
    counts: Mapping[str, Any] | None = None,
    error: BaseException | tuple[str, str] | None = None,
    artifacts: Iterable[str | Path] = (),
) -> None:
    """Close run ``run_id`` with its outcome, counts, error (class name + message) and artifact paths.

    A run closed as INTERRUPTED by another process may still finish with its real outcome.
    The error message must already be free of secrets and PHI (connector errors are, by design).
    """
    if outcome is RunOutcome.RUNNING:
        raise ValueError("finish_run needs a final outcome, not RUNNING")
    error_class, error_message = _error_fields(error)
    now = utcnow()
    result = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.outcome.in_([RunOutcome.RUNNING, RunOutcome.INTERRUPTED]))
        .values(
            outcome=outcome,
            finished_at=now,
            heartbeat_at=now,
            counts=dict(counts or {}),
            error_class=error_class,
            error_message=error_message,
            artifacts=[str(path) for path in artifacts],
        )
    )
    if _rowcount(result) != 1:
        raise StorageError(f"run {run_id} does not exist or has already finished")


def close_interrupted_runs(session: Session, max_heartbeat_age: dt.timedelta) -> list[int]:
    """Mark RUNNING runs whose last heartbeat is older than ``max_heartbeat_age`` INTERRUPTED; return ids."""
    now = utcnow()
    cutoff = now - max_heartbeat_age
    ids = list(
        session.scalars(
            select(Run.id)
            .where(Run.outcome == RunOutcome.RUNNING, Run.heartbeat_at < cutoff)
            .order_by(Run.id)
        )
    )
    interrupt_runs(session, ids, f"no heartbeat for more than {int(max_heartbeat_age.total_seconds())} s")
    return ids


def interrupt_runs(session: Session, ids: list[int], reason: str) -> None:
    """Close these RUNNING runs as INTERRUPTED (their process is gone) with ``reason`` as the message."""
    if ids:
        session.execute(
            update(Run)
            .where(Run.id.in_(ids), Run.outcome == RunOutcome.RUNNING)
            .values(
                outcome=RunOutcome.INTERRUPTED,
                finished_at=utcnow(),
                error_class="Interrupted",
                error_message=reason,
            )
        )


def interrupt_queue_job_runs(session: Session, queue_job_ids: list[int], reason: str) -> list[int]:
    """Close the RUNNING runs of these fleet queue jobs (their worker stalled) as INTERRUPTED; return ids."""
    if not queue_job_ids:
        return []
    ids = list(
        session.scalars(
            select(Run.id).where(Run.outcome == RunOutcome.RUNNING, Run.queue_job_id.in_(queue_job_ids))
        )
    )
    interrupt_runs(session, ids, reason)
    return ids


def last_successful_run(session: Session, job: str, account_id: int | None = None) -> Run | None:
    """The latest SUCCEEDED run of ``job`` for this account (None: never succeeded)."""
    account = Run.account_id.is_(None) if account_id is None else Run.account_id == account_id
    return session.scalars(
        select(Run)
        .where(Run.job == job, account, Run.outcome == RunOutcome.SUCCEEDED)
        .order_by(Run.started_at.desc(), Run.id.desc())
        .limit(1)
    ).first()


def running_runs(session: Session) -> list[Run]:
    """Runs still marked RUNNING, oldest first."""
    return list(session.scalars(select(Run).where(Run.outcome == RunOutcome.RUNNING).order_by(Run.id)))
