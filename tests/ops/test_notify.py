"""Notifications: once per incident, redacted, resolved messages, and the summary with the report attached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connector.logging import register_secrets
from connector.ops.notify import MemoryIncidentLog, Notifier

SENTINEL = "Sentinel-Notify-Secret-5521"


def test_one_alert_per_incident_and_no_secrets(webhook: Any) -> None:
    register_secrets([SENTINEL])
    notifier = Notifier([SecretStr(webhook.apprise_url)], MemoryIncidentLog())
    body = f"sign-in refused for account mainst (password {SENTINEL}); patient SSN 123-45-6789"
    assert notifier.alert("login:mainst", "Portal sign-in refused", body) is True
    assert (
        notifier.alert("login:mainst", "Portal sign-in refused", body) is False
    )  # a retry: no second message
    assert len(webhook.messages) == 1
    raw = b"".join(webhook.raw).decode()
    assert SENTINEL not in raw and "123-45-6789" not in raw
    assert webhook.messages[0]["title"] == "Portal sign-in refused"
    assert webhook.messages[0]["type"] == "failure"
    assert notifier.resolved("login:mainst", "Sign-in works again", "ok") is True
    assert notifier.resolved("login:mainst", "Sign-in works again", "ok") is False
    assert [m["type"] for m in webhook.messages] == ["failure", "success"]
    # a new incident after resolution alerts again
    assert notifier.alert("login:mainst", "Portal sign-in refused", "again") is True
    assert len(webhook.messages) == 3


def test_summary_attaches_report(webhook: Any, tmp_path: Path) -> None:
    report = tmp_path / "reconciliation.xlsx"
    report.write_bytes(b"PK\x03\x04 not really a workbook")
    notifier = Notifier([SecretStr(webhook.apprise_url)])
    assert notifier.summary("Daily summary", "12 ERAs, $10,234.56 paid", report) is True
    message = webhook.messages[-1]
    assert message["message"] == "12 ERAs, $10,234.56 paid"
    assert message.get("attachments") and message["attachments"][0]["filename"] == "reconciliation.xlsx"


def test_no_urls_means_no_send() -> None:
    notifier = Notifier([])
    assert notifier.configured is False
    assert notifier.alert("x", "t", "b") is False
    assert notifier.incidents.is_open("x")


def test_findings_of_a_successful_run_reach_a_person_once(webhook: Any) -> None:
    from connector.jobs.context import RunResult
    from connector.ops.policy import report_findings as _report_findings

    notifier = Notifier([SecretStr(webhook.apprise_url)])
    acks = RunResult(41, "acks", "mainst", "SUCCEEDED", counts={"claims_rejected": 2, "claims_accepted": 7})
    _report_findings("acks", "mainst", notifier, acks)
    _report_findings("acks", "mainst", notifier, acks)  # the same run reported twice: one message
    eras = RunResult(42, "eras", "mainst", "SUCCEEDED", counts={"quarantined": 1, "files_new": 10})
    _report_findings("eras", "mainst", notifier, eras)
    _report_findings("eras", "mainst", notifier, RunResult(43, "eras", "mainst", "SUCCEEDED", counts={}))
    titles = [m["title"] for m in webhook.messages]
    assert titles == ["The payer rejected 2 claim(s) (mainst)", "1 file(s) could not be read (mainst)"]
