"""The optum variant over plain HTTP: its pages only under it, status filter, EPRA queue, bundle rules."""

from __future__ import annotations

import re

import httpx

from connector.sandbox.server import SandboxServer
from tests.sandbox.helpers import csrf_of


def _optum_sign_in(client: httpx.Client, sandbox: SandboxServer) -> str:
    page = client.get("/registrationSignIn.do?OFSP_main=login")
    token = csrf_of(page.text)
    first = client.post(
        "/registrationSignIn.do",
        data={"csrf_token": token, "userName": sandbox.username, "password": sandbox.password},
    )
    assert first.headers["location"] == "/authQuestion.do"
    asked = re.search(r'id="challengeQuestionLabelId"[^>]*>([^<]+)<', client.get("/authQuestion.do").text)
    assert asked is not None
    answer = sandbox.state.account.security_questions[asked.group(1)]
    done = client.post("/authQuestion.do", data={"csrf_token": token, "securityAnswer": answer.upper()})
    assert done.headers["location"] == "/viewwelcome.do"
    return token


def _count(html: str) -> int:
    found = re.search(r"Record Count: (\d+)", html)
    assert found is not None
    return int(found.group(1))


def test_optum_pages_exist_only_under_the_optum_variant(signed: httpx.Client) -> None:
    assert signed.get("/viewPayments.do").status_code == 404
    assert signed.get("/registrationSignIn.do").status_code == 404


def test_status_filter_epra_queue_and_bundle_rules(
    client: httpx.Client, sandbox_fresh: SandboxServer
) -> None:
    sandbox_fresh.set_variant("optum")
    sandbox_fresh.set_fault("announcement", 0)
    sandbox_fresh.set_fault("epra_delay", 3600)
    token = _optum_sign_in(client, sandbox_fresh)
    tin = sandbox_fresh.data.practice.tin
    assert "No payments have been made" in client.get("/viewPayments.do?periodId=Last 90 days").text
    new = client.get(f"/viewPayments.do?taxIndNbr={tin}&periodId=Last 90 days").text
    every = client.get("/viewPayments.do?periodId=Last 90 days&archiveFilterType=Show All").text
    assert 0 < _count(new) < _count(every) == len(sandbox_fresh.data.payments)
    number = re.search(r"epraRequest\.do\?paymentNbr=(\w+)", every)
    assert number is not None
    assert "being generated" in client.get(f"/epraRequest.do?paymentNbr={number.group(1)}").text
    assert client.get(f"/epraDownload.do?paymentNbr={number.group(1)}").status_code == 404  # still generating
    assert sandbox_fresh.finish_pdfs() == 1
    assert client.get(f"/epraDownload.do?paymentNbr={number.group(1)}").content.startswith(b"%PDF")
    form = {"csrf_token": token, "fileTypes": ["835s"], "selectedPayerTinNbrs": ["87726"]}
    wide = client.post("/paymentDataFiles.do", data={**form, "settlementDateFrom": "01/01/2026",
                                                     "settlementDateTo": "03/01/2026"})  # fmt: skip
    assert "must not be greater than 30 Days" in wide.text and not sandbox_fresh.state.optum.bundles
    sandbox_fresh.set_fault("access", "standard")
    assert "Organize data your way." in client.get("/paymentDataFiles.do").text
    standard = client.get("/viewPayments.do?periodId=Last 90 days").text
    assert (
        'id="archiveFilterType" name="archiveFilterType" onchange="this.form.submit()" disabled' in standard
    )
    assert _count(standard) == len(sandbox_fresh.data.payments) and "epraRequest" not in standard
