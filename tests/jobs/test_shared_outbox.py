"""Fleet mode's shared 837 outbox: a batch one machine built is uploaded once, by a worker on another."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from connector import store
from connector.filestore import open_store
from connector.jobs import outbox
from connector.jobs.execute import run_job
from connector.jobs.paths import Paths
from connector.settings import ConnectorSettings
from connector.store.models import FileEntry
from tests.jobs.test_file_store_jobs import _database_store, _rows, dashboard_get
from tests.sandbox.helpers import batch_837


def _publish(settings: ConnectorSettings, files: dict[str, bytes]) -> Path:
    """Machine A: `claims build` wrote these into its outbox folder; its worker moves them into the store."""
    folder = Paths(settings.data_dir, "clinic").outbox
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    store.ensure_schema(settings.database_url)
    engine = store.make_engine(settings.database_url)
    try:
        moved = outbox.publish_local(open_store(settings, store.session_factory(engine)), "clinic", folder)
    finally:
        engine.dispose()
    assert moved == len(files)
    return folder


async def test_a_batch_built_on_one_machine_is_uploaded_once_by_a_worker_on_another(
    sbx: Any, tmp_path: Path
) -> None:
    machine_a = _database_store(sbx, tmp_path)
    machine_b = machine_a.model_copy(update={"data_dir": tmp_path / "machine-b"})  # same database and key
    good = batch_837(sbx.data, sbx.data.claims[:2], control=31)
    folder_a = _publish(machine_a, {"b-good.837": good, "a-broken.837": b"not an X12 file\n"})
    assert not list(folder_a.glob("*.837"))  # moved into the shared outbox, encrypted

    on_b = await run_job("upload", "clinic", machine_b)
    assert on_b.ok, on_b
    assert on_b.counts["submitted"] == 1 and on_b.counts["quarantined"] == 1, on_b.counts
    assert len(sbx.state.batches) == 1
    names = {e.name for e in _rows(machine_a, FileEntry) if e.kind == "outbox"}
    assert names == {"sent-b-good.837", "quarantined-a-broken.837"}  # nothing left waiting
    (batch,) = _rows(machine_a, store.SubmissionBatch)
    assert batch.file_path == "db:" + hashlib.sha256(good).hexdigest()
    assert batch.state is store.BatchState.SUBMITTED

    on_a = await run_job("upload", "clinic", machine_a)  # the other machine: nothing waits, nothing twice
    assert on_a.ok and on_a.counts["submitted"] == 0 and on_a.counts["quarantined"] == 0, on_a.counts
    assert len(sbx.state.batches) == 1

    answer = await dashboard_get(machine_b, f"/batches/{batch.id}/837")  # the dashboard shows it as sent
    assert answer.status_code == 200 and answer.content == good


async def test_an_upload_with_an_unknown_outcome_stays_waiting(
    sbx: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import connector.jobs.upload as upload
    from flows.records import BatchReceipt

    settings = _database_store(sbx, tmp_path)
    _publish(settings, {"c.837": batch_837(sbx.data, sbx.data.claims[:1], control=32)})

    async def lost_reply(*_: Any) -> BatchReceipt:
        return BatchReceipt(state="UNKNOWN", batch_id=None, upload_name="c", detail="the reply was lost")

    monkeypatch.setattr(upload, "upload_batch", lost_reply)
    first = await run_job("upload", "clinic", settings)
    assert first.ok and first.counts["unknown"] == 1, first.counts
    names = {e.name for e in _rows(settings, FileEntry) if e.kind == "outbox"}
    assert names == {"c.837"}  # still waiting: the batch list settles it on the next run
