"""The ERA job on the sandbox's optum variant: Standard access said once, a PDF collected on a later run and
one that never appears reported once, each file stored exactly once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from connector import store
from connector.jobs.execute import run_job
from connector.ops.notify import MemoryIncidentLog, Notifier
from connector.ops.policy import run_with_policy
from tests.jobs.test_run import _settings

MONTHS = dt.timedelta(days=60)


async def test_standard_access_fetches_835s_and_says_once_what_it_cannot(
    sandbox_fresh: Any, tmp_path: Path
) -> None:
    sandbox_fresh.set_variant("optum")
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("access", "standard")
    settings = _optum_settings(sandbox_fresh, tmp_path)
    incidents = MemoryIncidentLog()
    notifier = Notifier([], incidents)
    sent: list[str] = []
    notifier._send = lambda title, body, kind, attach=None: sent.append(body) or True  # type: ignore[method-assign]
    options = {"since": sandbox_fresh.data.as_of - MONTHS, "until": sandbox_fresh.data.as_of}
    first = await run_with_policy("eras", "clinic", settings, notifier, options=options)
    assert first.ok, first
    assert first.counts["access"] == "standard"
    assert first.counts["files_new"] == len(sandbox_fresh.data.payments)  # every 835, no PDF
    assert first.counts["pdf_requested"] == 0 and first.counts["pdf_pending"] == 0
    second = await run_with_policy("eras", "clinic", settings, notifier, options=options)
    assert second.ok and second.counts["files_new"] == 0
    assert len(sent) == 1 and "EPRA PDF remits" in sent[0] and "Payment Data Files" in sent[0]
    assert "clinic:standard-access" in incidents.open_keys


def _optum_settings(sandbox: Any, tmp_path: Path) -> Any:
    settings = _settings(sandbox, tmp_path)
    account = settings.accounts["clinic"]
    questions = sandbox.state.account.security_questions
    settings.accounts["clinic"] = account.model_copy(
        update={
            "portal": "optum-pay",
            "tins": [sandbox.data.practice.tin],
            "security_answers": {q: SecretStr(a) for q, a in questions.items()},
        }
    )
    return settings


def _stored(settings: Any) -> tuple[int, int, list[store.PdfRequest]]:
    engine = store.make_engine(settings.database_url)
    try:
        with store.session_factory(engine)() as session:
            kinds = [f.kind for f in session.scalars(select(store.DownloadedFile))]
            requests = list(session.scalars(select(store.PdfRequest)))
            session.expunge_all()
    finally:
        engine.dispose()
    return kinds.count(store.FileKind.ERA_835), kinds.count(store.FileKind.PDF), requests


async def test_pdf_ready_only_on_the_next_run_is_collected_then_and_a_missing_one_reported_once(
    sandbox_fresh: Any, tmp_path: Path
) -> None:
    sandbox_fresh.set_variant("optum")
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("epra_delay", 3600)  # nothing asked for is generated within the run
    settings = _optum_settings(sandbox_fresh, tmp_path)
    payments = len(sandbox_fresh.data.payments)
    as_of = sandbox_fresh.data.as_of
    base = {"since": as_of - MONTHS, "until": as_of, "pdf_wait_s": 0.5, "backfill": False}
    first = await run_job("eras", "clinic", settings, options=base)
    assert first.ok, first
    eras, pdfs, requests = _stored(settings)
    viewed = pdfs  # payments a person had viewed already have their PDF; every other one was asked for
    assert eras == payments and 0 < viewed < payments
    assert first.counts["pdf_requested"] == first.counts["pdf_pending"] == payments - viewed == len(requests)
    overdue = {**base, "since": as_of, "pdf_give_up": dt.timedelta(0)}
    second = await run_job("eras", "clinic", settings, options=overdue)  # since moves back to the requests
    assert second.ok and second.counts["pdf_never_ready"] == payments - viewed
    assert sandbox_fresh.finish_pdfs() == payments - viewed
    third = await run_job("eras", "clinic", settings, options=overdue)
    assert third.ok and third.counts["pdf_collected_later"] == payments - viewed
    assert third.counts["pdf_never_ready"] == 0  # reported once (the store test covers "once" in detail)
    eras, pdfs, requests = _stored(settings)
    assert (eras, pdfs) == (payments, payments)  # each exactly once
    assert all(r.collected_at is not None and r.reported_at is not None for r in requests)
    assert third.counts["pdf_pending"] == 0
