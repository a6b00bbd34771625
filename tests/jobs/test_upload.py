"""The upload job on the sandbox: malformed 837s, files the portal refuses, confirmations without an id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import connector.jobs.upload as persist
from connector import store
from connector.errors import X12ParseError
from connector.jobs.execute import run_job
from connector.jobs.paths import Paths
from flows.records import BatchReceipt
from tests.jobs.test_run import _settings
from tests.sandbox.helpers import batch_837


def _outbox(settings: Any) -> Path:
    outbox: Path = Paths(settings.data_dir, "clinic").outbox
    outbox.mkdir(parents=True)
    return outbox


def _batches(settings: Any) -> list[store.SubmissionBatch]:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            return list(session.scalars(select(store.SubmissionBatch).order_by(store.SubmissionBatch.id)))
    finally:
        engine.dispose()


async def test_malformed_837_is_quarantined_and_the_others_are_uploaded(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    outbox = _outbox(settings)
    (outbox / "a-broken.837").write_bytes(b"this is not an X12 file\n")
    (outbox / "b-good.837").write_bytes(batch_837(sbx.data, sbx.data.claims[:2], control=21))
    result = await run_job("upload", "clinic", settings)
    assert result.ok, result
    assert result.counts["quarantined"] == 1 and result.counts["submitted"] == 1, result.counts
    assert len(sbx.state.batches) == 1
    assert not (outbox / "a-broken.837").exists() and (outbox / "quarantine" / "a-broken.837").exists()
    again = await run_job("upload", "clinic", settings)  # moved aside: not reported (or alerted) again
    assert again.ok and again.counts["quarantined"] == 0, again.counts


async def test_refused_upload_is_settled_rejected_and_never_sent_again(
    sbx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connector.sandbox import batch_routes

    tries: list[int] = []

    def refuse(content: bytes, *args: Any, **kwargs: Any) -> Any:
        tries.append(len(content))
        raise X12ParseError("the payer's own check failed")

    monkeypatch.setattr(batch_routes, "intake", refuse)
    settings = _settings(sbx, tmp_path)
    (_outbox(settings) / "monday.837").write_bytes(batch_837(sbx.data, sbx.data.claims[:2], control=22))
    first = await run_job("upload", "clinic", settings)
    assert first.ok and first.counts["rejected"] == 1 and first.counts["unknown"] == 0, first.counts
    (batch,) = _batches(settings)
    assert batch.state is store.BatchState.REJECTED and "not a valid" in (batch.detail or "")
    again = await run_job("upload", "clinic", settings)
    assert again.ok and again.counts["skipped"] == 1 and len(tries) == 1


async def test_confirmation_without_batch_id_is_unknown_then_settled_from_the_list(
    sbx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = persist.upload_batch

    async def no_id(*args: Any, **kwargs: Any) -> BatchReceipt:
        receipt = await real(*args, **kwargs)
        assert receipt.state == "SUBMITTED"
        return BatchReceipt("SUBMITTED", None, receipt.upload_name)

    monkeypatch.setattr(persist, "upload_batch", no_id)
    settings = _settings(sbx, tmp_path)
    (_outbox(settings) / "monday.837").write_bytes(batch_837(sbx.data, sbx.data.claims[:2], control=23))
    first = await run_job("upload", "clinic", settings)
    assert first.ok and first.counts["unknown"] == 1 and first.counts["submitted"] == 0, first.counts
    assert _batches(settings)[0].state is store.BatchState.UNKNOWN
    monkeypatch.undo()
    second = await run_job("upload", "clinic", settings)
    assert second.ok and second.counts["settled"] == 1 and second.counts["skipped"] == 1, second.counts
    (batch,) = _batches(settings)
    (portal_id,) = sbx.state.batches
    assert batch.state is store.BatchState.SUBMITTED and batch.portal_batch_id == portal_id


async def test_partly_rejected_277ca_counts_and_names_the_rejected_claims(sbx: Any, tmp_path: Path) -> None:
    data = sbx.data
    good, bad = data.claims[:2]
    bad.diagnoses, saved = ("1234",), bad.diagnoses
    try:
        content = batch_837(data, [good, bad], control=24)
    finally:
        bad.diagnoses = saved
    settings = _settings(sbx, tmp_path)
    (_outbox(settings) / "monday.837").write_bytes(content)
    assert (await run_job("upload", "clinic", settings)).counts["submitted"] == 1
    sbx.advance_acknowledgements()
    acks = await run_job("acks", "clinic", settings)
    assert acks.ok and acks.counts["277ca"] == 1, acks
    assert acks.counts["claims_rejected"] == 1 and acks.counts["claims_accepted"] == 1, acks.counts
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            ack = session.scalars(
                select(store.Acknowledgement).where(store.Acknowledgement.kind == store.AckKind.ACK_277CA)
            ).one()
    finally:
        engine.dispose()
    rejected = [d for d in ack.detail if d["rejected"]]
    assert [(d["claim"], [s["code"] for s in d["statuses"]]) for d in rejected] == [(bad.claim_id, ["254"])]
    assert ack.rejected_count == 1 and ack.accepted_count == 1
