"""A stalled queue job closes its own ledger runs only, not the other running runs of the same account."""

from __future__ import annotations

from pathlib import Path

from connector import store
from connector.store import RunOutcome


def test_only_the_stalled_jobs_runs_are_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    store.ensure_schema(url)
    with store.open_session(url) as session, session.begin():
        account = store.upsert_account(
            session, "p01", practice_name="P", portal_kind="sandbox-v1", base_url="x"
        )
        stalled = store.start_run(session, "eras", account, queue_job_id=17)
        other = store.start_run(session, "statuses", account, queue_job_id=18)
        local = store.start_run(session, "upload", account)
    with store.open_session(url) as session, session.begin():
        closed = store.interrupt_queue_job_runs(session, [17], "the worker stopped")
    assert closed == [stalled]
    with store.open_session(url) as session:
        outcome = {run.id: run.outcome for run in session.query(store.Run)}
    assert outcome == {stalled: RunOutcome.INTERRUPTED, other: RunOutcome.RUNNING, local: RunOutcome.RUNNING}
