"""The fleet on real PostgreSQL with real worker subprocesses: each cycle once, one session per account,
stalled jobs of killed workers finish elsewhere without a file or a batch twice."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
from typing import Any

from sqlalchemy import select

from connector import store
from connector.fleet.queue import TASK, defer, ensure_queue_schema, make_app
from connector.fleet.status import fleet_status
from connector.jobs.paths import Paths
from connector.jobs.registry import CYCLE
from connector.ops.scheduler import Scheduler
from connector.sandbox.era import era_bytes
from connector.sandbox.fleet import SandboxFleet
from connector.store import RunOutcome
from connector.store.models import FileBlob
from tests.fleet.conftest import Fleet
from tests.sandbox.helpers import batch_837

CYCLE_ACCOUNTS = ("p01", "p02", "p03", "p04", "p05", "p06")
ALSO_ERAS = ("p01", "p02", "p03")
"""A per-job schedule next to the cycle: these accounts' ERAs job is queued at the same moment."""


def _stored_835s(fleet: Fleet, account: str) -> list[str]:
    """sha256 of every 835 stored by a run of ``account``."""
    with store.open_session(fleet.settings.database_url) as session:
        query = (
            select(store.DownloadedFile.sha256)
            .join(store.Run, store.Run.id == store.DownloadedFile.run_id)
            .join(store.Account, store.Account.id == store.Run.account_id)
            .where(store.Account.key == account, store.DownloadedFile.kind == store.FileKind.ERA_835)
        )
        return list(session.scalars(query))


def _blobs(fleet: Fleet) -> set[str]:
    """sha256 of every file kept (encrypted) in the database's file store."""
    with store.open_session(fleet.settings.database_url) as session:
        return set(session.scalars(select(FileBlob.sha256)))


def _portal_835s(practices: SandboxFleet, account: str) -> set[str]:
    data = practices.servers[account].data
    return {hashlib.sha256(era_bytes(data, payment)).hexdigest() for payment in data.payments}


def _idle(fleet: Fleet) -> bool:
    seen = asyncio.run(fleet_status(fleet.settings))
    busy = sum(c["waiting"] + c["running"] + c["stalled"] for c in seen.per_account.values())
    return busy == 0


async def _fire(fleet: Fleet) -> None:
    """The dispatcher's own path: its fire() at a cron time defers to the queue (it runs nothing itself)."""
    dispatcher = Scheduler(fleet.settings, jobstore="memory", load=lambda: fleet.settings)
    assert dispatcher.queue is not None
    async with dispatcher.queue.open_async():
        await ensure_queue_schema(dispatcher.queue)
        for account in CYCLE_ACCOUNTS:
            await dispatcher.fire("all", account)
        for account in ALSO_ERAS:
            await dispatcher.fire("eras", account)


def test_dispatcher_and_two_workers_run_each_cycle_once(fleet: Fleet, practices: SandboxFleet) -> None:
    asyncio.run(_fire(fleet))

    def cycles_done() -> bool:
        done = [r for r in fleet.runs(job="reconcile") if r.outcome != RunOutcome.RUNNING]
        return len(done) >= len(CYCLE_ACCOUNTS) and _idle(fleet)

    fleet.wait_for("every account's cycle in the ledger", cycles_done, timeout=240)
    ids = fleet.account_ids()
    for account in CYCLE_ACCOUNTS:
        runs = fleet.runs(account_id=ids[account])
        assert all(r.outcome == RunOutcome.SUCCEEDED for r in runs), [(r.job, r.outcome) for r in runs]
        per_job = {job: sum(r.job == job for r in runs) for job in CYCLE if job != "eligibility"}
        expected = {job: 1 for job in per_job} | ({"eras": 2} if account in ALSO_ERAS else {})
        assert per_job == expected, account
        assert all(r.queue_job_id is not None for r in runs)
        stored = _stored_835s(fleet, account)
        assert len(stored) == len(set(stored)) and set(stored) == _portal_835s(practices, account), account
        assert set(stored) <= _blobs(fleet), "fleet mode keeps every ERA in the database's encrypted store"
    peaks = practices.max_simultaneous_sessions()
    assert all(peaks[f"billing.{a}"] == 1 for a in CYCLE_ACCOUNTS), peaks
    assert len(fleet.alive()) == 2


def test_status_shows_workers_and_queued_jobs(fleet: Fleet) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "status", "--limit", "3"],
        env=fleet.env, cwd=fleet.root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "workers" in out and out.count(" alive ") >= 2, out
    assert "queued jobs per account" in out and "no job waiting" in out
    for worker in fleet.alive():
        assert f":{worker.pid} " in out


