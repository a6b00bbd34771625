"""`connector run JOB` and a scheduled run take one path: the same retries, ledger rows and alerts."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from connector.ops.scheduler import Scheduler
from connector.settings import ConnectorSettings

ATTEMPTS = 2


def _env(sandbox: Any, root: Path, webhook: Any, password: str) -> dict[str, str]:
    prefix = "CONNECTOR_ACCOUNTS__PRAIRIE__"
    return {
        f"{prefix}PRACTICE_NAME": "Prairie Family Medicine",
        f"{prefix}BASE_URL": sandbox.base_url,
        f"{prefix}USERNAME": sandbox.username,
        f"{prefix}PASSWORD": password,
        f"{prefix}TOTP_SECRET": sandbox.totp_secret,
        "CONNECTOR_DATA_DIR": str(root / "data"),
        "CONNECTOR_DATABASE_URL": f"sqlite:///{root / 'data' / 'connector.db'}",
        "CONNECTOR_NOTIFY_URLS": f'["{webhook.apprise_url}"]',
        "CONNECTOR_RETRY__ATTEMPTS": str(ATTEMPTS),
        "CONNECTOR_RETRY__BASE_SECONDS": "0",
        "CONNECTOR_RETRY__JITTER_SECONDS": "0",
    }


def _ledger(root: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(root / "data" / "connector.db") as db:
        rows = db.execute("select job, outcome, error_class from run order by id").fetchall()
    return [(str(job), str(outcome), error) for job, outcome, error in rows]


def _by_command(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", "run", "eras", "--account", "prairie"],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _by_scheduler(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = ConnectorSettings()
    service = Scheduler(settings, jobstore="memory", load=ConnectorSettings)
    asyncio.run(service.fire("eras", "prairie"))


def _alerts(webhook: Any) -> list[tuple[str, str]]:
    return [(m.get("type", ""), m.get("title", "")) for m in webhook.messages]


@pytest.mark.parametrize("case", ["portal errors", "refused password"])
def test_run_command_and_scheduled_run_give_the_same_ledger_and_alerts(
    case: str, sandbox_fresh: Any, tmp_path: Path, webhook: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = sandbox_fresh.password if case == "portal errors" else "not-the-password"
    seen: dict[str, tuple[list[tuple[str, str, str | None]], list[tuple[str, str]]]] = {}
    for path in ("command", "scheduler"):
        sandbox_fresh.reset()
        if case == "portal errors":
            sandbox_fresh.set_fault("error_rate", "1")  # every portal page answers 5xx
            sandbox_fresh.set_fault("error_status", 503)
        webhook.messages.clear()
        root = tmp_path / path
        env = _env(sandbox_fresh, root, webhook, password)
        if path == "command":
            done = _by_command(env, tmp_path)
            assert done.returncode == 1, done.stderr[-2000:]
            assert password not in done.stdout + done.stderr
        else:
            _by_scheduler(env, monkeypatch)
        seen[path] = (_ledger(root), _alerts(webhook))
    assert seen["command"] == seen["scheduler"]
    ledger, alerts = seen["command"]
    if case == "portal errors":  # retried under the policy, then given up until the next run; nobody paged
        assert ledger == [("eras", "FAILED", "PortalUnavailable")] * ATTEMPTS
        assert alerts == []
    else:  # never retried (three refusals lock the account); one alert to a person
        assert ledger == [("eras", "FAILED", "LoginRejected")]
        assert alerts == [("failure", "portal-connector needs a person (prairie)")]
