"""Finding 9: the README says precisely what holds PHI (downloads, store, report) and what never does (logs,
exceptions, ledger, scheduler rows, alerts); this keeps the "never" part true on a reconcile run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import SecretStr
from sqlalchemy import select

from connector import store
from connector.ops.cycle import run_cycle
from connector.ops.incidents import StoreIncidentLog
from connector.ops.notify import Notifier
from connector.ops.scheduler import build_scheduler
from connector.settings import ConnectorSettings, PortalAccount

pytestmark = pytest.mark.finding(9)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_says_what_holds_phi_and_what_never_does() -> None:
    text = README.read_text()
    assert "never appear in logs" not in text or "reports" not in text.split("never appear in logs")[1][:200]
    holds, never = text.split("These never hold PHI")
    for place in ("data/downloads/", "data/outbox/", "the database", "data/reports/", "data/traces/"):
        assert place in holds.split("What holds protected health information")[1]
    for place in (
        "logs",
        "error messages and exceptions",
        "scheduler's job store",
        "alert and summary texts",
    ):
        assert place in never.split("##")[0]


async def test_reconcile_run_keeps_phi_in_the_report_only(
    sandbox: Any, tmp_path: Path, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_export=sandbox.pm_export_csv,
    )
    settings = ConnectorSettings(
        accounts={"prairie": account},
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        notify_urls=[SecretStr(webhook.apprise_url)],
        summary_attach_report=False,
    )
    notifier = Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    outcome = await run_cycle("prairie", settings, notifier=notifier, jobs=("reconcile",))
    assert outcome.ok and outcome.report is not None
    scheduler = build_scheduler(settings)
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    phi = {p.last for p in sandbox.data.patients if len(p.last) >= 4} | {
        p.member_id for p in sandbox.data.patients
    }
    book = load_workbook(outcome.report, read_only=True)
    cells = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row}
    book.close()
    assert any(v in cell for v in phi for cell in cells), "the report is where the billing office reads names"
    with store.open_session(settings.database_url) as session:
        ledger = " ".join(
            f"{r.error_class} {r.error_message} {r.counts} {r.artifacts}"
            for r in session.scalars(select(store.Run))
        )
    alerts = " ".join(f"{m.get('title')} {m.get('message')}" for m in webhook.messages)
    assert [m["type"] for m in webhook.messages] == ["info"]
    assert not webhook.messages[0].get("attachments")  # summary_attach_report off: the PHI stays home
    job_store = (settings.data_dir / "scheduler.db").read_bytes()
    for where, text in (("log", caplog.text), ("ledger", ledger), ("alerts", alerts)):
        assert not [v for v in phi if v in text], f"PHI in the {where}"
    assert not [v for v in phi if v.encode() in job_store], "PHI in the scheduler's job store"


def test_failure_traces_and_screenshots_expire(tmp_path: Path) -> None:
    import os
    import time

    from connector.ops.recovery import recover

    data = tmp_path / "data"
    old, new = data / "traces" / "run-1.zip", data / "screenshots" / "page-2.png"
    for path in (old, new):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"portal page")
    stamp = time.time() - 15 * 86400
    os.utime(old, (stamp, stamp))
    recover(f"sqlite:///{data / 'connector.db'}", data, trace_retention_days=14)
    assert not old.exists() and new.exists()
