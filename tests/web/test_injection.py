"""A claim id, patient name or payer name carrying HTML or script is shown as text on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import text

from connector import store
from connector.errors import SelectorMissing
from connector.jobs.reconcile import result_rows
from connector.reconcile.model import ClaimRow, Reason, ReconciliationResult, TieOut
from connector.reconcile.snapshot import snapshot
from connector.reconcile.summary import kpis
from connector.settings import ConnectorSettings
from connector.web.server import WebServer
from connector.web.users import add_user
from tests.web.helpers import VIEWER

CLAIM = '<script>window.pwned=1</script>"x'
PATIENT = "<img src=x onerror=window.pwned=2>, BOB"
PAYER = "<svg onload=window.pwned=3>ACME</svg>"


def evil_store(url: str) -> None:
    """A store whose reconciliation names an evil claim, patient and payer (as a payer's ERA could)."""
    reason = Reason(
        "CO", "16", Decimal("100.00"), ("M51",), "<i>lacks info</i>", "corrected claim", "M51: <b>x</b>"
    )
    money = Decimal("100.00")
    claim = ClaimRow(CLAIM, "denied", payer=PAYER, patient=PATIENT, charge=money, denied_amount=money,
                     service_date=dt.date(2026, 11, 2), reasons=(reason,))  # fmt: skip
    result = ReconciliationResult(dt.date(2026, 11, 27), Decimal("0.01"), 30, [claim], [], [], [], None,
                                  TieOut(Decimal(0), Decimal(0), Decimal(0)), [], [], {})  # fmt: skip
    result.kpis = kpis(result, [], None)
    store.upgrade(url)
    with store.open_session(url) as session:
        account = store.upsert_account(
            session, "evil", practice_name="<b>Evil & Co</b>", portal_kind="sandbox-v1", base_url="http://x"
        )
        store.save_reconciliation(session, as_of=result.as_of, results=result_rows(result),
                                  totals=snapshot(result), account_id=account)  # fmt: skip
        store.add_claim_status(session, claim_number=CLAIM, status_text="<script>window.pwned=4</script>")
        run = store.start_run(session, "eras", account)
        store.finish_run(session, run, store.RunOutcome.FAILED, {}, ("SelectorMissing", "<b>era.search</b>"))
        add_user(session, VIEWER[0], "viewer", VIEWER[1])
        session.commit()
    engine = store.make_engine(url)  # an eligibility table with HTML in a cell (the page lists them all)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE eligibility_probe (id INTEGER PRIMARY KEY, member TEXT)"))
        connection.execute(text("INSERT INTO eligibility_probe (member) VALUES (:m)"), {"m": PATIENT})
    engine.dispose()


async def test_html_in_claim_patient_and_payer_is_text(browser: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    evil_store(url)
    server = WebServer(ConnectorSettings(data_dir=tmp_path, database_url=url), port=0).start()
    context = await browser.new_context()
    dialogs: list[str] = []
    try:
        page = await context.new_page()
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(f"{server.base_url}/login")
        await page.fill("input[name=username]", VIEWER[0])
        await page.fill("input[name=password]", VIEWER[1])
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{server.base_url}/")
        today = await page.locator("main").inner_text()
        assert (
            "<b>Evil & Co</b>" in today
            and "eras failed (needs a person): SelectorMissing: <b>era.search</b>" in today
        )
        assert "Selector drift: eras failed with SelectorMissing" in today
        assert SelectorMissing.advice("evil") in today
        for path in ("/worklists", "/money", "/eligibility", f"/claims/{quote(CLAIM, safe='')}"):
            await page.goto(f"{server.base_url}{path}")
            text = await page.locator("main").inner_text()
            assert await page.evaluate("window.pwned") is None, path
            assert await page.locator("main script, main img, main b, main i").count() == 0, path
            assert await page.locator("svg svg").count() == 0, path
            if path == "/worklists":
                assert CLAIM in text and PATIENT in text and PAYER in text
                await page.locator("#denials a[href^='/claims/']").first.click()
                await page.wait_for_load_state()
                assert CLAIM in await page.locator("h1").inner_text()
            elif path == "/eligibility":
                assert "eligibility_probe" in text and PATIENT in text
            elif path == "/money":
                assert PAYER in text
                assert PAYER in (await page.locator("#payers").inner_text())
            else:
                assert CLAIM in await page.locator("h1").inner_text()
                assert "<script>window.pwned=4</script>" in text
        assert dialogs == []
    finally:
        await context.close()
        server.stop()
