"""The ERA job on the sandbox: malformed 835s are quarantined, a reused payment number is still fetched."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from connector import store
from connector.jobs.execute import run_job
from connector.sandbox.era import era_bytes
from connector.sandbox.remit_pdf import remit_pdf
from tests.jobs.test_run import _recent, _settings


def _in_window(sbx: Any) -> list[Any]:
    window = _recent(sbx)
    since, until = window["since"] + dt.timedelta(days=1), window["until"]
    return [p for p in sbx.data.payments if since <= p.date <= until]


def _files(settings: Any) -> list[store.DownloadedFile]:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            return list(session.scalars(select(store.DownloadedFile)))
    finally:
        engine.dispose()


async def test_malformed_835_is_quarantined_once_and_the_job_goes_on(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    payments = _in_window(sbx)
    bad = payments[len(payments) // 2]
    broken = era_bytes(sbx.data, bad).replace(b"BPR*", b"BPR*X*", 1)  # still ISA...IEA: only parsing fails
    sbx.app.state.file_cache[("835", bad.payment_number)] = (broken, "ERA.835")
    first = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert first.ok, first
    assert first.counts["quarantined"] == 1
    assert first.counts["remittances_new"] == first.counts["listed"] - 1
    assert first.counts["files_new"] == 2 * first.counts["listed"] - 1
    (kept,) = [f for f in _files(settings) if f.sha256 == hashlib.sha256(broken).hexdigest()]
    assert kept.payment_number == bad.payment_number
    assert await asyncio.to_thread(Path(kept.stored_path).read_bytes) == broken  # kept, not deleted
    again = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert again.ok and again.counts["fetched"] == 0 and again.counts["quarantined"] == 0, again


async def test_reissued_835_under_the_same_payment_number_is_fetched(sbx: Any, tmp_path: Path) -> None:
    settings = _settings(sbx, tmp_path)
    first = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert first.ok and first.counts["files_new"] > 0, first
    old = _in_window(sbx)[0]
    reissued = dataclasses.replace(old, date=old.date - dt.timedelta(days=1))  # same TRN02, new date
    payments = sbx.data.payments
    payments[payments.index(old)] = reissued
    cache = sbx.app.state.file_cache
    cache[("835", old.payment_number)] = (era_bytes(sbx.data, reissued), "ERA.835")
    cache[("pdf", old.payment_number)] = (remit_pdf(sbx.data, reissued), "Remit.pdf")
    second = await run_job("eras", "clinic", settings, options=_recent(sbx))
    assert second.ok, second
    assert second.counts["fetched"] == 2 and second.counts["files_new"] == 2, second.counts
    assert second.counts["skipped_known"] == second.counts["listed"] - 1
    rows = [f for f in _files(settings) if f.payment_number == old.payment_number]
    assert len(rows) == 4 and len({f.stored_path for f in rows}) == 4  # nothing overwritten
