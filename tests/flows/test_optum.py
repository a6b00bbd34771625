"""The optum variant (Optum Pay's shape) driven by optum-pay.yaml: the security question and remembered
device, the bundle backfill and the technical-difficulties page, on the shared sandbox and browser."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext
from pydantic import SecretStr

from connector.browser import TotpSource
from connector.errors import MfaFailed, PortalUnavailable
from connector.selectormap import load_map
from flows import portal as portal_module
from flows.portal import PortalPage
from flows.signin import sign_in
from flows.view_payments import walk_payments

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