async def _defer_twice(fleet: Fleet) -> tuple[int | None, int | None, int]:
    idle = fleet.settings.model_copy(
        update={"fleet": fleet.settings.fleet.model_copy(update={"queue": "nobody"})}
    )
    queue = make_app(idle)
    async with queue.open_async():
        first = await defer(queue, idle, "all", "p01")
        second = await defer(queue, idle, "all", "p01")
        waiting = await queue.job_manager.list_jobs_async(queue="nobody", task=TASK, status="todo")
        for job in waiting:
            assert job.id is not None
            await queue.job_manager.cancel_job_by_id_async(job.id, delete_job=True)
        return first, second, len(waiting)


def test_a_waiting_job_is_not_queued_twice(fleet: Fleet) -> None:
    first, second, waiting = asyncio.run(_defer_twice(fleet))
    assert first is not None and second is None and waiting == 1


def _kill_running(fleet: Fleet, run: store.Run) -> None:
    assert run.pid is not None
    (worker,) = [w for w in fleet.alive() if w.pid == run.pid]
    os.kill(run.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _fire_one(fleet: Fleet, job: str, account: str) -> None:
    async def go() -> Any:
        queue = make_app(fleet.settings)
        async with queue.open_async():
            return await defer(queue, fleet.settings, job, account)

    assert asyncio.run(go()) is not None


def test_killed_workers_jobs_finish_on_another_without_doubles(fleet: Fleet, practices: SandboxFleet) -> None:
    # 1. kill -9 a worker in the middle of a download: some ERAs of p07 stored, more to come
    slow = practices.servers["p07"]
    slow.set_fault("latency", 300)
    _fire_one(fleet, "eras", "p07")
    ids: dict[str, int] = {}

    def downloading() -> bool:
        ids.update(fleet.account_ids())
        running = [
            r for r in fleet.runs(job="eras", outcome=RunOutcome.RUNNING) if r.account_id == ids.get("p07")
        ]
        return bool(running) and len(_stored_835s(fleet, "p07")) >= 1

    fleet.wait_for("p07's ERAs download to start", downloading, timeout=90)
    (killed,) = [r for r in fleet.runs(job="eras", outcome=RunOutcome.RUNNING) if r.account_id == ids["p07"]]
    _kill_running(fleet, killed)
    slow.set_fault("latency", 0)
    assert len(_stored_835s(fleet, "p07")) < len(_portal_835s(practices, "p07"))

    def finished(job: str, account: str) -> bool:
        runs = fleet.runs(job=job, account_id=ids[account])
        return any(r.outcome == RunOutcome.SUCCEEDED for r in runs) and _idle(fleet)

    fleet.wait_for("p07's ERAs on the other worker", lambda: finished("eras", "p07"), timeout=120)
    (closed,) = fleet.runs(id=killed.id)
    assert closed.outcome == RunOutcome.INTERRUPTED
    stored = _stored_835s(fleet, "p07")
    assert len(stored) == len(set(stored)) and set(stored) == _portal_835s(practices, "p07")

    # 2. kill -9 another worker in the middle of an upload, after the portal took the file
    fleet.start_worker()
    portal = practices.servers["p08"]
    outbox = Paths(fleet.settings.data_dir, "p08").outbox
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "monday.837").write_bytes(batch_837(portal.data, portal.data.claims[:2], control=41))
    portal.set_fault("slow_reply", 3000)  # answered before the stall is noticed: the portal is done with it
    _fire_one(fleet, "upload", "p08")
    fleet.wait_for("the portal to take p08's batch", lambda: len(portal.state.batches) == 1, timeout=90)
    ids.update(fleet.account_ids())
    (uploading,) = [
        r for r in fleet.runs(job="upload", outcome=RunOutcome.RUNNING) if r.account_id == ids["p08"]
    ]
    _kill_running(fleet, uploading)
    portal.set_fault("slow_reply", 0)
    fleet.wait_for("p08's upload settled on another worker", lambda: finished("upload", "p08"), timeout=120)
    (closed,) = fleet.runs(id=uploading.id)
    assert closed.outcome == RunOutcome.INTERRUPTED
    (batch,) = portal.state.batches.values()
    assert batch.duplicate_uploads == 0 and len(portal.state.batches) == 1
    with store.open_session(fleet.settings.database_url) as session:
        (ours,) = session.scalars(
            select(store.SubmissionBatch).where(store.SubmissionBatch.account_id == ids["p08"])
        )
        assert ours.state not in (store.BatchState.PENDING, store.BatchState.UNKNOWN)
        assert ours.portal_batch_id == batch.batch_id
    peaks = practices.max_simultaneous_sessions()
    assert peaks["billing.p07"] == 1 and peaks["billing.p08"] == 1, peaks


def test_sigterm_drains_a_worker(fleet: Fleet) -> None:
    worker = fleet.alive()[0]
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    seen = asyncio.run(fleet_status(fleet.settings))
    assert all(not w.name.endswith(f":{worker.pid}") for w in seen.workers)  # its lease given back
