"""The daily cycle against the sandbox: full run with report and summary, one alert for a refused password,
maintenance skipped and rescheduled, and no secret in any artifact."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from pydantic import SecretStr

from connector.logging import register_secrets
from connector.ops.cycle import run_cycle
from connector.ops.incidents import StoreIncidentLog
from connector.ops.notify import Notifier
from connector.ops.policy import run_with_policy
from connector.ops.retry import RetryPolicy
from connector.ops.scheduler import Scheduler
from connector.settings import ConnectorSettings, PortalAccount

FAST = RetryPolicy(attempts=2, base_seconds=0.0, max_seconds=0.0, jitter_seconds=0.0)


def make_settings(
    sandbox: Any, tmp_path: Path, webhook: Any, password: str | None = None
) -> ConnectorSettings:
    account = PortalAccount(
        practice_name="Prairie Family Medicine",
        portal="sandbox-v1",
        base_url=sandbox.base_url,
        username=sandbox.username,
        password=SecretStr(password or sandbox.password),
        totp_secret=SecretStr(sandbox.totp_secret),
        pm_export=sandbox.pm_export_csv,
        bank_csv=sandbox.bank_csv,
    )
    return ConnectorSettings(
        accounts={"prairie": account},
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        notify_urls=[SecretStr(webhook.apprise_url)],
    )


def admin_state(sandbox: Any) -> dict[str, Any]:
    return dict(httpx.get(f"{sandbox.base_url}/__admin/state").json())


def grep_tree(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path}: {n[:4]!r}..." for n in needles if n in data]
            hits += [f"{path} (name)" for n in needles if n.decode() in path.name]
    return hits


async def test_full_cycle_writes_report_and_one_summary(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = make_settings(sandbox_fresh, tmp_path, webhook)
    register_secrets(settings.secret_values())
    seen: list[str] = []
    outcome = await run_cycle(
        "prairie",
        settings,
        policy=FAST,
        as_of=sandbox_fresh.data.as_of,
        progress=lambda job, result: seen.append(job if result is None else f"{job}:{result.outcome}"),
    )
    assert outcome.ok, [(r.job, r.outcome, r.error_class, r.error_message) for r in outcome.results]
    assert [r.job for r in outcome.results] == ["health", "eras", "statuses", "upload", "acks", "reconcile"]
    assert "eras:SUCCEEDED" in seen and "reconcile:SUCCEEDED" in seen
    assert outcome.report is not None and outcome.report.is_file()
    eras = next(r for r in outcome.results if r.job == "eras")
    payments = len(sandbox_fresh.data.payments)
    assert eras.counts["remittances_new"] == payments  # one 835 transaction per payment
    assert eras.counts["files_new"] == 2 * payments  # each 835 and its PDF remit
    book = load_workbook(outcome.report, read_only=True)
    assert "Summary" in book.sheetnames and "Claims" in book.sheetnames
    book.close()
    # exactly one message: the daily summary with the report attached
    assert [m["type"] for m in webhook.messages] == ["info"]
    assert webhook.messages[0]["attachments"][0]["filename"] == outcome.report.name
    secrets = [sandbox_fresh.password.encode(), sandbox_fresh.totp_secret.encode()]
    assert grep_tree(settings.data_dir, secrets) == []
    assert not any(s in b"".join(webhook.raw) for s in secrets)
    assert not any(s.decode() in caplog.text for s in secrets)


async def test_refused_password_alerts_once_and_is_never_retried(
    sandbox_fresh: Any, tmp_path: Path, webhook: Any
) -> None:
    wrong = "Wrong-Sentinel-Password-4242"
    settings = make_settings(sandbox_fresh, tmp_path, webhook, password=wrong)
    register_secrets(settings.secret_values())
    notifier = Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    first = await run_cycle("prairie", settings, notifier=notifier, policy=FAST)
    second = await run_cycle("prairie", settings, notifier=notifier, policy=FAST)
    assert first.stopped_by == "eras: LoginRejected"
    assert second.stopped_by == "eras: LoginRejected"
    assert "blocked" in (second.results[-1].error_message or "")  # the same password: not tried again
    assert admin_state(sandbox_fresh)["failed_passwords"] == 1
    assert [m["type"] for m in webhook.messages] == ["failure"]
    message = webhook.messages[0]["message"]
    assert "PASSWORD" in message and wrong not in message and wrong.encode() not in b"".join(webhook.raw)
    assert grep_tree(settings.data_dir, [wrong.encode()]) == []
    # a person sets the corrected password: the block lifts by itself and the work resumes
    settings.accounts["prairie"].password = SecretStr(sandbox_fresh.password)
    fixed = await run_with_policy("statuses", "prairie", settings, notifier, FAST, options={"claims": []})
    assert fixed.ok, (fixed.error_class, fixed.error_message)
    assert admin_state(sandbox_fresh)["locked"] is False
    assert [m["type"] for m in webhook.messages] == ["failure", "success"]


async def test_maintenance_skips_and_reschedules(sandbox_fresh: Any, tmp_path: Path, webhook: Any) -> None:
    sandbox_fresh.set_fault("maintenance", True)
    settings = make_settings(sandbox_fresh, tmp_path, webhook)
    outcome = await run_cycle("prairie", settings, policy=FAST)
    assert [r.outcome for r in outcome.results] == ["SKIPPED"]
    assert outcome.stopped_by is None and outcome.skipped_until
    service = Scheduler(settings, jobstore="memory")
    service.aps.start(paused=True)
    try:
        when = service.reschedule_after_maintenance("all", "prairie", outcome.skipped_until)
        assert when is not None and when > dt.datetime.now(dt.UTC)
        again = service.aps.get_job("prairie:all:after-maintenance")
        assert again is not None and again.args == ("all", "prairie")
    finally:
        service.aps.shutdown(wait=False)
    assert webhook.messages == []  # maintenance is expected: nobody is alerted


async def test_portal_down_too_long_alerts_once(sandbox_fresh: Any, tmp_path: Path, webhook: Any) -> None:
    settings = make_settings(sandbox_fresh, tmp_path, webhook)
    settings.accounts["prairie"].status_url = "http://127.0.0.1:9/status.json"  # nothing listens there
    settings.portal_down_alert_minutes = 0
    notifier = Notifier(settings.notify_urls, StoreIncidentLog(settings.database_url))
    for _ in range(3):
        result = await run_with_policy("health", "prairie", settings, notifier, FAST)
        assert result.error_class == "PortalUnavailable"
    assert [m["type"] for m in webhook.messages] == ["failure"]
    assert "down" in webhook.messages[0]["title"]
    settings.accounts["prairie"].status_url = None
    assert (await run_with_policy("health", "prairie", settings, notifier, FAST)).ok
    assert [m["type"] for m in webhook.messages] == ["failure", "success"]


def test_run_reconcile_command_from_the_store(sandbox: Any, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    prefix = "CONNECTOR_ACCOUNTS__PRAIRIE__"
    env.update(
        {
            f"{prefix}PRACTICE_NAME": "Prairie Family Medicine",
            f"{prefix}BASE_URL": sandbox.base_url,
            f"{prefix}USERNAME": sandbox.username,
            f"{prefix}PASSWORD": sandbox.password,
            f"{prefix}TOTP_SECRET": sandbox.totp_secret,
            f"{prefix}PM_EXPORT": str(sandbox.pm_export_xlsx),
            "CONNECTOR_DATA_DIR": str(tmp_path / "data"),
            "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'connector.db'}",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "reconcile"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = json.loads(done.stdout.strip().splitlines()[-1])
    assert line["job"] == "reconcile" and line["outcome"] == "SUCCEEDED"
    assert line["counts"]["eras"] == 0 and line["counts"]["claims"] > 0  # nothing downloaded yet: all awaited
    report = Path(line["artifacts"][0])
    assert report.is_file() and report.suffix == ".xlsx"
    assert sandbox.password not in done.stdout + done.stderr
