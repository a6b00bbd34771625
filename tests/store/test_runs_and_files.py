"""Run ledger (start, heartbeat, finish, interrupted runs) and downloaded-file dedupe by sha256."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connector.errors import LoginRejected, StorageError
from connector.store import (
    DownloadedFile,
    FileKind,
    Run,
    RunOutcome,
    close_interrupted_runs,
    file_exists,
    find_file,
    finish_run,
    heartbeat,
    last_successful_run,
    record_file,
    session_factory,
    start_run,
    upsert_account,
)

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_run_lifecycle(session: Session) -> None:
    account = upsert_account(
        session,
        "uhc-main",
        practice_name="Main St Clinic",
        portal_kind="optum",
        base_url="http://127.0.0.1:1",
    )
    assert (
        upsert_account(session, "uhc-main", practice_name="Main", portal_kind="optum", base_url="x")
        == account
    )
    with time_machine.travel(T0, tick=False):
        run_id = start_run(session, "eras", account, pid=4242, host="box")
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        heartbeat(session, run_id)
        finish_run(
            session,
            run_id,
            RunOutcome.FAILED,
            counts={"files": 3},
            error=LoginRejected("password refused", step="login"),
            artifacts=["data/traces/1.zip"],
        )
    session.commit()
    session.expire_all()
    run = session.get(Run, run_id)
    assert run is not None
    assert run.outcome is RunOutcome.FAILED
    assert run.started_at == T0
    assert run.finished_at == T0 + dt.timedelta(minutes=1)
    assert run.counts == {"files": 3}
    assert run.error_class == "LoginRejected"
    assert run.error_message == "login: password refused"
    assert run.artifacts == ["data/traces/1.zip"]
    assert (run.pid, run.host) == (4242, "box")
    with pytest.raises(StorageError, match="already finished"):
        finish_run(session, run_id, RunOutcome.SUCCEEDED)
    with pytest.raises(StorageError, match="not RUNNING"):
        heartbeat(session, run_id)
    with pytest.raises(ValueError):
        finish_run(session, run_id, RunOutcome.RUNNING)


def test_last_successful_run_per_job_and_account(session: Session) -> None:
    a = upsert_account(session, "a", practice_name="A", portal_kind="optum", base_url="http://a")
    b = upsert_account(session, "b", practice_name="B", portal_kind="optum", base_url="http://b")
    assert last_successful_run(session, "eras", a) is None
    ids = {}
    for minute, (job, account, outcome) in enumerate(
        [
            ("eras", a, RunOutcome.SUCCEEDED),
            ("eras", a, RunOutcome.SUCCEEDED),
            ("eras", a, RunOutcome.FAILED),
            ("eras", b, RunOutcome.SUCCEEDED),
            ("status", a, RunOutcome.SUCCEEDED),
        ]
    ):
        with time_machine.travel(T0 + dt.timedelta(minutes=minute), tick=False):
            run_id = start_run(session, job, account)
            finish_run(session, run_id, outcome)
        ids[minute] = run_id
    session.commit()
    found = last_successful_run(session, "eras", a)
    assert found is not None and found.id == ids[1]
    found_b = last_successful_run(session, "eras", b)
    assert found_b is not None and found_b.id == ids[3]
    assert last_successful_run(session, "eras", None) is None


def test_close_interrupted_runs_only_closes_stale_ones(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory.begin() as session, time_machine.travel(T0, tick=False):
        stale = start_run(session, "eras")
        fresh = start_run(session, "claims")
        done = start_run(session, "status")
        finish_run(session, done, RunOutcome.SUCCEEDED)
    with factory.begin() as session, time_machine.travel(T0 + dt.timedelta(minutes=9), tick=False):
        heartbeat(session, fresh)
    with factory.begin() as session, time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert close_interrupted_runs(session, dt.timedelta(minutes=5)) == [stale]
        assert close_interrupted_runs(session, dt.timedelta(minutes=5)) == []
    with factory() as session:
        closed = session.get(Run, stale)
        assert closed is not None and closed.outcome is RunOutcome.INTERRUPTED
        assert closed.finished_at == T0 + dt.timedelta(minutes=10)
        still = session.get(Run, fresh)
        assert still is not None and still.outcome is RunOutcome.RUNNING
        with pytest.raises(StorageError):
            heartbeat(session, stale)
        finish_run(session, stale, RunOutcome.SUCCEEDED)
        session.commit()
        assert session.get(Run, stale).outcome is RunOutcome.SUCCEEDED  # type: ignore[union-attr]


def test_record_file_dedupes_by_sha256(session: Session) -> None:
    sha = _sha(b"ISA*00*...")
    assert not file_exists(session, sha)
    run_id = start_run(session, "eras")
    row, created = record_file(
        session,
        kind=FileKind.ERA_835,
        sha256=sha,
        size=10,
        stored_path="data/files/ab/abcd.835",
        run_id=run_id,
        payer_id="87726",
        payment_number="EFT123",
        isa13="000000001",
        gs06="1",
    )
    assert created and row.kind is FileKind.ERA_835
    again, created_again = record_file(
        session, kind=FileKind.ERA_835, sha256=sha, size=10, stored_path="data/files/other.835"
    )
    assert not created_again
    assert again.id == row.id and again.stored_path == "data/files/ab/abcd.835"
    session.commit()
    assert file_exists(session, sha)
    found = find_file(session, sha)
    assert found is not None and found.payment_number == "EFT123"
    other, created_other = record_file(session, kind="PDF", sha256=_sha(b"%PDF"), size=4, stored_path="p.pdf")  # type: ignore[arg-type]
    assert created_other and other.kind is FileKind.PDF
    assert session.scalar(select(func.count()).select_from(DownloadedFile)) == 2


def test_record_file_refuses_a_malformed_digest(session: Session) -> None:
    with pytest.raises(ValueError):
        record_file(session, kind=FileKind.PDF, sha256="ABC", size=1, stored_path="x")
    with pytest.raises(ValueError):
        file_exists(session, _sha(b"x").upper())
