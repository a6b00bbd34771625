"""The optum variant (Optum Pay's shape) driven by optum-pay.yaml: sign-in, access levels, the EPRA queue,
bundles and the technical-difficulties page, on the shared sandbox and browser."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext
from pydantic import SecretStr
from sqlalchemy import select

from connector import store
from connector.browser import TotpSource
from connector.cycle import run_with_policy
from connector.errors import MfaFailed, PortalUnavailable
from connector.notify import MemoryIncidentLog, Notifier
from connector.runner import run_job
from connector.selectormap import load_map
from flows import portal as portal_module
from flows.portal import PortalPage
from flows.signin import sign_in
from flows.view_payments import walk_payments
from tests.flows.test_runner import _settings

MONTHS = dt.timedelta(days=60)


@pytest.fixture
async def optum(sandbox_fresh: Any, context: BrowserContext, tmp_path: Path) -> AsyncIterator[PortalPage]:
    """A page on the reset sandbox in its optum variant, driven by optum-pay.yaml."""
    sandbox_fresh.set_variant("optum")
    sandbox_fresh.set_fault("announcement", 0)
    page = await context.new_page()
    yield PortalPage(context, page, load_map("optum-pay"), sandbox_fresh.base_url, tmp_path / "shots")


def _answers(sandbox: Any) -> dict[str, SecretStr]:
    """Keyword -> answer, as an office would write them (the sandbox asks full questions)."""
    by_keyword = {"color": "favorite color", "nickname": "childhood nickname", "state": "state were you born"}
    questions = sandbox.state.account.security_questions
    return {
        key: SecretStr(next(a for q, a in questions.items() if text in q)) for key, text in by_keyword.items()
    }


async def _sign_in(portal: PortalPage, sandbox: Any, **kwargs: Any) -> None:
    await sign_in(
        portal, sandbox.username, SecretStr(sandbox.password), TotpSource(sandbox.totp_secret), **kwargs
    )


async def _walk(portal: PortalPage, sandbox: Any, dest: Path, **kwargs: Any) -> Any:
    as_of = sandbox.data.as_of
    return await walk_payments(
        portal, dest, since=as_of - MONTHS, until=as_of, tins=(sandbox.data.practice.tin,), **kwargs
    )


async def test_security_question_then_remembered_device(
    optum: PortalPage, sandbox_fresh: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = _answers(sandbox_fresh)
    with pytest.raises(MfaFailed, match="favorite color"):  # the first question asked has no answer here
        await _sign_in(optum, sandbox_fresh, answers={"nickname": answers["nickname"]})
    await optum.page.context.clear_cookies()
    await _sign_in(optum, sandbox_fresh, answers=answers)  # a new device: the next question, answered
    assert sandbox_fresh.state.optum.questions_asked == 2
    await optum.page.goto(optum.url_for("/returnToLoginPage.do"))
    await _sign_in(optum, sandbox_fresh, answers=answers)  # "remember my device" was ticked: no question
    assert sandbox_fresh.state.optum.questions_asked == 2
    assert sandbox_fresh.state.signins == 2
    secrets = [a.get_secret_value() for a in answers.values()]
    assert not [r for r in caplog.records if any(s in r.getMessage() for s in secrets)]


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


async def test_backfill_through_a_bundle_zip(optum: PortalPage, sandbox_fresh: Any, tmp_path: Path) -> None:
    await _sign_in(optum, sandbox_fresh, answers=_answers(sandbox_fresh))
    got = await _walk(optum, sandbox_fresh, tmp_path / "eras", backfill_bundles=True, bundle_wait_s=10)
    payments = len(sandbox_fresh.data.payments)
    assert len(got.listings) == payments
    assert got.bundle_files == 2 * payments and got.pdf_requested == 0
    assert sorted({f.kind for f in got.files}) == ["835", "pdf"] and len(got.files) == 2 * payments
    assert len(sandbox_fresh.state.optum.bundles) == 2  # 60 days in bundles of at most 30 days


async def test_technical_difficulties_twice_in_a_row_then_the_walk_goes_on(
    optum: PortalPage, sandbox_fresh: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portal_module, "TROUBLE_PAUSE_S", 0.0)
    sandbox_fresh.set_fault("rows_per_page", 4)  # 12 pages: a second block of ten, reached by "Next"
    await _sign_in(optum, sandbox_fresh, answers=_answers(sandbox_fresh))
    sandbox_fresh.set_fault("technical_difficulties", "next:2")
    got = await _walk(optum, sandbox_fresh, tmp_path / "eras")
    assert optum.trouble_reloads == 2
    assert len(got.listings) == len(sandbox_fresh.data.payments) and got.count_mismatches == 0
    assert got.pages >= 12
    sandbox_fresh.set_fault("technical_difficulties", "next:99")
    with pytest.raises(PortalUnavailable, match="technical difficulties"):
        await optum.goto("payments", step="ERAs")
    assert optum.trouble_reloads == 2 + portal_module.TROUBLE_RELOADS
